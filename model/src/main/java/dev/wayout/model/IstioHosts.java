package dev.wayout.model;

/**
 * Istio's {@code host.Name} comparisons, exactly (case-sensitive, a leading '*' a wildcard of any
 * suffix): {@code Matches} for overlapping hosts and {@code SubsetOf} for SNI hosts.
 */
public final class IstioHosts {

  private IstioHosts() {}

  private static boolean wild(String h) {
    return !h.isEmpty() && h.charAt(0) == '*';
  }

  /** Whether the two hosts can name the same thing. */
  public static boolean matches(String n, String o) {
    if (wild(n)) {
      if (wild(o)) {
        return n.length() < o.length()
            ? o.substring(1).endsWith(n.substring(1))
            : n.substring(1).endsWith(o.substring(1));
      }
      return o.endsWith(n.substring(1));
    }
    if (wild(o)) {
      return n.endsWith(o.substring(1));
    }
    return n.equals(o);
  }

  /** Whether every name {@code n} covers is covered by {@code o}. */
  public static boolean subsetOf(String n, String o) {
    if (wild(n)) {
      return wild(o) && n.substring(1).endsWith(o.substring(1));
    }
    if (wild(o)) {
      return n.endsWith(o.substring(1));
    }
    return n.equals(o);
  }
}
