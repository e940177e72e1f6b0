package dev.wayout.model;

import static dev.wayout.model.Findings.quote;

import java.util.HashMap;
import java.util.Map;

/**
 * The one validator for DestinationRules that the webhook, the CLI and the waypoint all call.
 * Follows Istio's own rules for the kind, plus egress-specific warnings. Pure; checks that need
 * other objects live in {@link RegistryValidator}.
 */
public final class DestinationRuleValidator {

  private DestinationRuleValidator() {}

  public static Validation validate(DestinationRule rule) {
    Findings f = new Findings();
    checkHost(rule, f);
    TrafficPolicyValidator.check(rule.trafficPolicy(), rule.namespace(), "spec.trafficPolicy", f);
    checkSubsets(rule, f);
    ExportTo.check(rule.exportTo(), rule.namespace(), false, rule.workloadSelector() != null, f);
    if (rule.workloadSelector() != null) {
      EndpointValidator.checkSelectorLabels(
          rule.workloadSelector(), "spec.workloadSelector.matchLabels", f);
    }
    return f.toValidation();
  }

  private static void checkHost(DestinationRule rule, Findings f) {
    if (rule.host().isEmpty()) {
      f.error("spec.host", "is empty", "name the host of a ServiceEntry, e.g. \"api.example.com\"");
      return;
    }
    String problem = HostNames.wildcardDomainProblem(rule.host());
    if (problem != null) {
      f.error(
          "spec.host",
          quote(rule.host()) + " " + problem,
          "name the host of a ServiceEntry, e.g. \"api.example.com\"");
    }
  }

  private static void checkSubsets(DestinationRule rule, Findings f) {
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < rule.subsets().size(); i++) {
      Subset subset = rule.subsets().get(i);
      String path = "spec.subsets[" + i + "]";
      String name = subset.name() == null ? "" : subset.name();
      if (name.isEmpty()) {
        f.error(path + ".name", "is missing", "name the subset, e.g. \"v1\"");
      } else {
        if (!HostNames.isDnsLabel(name)) {
          f.error(
              path + ".name",
              quote(name) + " is not a valid subset name",
              "use letters, digits and '-' (at most 63, starting and ending with a letter or"
                  + " digit)");
        }
        Integer previous = names.putIfAbsent(name, i);
        if (previous != null) {
          f.error(
              path + ".name",
              quote(name) + " is already used by spec.subsets[" + previous + "]",
              "give each subset its own name");
        }
      }
      KubeLabels.check(subset.labels(), path + ".labels", f);
      TrafficPolicyValidator.check(
          subset.trafficPolicy(), rule.namespace(), path + ".trafficPolicy", f);
    }
  }
}
