package dev.wayout.waypoint.routing;

import dev.wayout.model.Re2;
import dev.wayout.model.StringMatch;
import java.util.regex.Pattern;

/**
 * An Istio {@code StringMatch} compiled once: exact, prefix, a regex matching the whole value (RE2
 * semantics), or mere presence. Matching allocates nothing but a regex's matcher.
 */
final class StringMatcher {

  private final String exact;
  private final String prefix;
  private final Pattern regex;
  private final boolean ignoreCase;

  private StringMatcher(String exact, String prefix, Pattern regex, boolean ignoreCase) {
    this.exact = exact;
    this.prefix = prefix;
    this.regex = regex;
    this.ignoreCase = ignoreCase;
  }

  /** Null when {@code sm} is null (no condition). */
  static StringMatcher of(StringMatch sm, boolean ignoreCase) {
    if (sm == null) {
      return null;
    }
    if (sm.isPresence()) {
      return new StringMatcher(null, null, null, false);
    }
    if (sm.exact() != null) {
      return new StringMatcher(sm.exact(), null, null, ignoreCase);
    }
    if (sm.prefix() != null) {
      return new StringMatcher(null, sm.prefix(), null, ignoreCase);
    }
    return new StringMatcher(null, null, Re2.compile(sm.regex(), ignoreCase), false);
  }

  /** Any present value matches. */
  boolean isPresence() {
    return exact == null && prefix == null && regex == null;
  }

  boolean isPrefix() {
    return prefix != null;
  }

  String prefix() {
    return prefix;
  }

  /** Whether a value (null: absent) matches. */
  boolean matches(String value) {
    if (value == null) {
      return false;
    }
    if (exact != null) {
      return ignoreCase ? exact.equalsIgnoreCase(value) : exact.equals(value);
    }
    if (prefix != null) {
      return value.regionMatches(ignoreCase, 0, prefix, 0, prefix.length());
    }
    return regex == null || regex.matcher(value).matches();
  }
}
