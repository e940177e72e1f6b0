package dev.wayout.waypoint.policy;

import java.util.Locale;

/** Host name normalisation and Istio's host matching: exact, or {@code *.suffix} wildcards. */
public final class HostNames {

  private HostNames() {}

  /** Lower case, without a trailing dot: "Aliyun.COM." and "aliyun.com" are the same host. */
  public static String normalize(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  public static boolean isWildcard(String pattern) {
    return pattern.startsWith("*");
  }

  /**
   * True if a ServiceEntry host covers the requested host. {@code *.example.com} covers {@code
   * a.example.com} and {@code a.b.example.com} but not {@code example.com}, as in Istio.
   */
  public static boolean matches(String pattern, String host) {
    if (!isWildcard(pattern)) {
      return pattern.equals(host);
    }
    if (pattern.equals("*")) {
      return true;
    }
    String suffix = pattern.substring(1); // ".example.com"
    return host.length() > suffix.length() && host.endsWith(suffix);
  }
}
