package dev.wayout.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Istio's {@code exportTo} semantics: which namespaces may use a ServiceEntry or DestinationRule.
 * Empty means every namespace (Istio's default), {@code "*"} every namespace, {@code "."} the
 * object's own, {@code "~"} none, any other value a namespace by name.
 */
public final class ExportTo {

  private ExportTo() {}

  public static boolean visibleTo(List<String> exportTo, String ownNamespace, String namespace) {
    if (exportTo.isEmpty()) {
      return true;
    }
    for (String target : exportTo) {
      if (target.equals("*")
          || (target.equals(".") && ownNamespace.equals(namespace))
          || target.equals(namespace)) {
        return true;
      }
    }
    return false;
  }

  public static boolean visibleTo(ServiceEntry entry, String namespace) {
    return visibleTo(entry.exportTo(), entry.namespace(), namespace);
  }

  public static boolean visibleTo(DestinationRule rule, String namespace) {
    return visibleTo(rule.exportTo(), rule.namespace(), namespace);
  }

  /**
   * A namespace that sees both objects, or empty when none does. "every namespace" when both are
   * exported everywhere.
   */
  public static Optional<String> sharedNamespace(
      List<String> exportA, String namespaceA, List<String> exportB, String namespaceB) {
    Set<String> a = scope(exportA, namespaceA);
    Set<String> b = scope(exportB, namespaceB);
    if (a == null && b == null) {
      return Optional.of("every namespace");
    }
    if (a == null || b == null) {
      Set<String> finite = a == null ? b : a;
      return finite.stream().sorted().findFirst().map(ns -> "namespace " + ns);
    }
    return a.stream().filter(b::contains).sorted().findFirst().map(ns -> "namespace " + ns);
  }

  /** The namespaces an object is exported to; null for all of them. */
  private static Set<String> scope(List<String> exportTo, String ownNamespace) {
    if (exportTo.isEmpty() || exportTo.contains("*")) {
      return null;
    }
    Set<String> namespaces = new TreeSet<>();
    for (String target : exportTo) {
      if (target.equals(".")) {
        namespaces.add(ownNamespace);
      } else if (!target.equals("~")) {
        namespaces.add(target);
      }
    }
    return namespaces;
  }

  /**
   * Istio's rules for the values: ".", "*", a namespace name, and for ServiceEntries "~"; no
   * duplicates ("." and the own namespace count as one); "*" and "~" stand alone; a DestinationRule
   * with a workloadSelector stays in its own namespace.
   */
  static void check(
      List<String> exportTo,
      String namespace,
      boolean serviceEntry,
      boolean withWorkloadSelector,
      Findings findings) {
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; i < exportTo.size(); i++) {
      String value = exportTo.get(i);
      String path = "spec.exportTo[" + i + "]";
      String key = value.equals(".") && !namespace.isEmpty() ? namespace : value;
      String earlier = seen.putIfAbsent(key, value);
      if (earlier != null) {
        findings.error(
            path,
            earlier.equals(value)
                ? Findings.quote(value) + " is listed twice"
                : "\".\" and the own namespace " + Findings.quote(namespace) + " are the same",
            "list each namespace once");
        continue;
      }
      if (value.equals("~")) {
        if (!serviceEntry) {
          findings.error(
              path,
              "\"~\" (visible to no one) is only allowed on ServiceEntries",
              "use \".\" to keep the DestinationRule in its own namespace");
        }
      } else if (!value.equals(".") && !value.equals("*") && !HostNames.isDnsLabel(value)) {
        findings.error(
            path,
            Findings.quote(value) + " is neither \".\", \"*\" nor a namespace name",
            "use \".\" (this namespace), \"*\" (all namespaces) or a namespace name such as"
                + " \"shop\"");
      }
    }
    if (exportTo.size() > 1 && exportTo.contains("*")) {
      findings.error(
          "spec.exportTo",
          "\"*\" already exports to every namespace and cannot be combined with other values",
          "keep only \"*\", or list the namespaces without it");
    }
    if (exportTo.size() > 1 && exportTo.contains("~")) {
      findings.error(
          "spec.exportTo",
          "\"~\" exports to no one and cannot be combined with other values",
          "keep only \"~\", or list the namespaces without it");
    }
    if (withWorkloadSelector && !exportTo.isEmpty()) {
      boolean onlyOwn = seen.size() == 1 && (seen.containsKey(namespace) || seen.containsKey("."));
      if (!onlyOwn) {
        findings.error(
            "spec.exportTo",
            "a DestinationRule with a workloadSelector applies only in its own namespace",
            "set exportTo to [\".\"] or remove it");
      }
    }
  }
}
