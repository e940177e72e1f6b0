package dev.wayout.waypoint.access;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Formats {@code 2025-08-20T08:06:06.502Z} quickly: the part up to the second is formatted once a
 * second per thread and reused, since a busy waypoint logs thousands of lines a second.
 */
final class Timestamps {

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private static final ThreadLocal<Object[]> LAST =
      ThreadLocal.withInitial(() -> new Object[] {-1L, ""});

  private Timestamps() {}

  static void appendIso(StringBuilder b, long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    Object[] last = LAST.get();
    if ((long) last[0] != second) {
      last[0] = second;
      last[1] = SECONDS.format(Instant.ofEpochSecond(second));
    }
    int millis = (int) Math.floorMod(epochMillis, 1000);
    b.append((String) last[1]).append('.');
    if (millis < 100) {
      b.append('0');
    }
    if (millis < 10) {
      b.append('0');
    }
    b.append(millis).append('Z');
  }
}
