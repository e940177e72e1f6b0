package dev.wayout.waypoint.routing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Reads one parameter out of a raw query string, without splitting the whole of it. */
final class QueryParams {

  private QueryParams() {}

  /** The first value of {@code name} ("" for a bare {@code name}), or null when absent. */
  static String first(String query, String name) {
    if (query == null || query.isEmpty()) {
      return null;
    }
    int i = 0;
    while (i <= query.length()) {
      int amp = query.indexOf('&', i);
      int end = amp < 0 ? query.length() : amp;
      int eq = query.indexOf('=', i);
      int keyEnd = eq < 0 || eq > end ? end : eq;
      if (keyEnd - i == name.length() && query.regionMatches(i, name, 0, name.length())) {
        String value = keyEnd == end ? "" : query.substring(keyEnd + 1, end);
        if (value.indexOf('%') < 0 && value.indexOf('+') < 0) {
          return value;
        }
        try {
          return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return value; // a malformed escape is compared as written
        }
      }
      if (amp < 0) {
        return null;
      }
      i = amp + 1;
    }
    return null;
  }
}
