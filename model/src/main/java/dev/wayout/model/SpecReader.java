package dev.wayout.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed values out of a JSON tree at a field path, collecting every type mismatch as a {@link
 * FieldError} instead of throwing at the first. Absent or null fields read as null.
 */
final class SpecReader {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|us|µs|ns|m|s)");

  private final List<FieldError> errors;

  SpecReader(List<FieldError> errors) {
    this.errors = errors;
  }

  static SpecReader collecting() {
    return new SpecReader(new ArrayList<>());
  }

  List<FieldError> errors() {
    return errors;
  }

  /** Throws {@link InvalidResourceException} when any read failed. */
  void throwIfErrors() {
    if (!errors.isEmpty()) {
      throw new InvalidResourceException(errors);
    }
  }

  String string(JsonNode node, String field, String path) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isValueNode() || v.isBinary()) {
      wrongType(path, v, "a string");
      return null;
    }
    return v.asText();
  }

  Integer integer(JsonNode node, String field, String path) {
    return integerValue(node == null ? null : node.get(field), path);
  }

  /** An integer list item or field value; null when absent. */
  Integer integerValue(JsonNode v, String path) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      long l = v.asLong();
      if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
        return (int) l;
      }
      errors.add(FieldError.of(path, l + " is out of range", "use a smaller number"));
      return null;
    }
    if (v.isTextual() && v.asText().matches("-?\\d{1,9}")) {
      return Integer.parseInt(v.asText());
    }
    wrongType(path, v, "an integer");
    return null;
  }

  /** A number such as Istio's DoubleValue fields: 50, 1.5, or the same as a string. */
  Double decimal(JsonNode node, String field, String path) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    if (v.isTextual() && v.asText().matches("-?\\d{1,15}(\\.\\d{1,15})?")) {
      return Double.parseDouble(v.asText());
    }
    wrongType(path, v, "a number");
    return null;
  }

  Boolean bool(JsonNode node, String field, String path) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    wrongType(path, v, "true or false");
    return null;
  }

  /** An Istio duration such as "1s", "500ms", "1m30s". */
  Duration duration(JsonNode node, String field, String path) {
    String text = string(node, field, path);
    if (text == null) {
      return null;
    }
    Duration parsed = parseDuration(text);
    if (parsed == null) {
      errors.add(
          FieldError.of(
              path,
              "\"" + text + "\" is not a duration",
              "write it like \"1s\", \"500ms\" or \"1m30s\""));
    }
    return parsed;
  }

  static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    Duration total = Duration.ZERO;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        return null;
      }
      end = m.end();
      double amount = Double.parseDouble(m.group(1));
      long nanos =
          switch (m.group(2)) {
            case "h" -> (long) (amount * 3_600_000_000_000L);
            case "m" -> (long) (amount * 60_000_000_000L);
            case "s" -> (long) (amount * 1_000_000_000L);
            case "ms" -> (long) (amount * 1_000_000L);
            case "us", "µs" -> (long) (amount * 1_000L);
            default -> (long) amount;
          };
      total = total.plusNanos(nanos);
    }
    return end == 0 || end != text.trim().length() ? null : total;
  }

  List<String> strings(JsonNode node, String field, String path) {
    return list(node, field, path, (item, itemPath) -> asString(item, itemPath));
  }

  Map<String, String> stringMap(JsonNode node, String field, String path) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      wrongType(path, v, "a map of strings");
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    v.fields()
        .forEachRemaining(
            e -> {
              String s = asString(e.getValue(), path + "." + e.getKey());
              if (s != null) {
                out.put(e.getKey(), s);
              }
            });
    return out;
  }

  Map<String, Integer> intMap(JsonNode node, String field, String path) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      wrongType(path, v, "a map of port names to numbers");
      return null;
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    v.fields()
        .forEachRemaining(
            e -> {
              Integer i = integer(v, e.getKey(), path + "." + e.getKey());
              if (i != null) {
                out.put(e.getKey(), i);
              }
            });
    return out;
  }

  /** A list of objects or values; each item is read by {@code item} with its indexed path. */
  <T> List<T> list(
      JsonNode node, String field, String path, BiFunction<JsonNode, String, T> itemReader) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      wrongType(path, v, "a list");
      return null;
    }
    List<T> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      T item = itemReader.apply(v.get(i), path + "[" + i + "]");
      if (item != null) {
        out.add(item);
      }
    }
    return out;
  }

  /** The object at {@code field}, or null when absent; a non-object is an error. */
  JsonNode object(JsonNode node, String field, String path) {
    JsonNode v = node == null ? null : node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      wrongType(path, v, "an object");
      return null;
    }
    return v;
  }

  String asString(JsonNode item, String path) {
    if (item == null || item.isNull()) {
      return null;
    }
    if (!item.isValueNode()) {
      wrongType(path, item, "a string");
      return null;
    }
    return item.asText();
  }

  private void wrongType(String path, JsonNode v, String expected) {
    if (v.isObject() && v.size() == 1 && v.elements().next().isNull()) {
      // YAML reads an unquoted value ending in ':' (an IPv6 address "2001:db8::") as a map key
      String key = v.fieldNames().next();
      errors.add(
          FieldError.of(
              path,
              "the unquoted value " + key + ": was read by YAML as a map key",
              "quote it, e.g. \"" + key + ":\""));
      return;
    }
    String shown = v.isContainerNode() ? (v.isArray() ? "a list" : "an object") : v.toString();
    errors.add(FieldError.of(path, shown + " is not " + expected, "write " + expected + " here"));
  }
}
