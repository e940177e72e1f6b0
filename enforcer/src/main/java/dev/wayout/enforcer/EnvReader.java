package dev.wayout.enforcer;

import dev.wayout.model.Cidr;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads typed settings from an environment map and collects one message per bad value, in the
 * project's form {@code NAME: "value" (expected: ...)}, so start-up can report them all at once.
 */
public final class EnvReader {

  private final Map<String, String> env;
  private final List<String> errors = new ArrayList<>();

  public EnvReader(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public List<String> errors() {
    return List.copyOf(errors);
  }

  /** Throws a {@link ConfigException} carrying every error collected so far. */
  public void throwIfErrors() {
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
  }

  /** Records a problem found by the caller, reported with the others. */
  public void error(String message) {
    errors.add(message);
  }

  private String raw(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  public String string(String name, String defaultValue) {
    String value = raw(name);
    return value == null ? defaultValue : value;
  }

  public int integer(String name, int defaultValue, int min, int max) {
    String value = raw(name);
    if (value == null) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value);
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    errors.add(name + ": \"" + value + "\" (expected: an integer from " + min + " to " + max + ")");
    return defaultValue;
  }

  /** A comma-separated list of CIDRs; {@code required} makes absence an error. */
  public List<Cidr> cidrs(String name, boolean required, String example) {
    String value = raw(name);
    if (value == null) {
      if (required) {
        errors.add(name + ": missing (expected: comma-separated CIDRs, e.g. \"" + example + "\")");
      }
      return List.of();
    }
    List<Cidr> out = new ArrayList<>();
    for (String part : value.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      try {
        Cidr cidr = Cidr.parse(part);
        if (cidr.prefix() == 0) {
          errors.add(
              name
                  + ": \""
                  + part.trim()
                  + "\" (expected: the cluster's own ranges; /0 covers every address)");
        } else {
          out.add(cidr);
        }
      } catch (IllegalArgumentException e) {
        errors.add(
            name
                + ": \""
                + part.trim()
                + "\" (expected: a CIDR such as \""
                + example.split(",")[0]
                + "\"; "
                + e.getMessage()
                + ")");
      }
    }
    if (out.isEmpty() && required && errors.stream().noneMatch(e -> e.startsWith(name + ":"))) {
      errors.add(
          name + ": \"" + value + "\" (expected: at least one CIDR, e.g. \"" + example + "\")");
    }
    return List.copyOf(out);
  }

  /** Labels written as {@code k=v,k2=v2}. */
  public Map<String, String> labels(String name, Map<String, String> defaultValue) {
    String value = raw(name);
    if (value == null) {
      return defaultValue;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0 || part.substring(eq + 1).isBlank()) {
        errors.add(
            name
                + ": \""
                + value
                + "\" (expected: labels as key=value, comma-separated, e.g. \"app=waypoint\")");
        return defaultValue;
      }
      out.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
    }
    return Map.copyOf(out);
  }

  /** A duration written as {@code 500ms}, {@code 15s}, {@code 5m}, {@code 1h} or ISO-8601. */
  public Duration duration(String name, Duration defaultValue) {
    String value = raw(name);
    if (value == null) {
      return defaultValue;
    }
    Duration parsed = parseDuration(value);
    if (parsed == null || parsed.isNegative() || parsed.isZero()) {
      errors.add(
          name + ": \"" + value + "\" (expected: a positive duration such as 15s, 500ms, 5m)");
      return defaultValue;
    }
    return parsed;
  }

  static Duration parseDuration(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("p")) {
        return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long amount = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(amount);
        case 'm' -> Duration.ofMinutes(amount);
        case 'h' -> Duration.ofHours(amount);
        default -> null;
      };
    } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
      return null;
    }
  }
}
