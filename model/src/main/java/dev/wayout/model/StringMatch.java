package dev.wayout.model;

/**
 * Istio's {@code StringMatch}: one of {@code exact}, {@code prefix} or {@code regex} (RE2, the
 * whole value). None set matches any present value, as Istio turns it into a presence match.
 *
 * @param kinds how many of the three were set (the CRD schema allows one at most)
 */
public record StringMatch(String exact, String prefix, String regex, int kinds) {

  public static StringMatch exact(String value) {
    return new StringMatch(value, null, null, 1);
  }

  public static StringMatch prefix(String value) {
    return new StringMatch(null, value, null, 1);
  }

  public static StringMatch regex(String value) {
    return new StringMatch(null, null, value, 1);
  }

  /** No value to compare: any present value matches (also Istio's {@code regex: "*"}). */
  public boolean isPresence() {
    return (exact == null && prefix == null && regex == null) || "*".equals(regex);
  }

  /** The match as YAML shows it, for messages. */
  public String describe() {
    if (exact != null) {
      return "exact " + Findings.quote(exact);
    }
    if (prefix != null) {
      return "prefix " + Findings.quote(prefix);
    }
    return regex != null ? "regex " + Findings.quote(regex) : "any value";
  }
}
