package dev.wayout.model;

import static dev.wayout.model.Findings.quote;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/** The value checks that the traffic-policy validators share: counts, percentages, durations. */
final class PolicyChecks {

  private static final Duration MILLISECOND = Duration.ofMillis(1);

  private PolicyChecks() {}

  static void nonNegative(Integer value, String path, Findings f) {
    if (value != null && value < 0) {
      f.error(path, value + " is negative", "use 0 or more");
    }
  }

  static void percent(Integer value, String path, Findings f) {
    if (value != null && (value < 0 || value > 100)) {
      f.error(path, value + " is not a percentage", "use a number from 0 to 100");
    }
  }

  static void percent(Double value, String path, Findings f) {
    if (value != null && (value < 0 || value > 100)) {
      f.error(path, show(value) + " is not a percentage", "use a number from 0 to 100");
    }
  }

  /** Istio's ValidateDuration: at least 1ms, in whole milliseconds. */
  static void duration(Duration value, String path, Findings f) {
    if (value == null) {
      return;
    }
    if (value.compareTo(MILLISECOND) < 0) {
      f.error(path, quote(format(value)) + " is shorter than 1ms", "use at least \"1ms\"");
    } else if (value.getNano() % 1_000_000 != 0) {
      Duration rounded = value.plusNanos(500_000).truncatedTo(ChronoUnit.MILLIS);
      f.error(
          path,
          quote(format(value)) + " is finer than a millisecond",
          "round to whole milliseconds, e.g. " + quote(format(rounded)));
    }
  }

  /** The CRD's rule for durations Istio's code does not check: at least 1ms. */
  static void atLeastOneMillisecond(Duration value, String path, Findings f) {
    if (value != null && value.compareTo(MILLISECOND) < 0) {
      f.error(path, quote(format(value)) + " is shorter than 1ms", "use at least \"1ms\"");
    }
  }

  static void required(Object value, String path, String fix, Findings f) {
    if (value == null) {
      f.error(path, "is missing", fix);
    }
  }

  /** A field Istio accepts and Wayout does not apply: admitted, with a warning saying so. */
  static void ignored(Object value, String path, String why, Findings f) {
    if (value != null) {
      f.warn(
          path, "is not applied by the Wayout waypoint: " + why, "remove it, or expect no effect");
    }
  }

  static boolean blank(String value) {
    return value == null || value.isEmpty();
  }

  static String show(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }

  /** Istio's notation ("1500us", "2ms", "90s"); never overflows, whatever the parser let in. */
  static String format(Duration d) {
    if (d.getNano() == 0) {
      return d.getSeconds() + "s";
    }
    if (d.isNegative() || d.getSeconds() > 1_000_000) {
      return d.toString();
    }
    long nanos = d.toNanos();
    if (nanos % 1_000_000 == 0) {
      return nanos / 1_000_000 + "ms";
    }
    if (nanos % 1_000 == 0) {
      return nanos / 1_000 + "us";
    }
    return nanos + "ns";
  }
}
