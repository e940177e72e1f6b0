package dev.wayout.model;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Istio's rules for header names and values in VirtualServices: which names a route may match, set
 * or remove, and which values Envoy's header formatter accepts ({@code %VAR%} expressions, {@code
 * %%} for a literal percent). Each check returns the problem in words, or null.
 */
final class HeaderRules {

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~A-Za-z0-9]+");
  private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0A-\\x1F\\x7F]");
  static final String JWT_CLAIM = "@request.auth.claims";

  private HeaderRules() {}

  /** A name a match may use: a token, a pseudo-header, or a JWT claim. */
  static String matchNameProblem(String name) {
    if (name.isEmpty()) {
      return "is an empty header name";
    }
    if (isJwtClaim(name)
        || name.equals(":method")
        || name.equals(":scheme")
        || name.equals(":authority")
        || name.equals(":path")
        || name.equals(":status")) {
      return null;
    }
    return TOKEN.matcher(name).matches()
        ? null
        : Findings.quote(name) + " is not a valid header name";
  }

  /** Istio's {@code @request.auth.claims.name} (or {@code [name]}) routing on JWT claims. */
  static boolean isJwtClaim(String name) {
    if (!name.toLowerCase(Locale.ROOT).startsWith(JWT_CLAIM)) {
      return false;
    }
    String rest = name.substring(JWT_CLAIM.length());
    return (rest.startsWith(".") && rest.length() > 1)
        || (rest.startsWith("[") && rest.endsWith("]") && rest.length() > 2);
  }

  /** A request header a route sets or adds: {@code :authority} and {@code host} allowed. */
  static String setRequestNameProblem(String name) {
    if (name.isEmpty()) {
      return "is an empty header name";
    }
    if (isInternal(name) && !isAuthority(name)) {
      return Findings.quote(name) + " starts with ':', and pseudo-headers cannot be changed";
    }
    return null;
  }

  /** A request header removed, or a response header set, added or removed. */
  static String operationNameProblem(String name) {
    if (name.isEmpty()) {
      return "is an empty header name";
    }
    if (name.equalsIgnoreCase("host")) {
      return "the Host header cannot be changed here";
    }
    if (name.startsWith(":")) {
      return Findings.quote(name) + " starts with ':', and pseudo-headers cannot be changed";
    }
    return null;
  }

  /** A CORS header name: a token, or "*". */
  static String corsNameProblem(String name) {
    if (name.isEmpty()) {
      return "is an empty header name";
    }
    return name.equals("*") || TOKEN.matcher(name).matches()
        ? null
        : Findings.quote(name) + " is not a valid header name";
  }

  static boolean isInternal(String name) {
    return name.startsWith(":") || name.equalsIgnoreCase("host");
  }

  static boolean isAuthority(String name) {
    return name.equalsIgnoreCase(":authority") || name.equalsIgnoreCase("host");
  }

  /** Envoy's header value formatter, as Istio checks it (header_value_validator.go). */
  static String valueProblem(String value) {
    if (CONTROL.matcher(value).find()) {
      return Findings.quote(value) + " has control characters";
    }
    int state = 0; // 0 literal, 1 name, 2 expect [, 3 expect ", 4 string, 5 , or ], 6 ), 7 %
    for (int pos = 0; pos < value.length(); pos++) {
      char ch = value.charAt(pos);
      boolean hasNext = pos + 1 < value.length();
      switch (state) {
        case 0 -> {
          if (ch == '%') {
            if (!hasNext) {
              return Findings.quote(value) + " ends in an un-escaped '%' (write %% for a percent)";
            }
            if (value.charAt(pos + 1) == '%') {
              pos++;
            } else {
              state = 1;
            }
          }
        }
        case 1 -> {
          if (ch == '%') {
            state = 0;
          } else if (ch == '(') {
            state = 2;
          }
        }
        case 2 -> {
          if (ch == '[') {
            state = 3;
          } else if (ch != ' ') {
            state = 4;
          }
        }
        case 5 -> {
          if (ch == ',') {
            state = 3;
          } else if (ch == ']') {
            state = 6;
          } else if (ch != ' ') {
            return Findings.quote(value) + " is not a valid %VARIABLE(...)% expression";
          }
        }
        case 3 -> {
          if (ch == '"') {
            state = 4;
          } else if (ch != ' ') {
            return Findings.quote(value) + " is not a valid %VARIABLE(...)% expression";
          }
        }
        case 4 -> {
          if (ch == '\\') {
            if (!hasNext) {
              return Findings.quote(value) + " has an unterminated backslash";
            }
            pos++;
          } else if (ch == ')') {
            state = 7;
          } else if (ch == '"') {
            state = 5;
          }
        }
        case 6 -> {
          if (ch == ')') {
            state = 7;
          } else if (ch != ' ') {
            return Findings.quote(value) + " is not a valid %VARIABLE(...)% expression";
          }
        }
        default -> {
          if (ch == '%') {
            state = 0;
          } else if (ch != ' ') {
            return Findings.quote(value) + " is not a valid %VARIABLE(...)% expression";
          }
        }
      }
    }
    return state == 0
        ? null
        : Findings.quote(value)
            + " has an unterminated %VARIABLE% expression (write %% for a literal percent)";
  }
}
