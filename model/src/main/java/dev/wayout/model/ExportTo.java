package dev.wayout.model;

import java.util.List;

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
}
