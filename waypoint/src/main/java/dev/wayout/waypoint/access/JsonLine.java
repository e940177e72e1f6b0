package dev.wayout.waypoint.access;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * Builds one flat JSON object straight into UTF-8 bytes, in a buffer reused by its thread, and
 * hands that buffer to the access log, which copies the line into its own blocks: no allocation per
 * line. (A StringBuilder, its String and the String's bytes were three copies of every line and
 * about half of the waypoint's garbage.)
 */
final class JsonLine {

  private static final FastThreadLocal<JsonLine> CURRENT =
      new FastThreadLocal<>() {
        @Override
        protected JsonLine initialValue() {
          return new JsonLine();
        }
      };

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private byte[] buf = new byte[1024];
  private int len;
  private boolean first;

  /** The timestamp up to the second, formatted once a second per thread. */
  private long lastSecond = Long.MIN_VALUE;

  private String lastSecondText;

  private JsonLine() {}

  /** A field's name with its quotes and colon, encoded once rather than on every line. */
  static final class Field {
    private final byte[] prefix;

    private Field(String name) {
      prefix = ('"' + name + "\":").getBytes(StandardCharsets.US_ASCII);
    }

    static Field named(String name) {
      return new Field(name);
    }
  }

  /** This thread's builder, emptied and with the object opened. */
  static JsonLine start() {
    JsonLine j = CURRENT.get();
    j.len = 0;
    j.first = true;
    j.put('{');
    return j;
  }

  /** A string field; null is written as JSON null. */
  JsonLine string(Field field, String value) {
    name(field);
    if (value == null) {
      ascii("null");
    } else {
      put('"');
      escaped(value);
      put('"');
    }
    return this;
  }

  JsonLine number(Field field, long value) {
    name(field);
    digits(value);
    return this;
  }

  /** An ISO-8601 UTC time with milliseconds, as Envoy prints {@code start_time}. */
  JsonLine time(Field field, long epochMillis) {
    name(field);
    long second = Math.floorDiv(epochMillis, 1000);
    if (second != lastSecond) {
      lastSecond = second;
      lastSecondText = SECONDS.format(Instant.ofEpochSecond(second));
    }
    int millis = (int) Math.floorMod(epochMillis, 1000);
    put('"');
    ascii(lastSecondText);
    put('.');
    put((char) ('0' + millis / 100));
    put((char) ('0' + millis / 10 % 10));
    put((char) ('0' + millis % 10));
    ascii("Z\"");
    return this;
  }

  /** Closes the object and returns a copy of its bytes. */
  byte[] finish() {
    put('}');
    return Arrays.copyOf(buf, len);
  }

  /** Closes the object and hands the bytes to {@code log} without a copy of them of its own. */
  void finishInto(AccessLog log) {
    put('}');
    log.write(buf, len);
  }

  private void name(Field field) {
    byte[] prefix = field.prefix;
    ensure(prefix.length + 1);
    if (!first) {
      buf[len++] = ',';
    }
    first = false;
    System.arraycopy(prefix, 0, buf, len, prefix.length);
    len += prefix.length;
  }

  private void digits(long v) {
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        ascii(Long.toString(v));
        return;
      }
      put('-');
      v = -v;
    }
    int n = 1;
    for (long t = v; t >= 10; t /= 10) {
      n++;
    }
    ensure(n);
    for (int i = len + n - 1; i >= len; i--) {
      buf[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    len += n;
  }

  /** Text known to be plain ASCII with nothing to escape (names, digits, the timestamp). */
  private void ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) s.charAt(i);
    }
  }

  private void escaped(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        if (len == buf.length) {
          ensure(n - i);
        }
        buf[len++] = (byte) c;
      } else {
        special(s, i);
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        }
      }
    }
  }

  /** A character to escape, or one beyond ASCII to encode as UTF-8. */
  private void special(String s, int i) {
    char c = s.charAt(i);
    ensure(12);
    switch (c) {
      case '"' -> ascii("\\\"");
      case '\\' -> ascii("\\\\");
      case '\n' -> ascii("\\n");
      case '\r' -> ascii("\\r");
      case '\t' -> ascii("\\t");
      default -> {
        if (c < 0x20 || c == 0x7f) {
          ascii("\\u00");
          put((char) HEX[c >> 4]);
          put((char) HEX[c & 0xf]);
        } else if (c < 0x800) {
          buf[len++] = (byte) (0xc0 | c >> 6);
          buf[len++] = (byte) (0x80 | c & 0x3f);
        } else if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(i + 1));
          buf[len++] = (byte) (0xf0 | cp >> 18);
          buf[len++] = (byte) (0x80 | cp >> 12 & 0x3f);
          buf[len++] = (byte) (0x80 | cp >> 6 & 0x3f);
          buf[len++] = (byte) (0x80 | cp & 0x3f);
        } else if (Character.isSurrogate(c)) {
          put('?'); // a lone surrogate has no UTF-8 form
        } else {
          buf[len++] = (byte) (0xe0 | c >> 12);
          buf[len++] = (byte) (0x80 | c >> 6 & 0x3f);
          buf[len++] = (byte) (0x80 | c & 0x3f);
        }
      }
    }
  }

  private void put(char c) {
    ensure(1);
    buf[len++] = (byte) c;
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }
}
