package dev.wayout.model;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Regular expressions as Istio and Envoy read them (RE2, Go's {@code regexp} syntax), checked and
 * compiled with the JDK's engine: constructs RE2 refuses (lookaround, backreferences, possessive or
 * atomic groups, flags other than {@code imsU}, repeat counts over 1000) are refused here too, and
 * RE2 spellings the JDK lacks ({@code (?P<name>)}, a lone {@code {}, POSIX classes) are translated.
 * Compiled once when a snapshot is built, never per request.
 */
public final class Re2 {

  private static final int MAX_LENGTH = 1024;
  private static final int MAX_REPEAT = 1000;

  private Re2() {}

  /** Why RE2 would refuse {@code re}, or null when it compiles. */
  public static String problem(String re) {
    if (re.length() > MAX_LENGTH) {
      return "is " + re.length() + " characters long; Istio allows regexes of at most 1024";
    }
    String unsupported = unsupported(re);
    if (unsupported != null) {
      return unsupported + "; Istio uses RE2 syntax (https://github.com/google/re2/wiki/Syntax)";
    }
    try {
      Pattern.compile(translate(re));
      return null;
    } catch (PatternSyntaxException e) {
      return "is not a valid regular expression ("
          + e.getDescription()
          + "); Istio uses RE2 syntax (https://github.com/google/re2/wiki/Syntax)";
    }
  }

  /** The pattern for a regex that {@link #problem} accepted; matching is on the whole value. */
  public static Pattern compile(String re, boolean ignoreCase) {
    String t = translate(re);
    return ignoreCase
        ? Pattern.compile(t, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
        : Pattern.compile(t);
  }

  private static String unsupported(String re) {
    boolean inClass = false;
    for (int i = 0; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '\\' && i + 1 < re.length()) {
        char n = re.charAt(i + 1);
        if (n == 'Q') {
          int end = re.indexOf("\\E", i + 2);
          i = end < 0 ? re.length() : end + 1;
          continue;
        }
        if (n >= '1' && n <= '9' && !(i + 2 < re.length() && isOctal(re.charAt(i + 2)))) {
          return "has the backreference \\" + n + ", which RE2 does not support";
        }
        if ("kZGhHRXecu".indexOf(n) >= 0) {
          return "has the escape \\" + n + ", which RE2 does not know";
        }
        i++;
        continue;
      }
      if (inClass) {
        if (c == ']') {
          inClass = false;
        }
        continue;
      }
      if (c == '[') {
        inClass = true;
        if (i + 1 < re.length() && re.charAt(i + 1) == '^') {
          i++;
        }
        if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
          i++; // a leading ']' is a literal
        }
        continue;
      }
      if (c == '(' && i + 1 < re.length() && re.charAt(i + 1) == '?') {
        String rest = re.substring(i + 2);
        if (rest.startsWith("=") || rest.startsWith("!")) {
          return "has a lookahead (?" + rest.charAt(0) + "...), which RE2 does not support";
        }
        if (rest.startsWith("<=") || rest.startsWith("<!")) {
          return "has a lookbehind (?" + rest.substring(0, 2) + "...), which RE2 does not support";
        }
        if (rest.startsWith(">")) {
          return "has an atomic group (?>...), which RE2 does not support";
        }
        if (!rest.startsWith("P<") && !rest.startsWith("<") && !rest.startsWith(":")) {
          for (int j = 0; j < rest.length(); j++) {
            char f = rest.charAt(j);
            if (f == ')' || f == ':') {
              break;
            }
            if ("imsU-".indexOf(f) < 0) {
              return "has the flag " + f + " in (?" + "...), and RE2 knows only i, m, s and U";
            }
          }
        }
      }
      if ((c == '+') && i > 0 && isQuantifierEnd(re, i - 1)) {
        return "has a possessive quantifier ("
            + re.charAt(i - 1)
            + "+), which RE2 does not support";
      }
      if (c == '{') {
        int close = re.indexOf('}', i);
        if (close > 0 && re.substring(i + 1, close).matches("\\d+(,\\d*)?")) {
          for (String n : re.substring(i + 1, close).split(",")) {
            if (!n.isEmpty() && (n.length() > 4 || Integer.parseInt(n) > MAX_REPEAT)) {
              return "repeats {" + re.substring(i + 1, close) + "} times; RE2 allows at most 1000";
            }
          }
          if (close + 1 < re.length() && re.charAt(close + 1) == '+') {
            return "has a possessive quantifier (}+), which RE2 does not support";
          }
        }
      }
    }
    return null;
  }

  /** True when the character at {@code i} ends a quantifier ({@code *}, {@code +}, {@code ?}). */
  private static boolean isQuantifierEnd(String re, int i) {
    char q = re.charAt(i);
    if (q != '*' && q != '+' && q != '?') {
      return false;
    }
    return i == 0 || re.charAt(i - 1) != '\\';
  }

  private static boolean isOctal(char c) {
    return c >= '0' && c <= '7';
  }

  /** RE2 spellings the JDK reads differently or not at all. */
  static String translate(String re) {
    StringBuilder out = new StringBuilder(re.length() + 8);
    boolean inClass = false;
    for (int i = 0; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '\\' && i + 1 < re.length()) {
        out.append(c).append(re.charAt(++i));
        continue;
      }
      if (inClass) {
        if (c == '[' && re.startsWith("[:", i)) {
          int end = re.indexOf(":]", i + 2);
          String name = end < 0 ? null : posix(re.substring(i + 2, end));
          if (name != null) {
            out.append(name);
            i = end + 1;
            continue;
          }
        }
        if (c == '[') {
          out.append("\\[");
          continue;
        }
        if (c == '&' && i + 1 < re.length() && re.charAt(i + 1) == '&') {
          out.append("\\&");
          continue;
        }
        if (c == ']') {
          inClass = false;
        }
        out.append(c);
        continue;
      }
      if (c == '[') {
        inClass = true;
        out.append(c);
        if (i + 1 < re.length() && re.charAt(i + 1) == '^') {
          out.append('^');
          i++;
        }
        if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
          out.append("\\]");
          i++;
        }
        continue;
      }
      if (c == '(' && re.startsWith("(?P<", i)) {
        out.append("(?<");
        i += 3;
        continue;
      }
      if (c == '{') {
        int close = re.indexOf('}', i);
        boolean repeat = close > 0 && i > 0 && re.substring(i + 1, close).matches("\\d+(,\\d*)?");
        out.append(repeat ? "{" : "\\{");
        continue;
      }
      if (c == '}') {
        int open = out.lastIndexOf("{");
        boolean closesRepeat =
            open >= 0
                && (open == 0 || out.charAt(open - 1) != '\\')
                && out.substring(open + 1).matches("\\d+(,\\d*)?");
        out.append(closesRepeat ? "}" : "\\}");
        continue;
      }
      out.append(c);
    }
    return out.toString();
  }

  private static String posix(String name) {
    return switch (name) {
      case "alnum" -> "\\p{Alnum}";
      case "alpha" -> "\\p{Alpha}";
      case "ascii" -> "\\p{ASCII}";
      case "blank" -> "\\p{Blank}";
      case "cntrl" -> "\\p{Cntrl}";
      case "digit" -> "\\p{Digit}";
      case "graph" -> "\\p{Graph}";
      case "lower" -> "\\p{Lower}";
      case "print" -> "\\p{Print}";
      case "punct" -> "\\p{Punct}";
      case "space" -> "\\s\\x0B";
      case "upper" -> "\\p{Upper}";
      case "word" -> "\\w";
      case "xdigit" -> "\\p{XDigit}";
      default -> null;
    };
  }
}
