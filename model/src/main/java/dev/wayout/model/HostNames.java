package dev.wayout.model;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * DNS name syntax as Istio checks it: RFC 1123 labels, a wildcard only in the first label, a top
 * level label that is not all digits, a trailing dot allowed. Each check returns the problem in
 * words, or null when the name is fine.
 */
final class HostNames {

  private static final String LABEL = "[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?";
  private static final Pattern DNS_LABEL = Pattern.compile(LABEL);
  private static final Pattern WILDCARD_LABEL = Pattern.compile("\\*|(?:\\*|\\*-)?" + LABEL);
  private static final int MAX_LABEL = 63;
  private static final int MAX_NAME = 255;

  private HostNames() {}

  /** An RFC 1123 label: letters, digits and '-', starting and ending alphanumeric, 63 at most. */
  static boolean isDnsLabel(String value) {
    return value != null && value.length() <= MAX_LABEL && DNS_LABEL.matcher(value).matches();
  }

  /** True when the first label carries a wildcard ("*.example.com", "*"). */
  static boolean isWildcard(String host) {
    return host.startsWith("*");
  }

  /** A host that may start with a wildcard label: "api.example.com", "*.example.com". */
  static String wildcardDomainProblem(String host) {
    String problem = preconditions(host);
    if (problem != null) {
      return problem;
    }
    int dot = host.indexOf('.');
    String first = dot < 0 ? host : host.substring(0, dot);
    if (first.length() > MAX_LABEL || !WILDCARD_LABEL.matcher(first).matches()) {
      return labelProblem(
          first, "a wildcard must be the whole first label, as in \"*.example.com\"");
    }
    return dot < 0
        ? null
        : labelsProblem(host.substring(dot + 1), "only the first label may be a wildcard");
  }

  /** A fully qualified name without wildcards: "api.example.com". */
  static String fqdnProblem(String host) {
    String problem = preconditions(host);
    return problem != null ? problem : labelsProblem(host, "an exact host name has no wildcards");
  }

  /**
   * True when {@code pattern} matches {@code host} as Istio matches hosts: equal ignoring case and
   * a trailing dot, or a "*.suffix" wildcard covering any name (or narrower wildcard) under suffix.
   */
  static boolean covers(String pattern, String host) {
    // no allocation on this path: the webhook runs it against every object in its caches
    int patternLength = lengthWithoutDot(pattern);
    int hostLength = lengthWithoutDot(host);
    if (patternLength == 1 && pattern.charAt(0) == '*') {
      return true;
    }
    if (patternLength == hostLength && pattern.regionMatches(true, 0, host, 0, hostLength)) {
      return true;
    }
    if (patternLength < 2 || pattern.charAt(0) != '*' || pattern.charAt(1) != '.') {
      return false;
    }
    int suffix = patternLength - 1; // ".example.com"
    return hostLength > suffix && host.regionMatches(true, hostLength - suffix, pattern, 1, suffix);
  }

  private static int lengthWithoutDot(String host) {
    return host.endsWith(".") ? host.length() - 1 : host.length();
  }

  /** The same name, ignoring case and a trailing dot. */
  static boolean same(String a, String b) {
    int length = lengthWithoutDot(a);
    return length == lengthWithoutDot(b) && a.regionMatches(true, 0, b, 0, length);
  }

  /** True when one host covers the other. */
  static boolean overlap(String a, String b) {
    return covers(a, b) || covers(b, a);
  }

  static String normal(String host) {
    boolean lower = true;
    for (int i = 0; i < host.length() && lower; i++) {
      lower = host.charAt(i) < 'A' || host.charAt(i) > 'Z';
    }
    if (lower && !host.endsWith(".")) {
      return host;
    }
    String l = lower ? host : host.toLowerCase(Locale.ROOT);
    return l.endsWith(".") ? l.substring(0, l.length() - 1) : l;
  }

  private static String preconditions(String host) {
    if (host.isEmpty()) {
      return "is empty";
    }
    if (host.length() > MAX_NAME) {
      return "is " + host.length() + " characters long, longer than the 255 a DNS name may have";
    }
    return null;
  }

  private static String labelsProblem(String name, String wildcardRule) {
    String[] labels = name.split("\\.", -1);
    String top = labels[labels.length - 1];
    if (!top.isEmpty() && top.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return "ends in the all-numeric label "
          + Findings.quote(top)
          + ", which no DNS name may have (an IP address is not a host name)";
    }
    for (int i = 0; i < labels.length; i++) {
      // a trailing dot ("istio.io.") is an unambiguous absolute name
      if (i == labels.length - 1 && labels[i].isEmpty()) {
        return null;
      }
      if (!isDnsLabel(labels[i])) {
        return labelProblem(labels[i], wildcardRule);
      }
    }
    return null;
  }

  private static String labelProblem(String label, String wildcardRule) {
    if (label.isEmpty()) {
      return "has an empty label (two dots in a row, or a leading dot)";
    }
    if (label.length() > MAX_LABEL) {
      return "has the label " + Findings.quote(label) + " longer than 63 characters";
    }
    if (label.contains("*")) {
      return "has the wildcard label " + Findings.quote(label) + "; " + wildcardRule;
    }
    return "has the label "
        + Findings.quote(label)
        + ", which is not a DNS label (letters, digits and '-', starting and ending with a letter"
        + " or digit)";
  }
}
