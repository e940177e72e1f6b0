package dev.wayout.waypoint.http;

import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random version-4 UUIDs for {@code x-request-id}, from a thread-local generator: {@code
 * UUID.randomUUID()} draws on SecureRandom, a shared lock on every request of an event loop.
 */
final class RequestIds {

  /** Header names as constants: a String name is hashed anew on every lookup. */
  static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");

  static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private RequestIds() {}

  static String next() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long hi = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
    long lo = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
    byte[] c = new byte[36]; // Latin-1 bytes make a compact String with one copy
    int p = 0;
    for (int i = 15; i >= 0; i--) {
      c[p++] = HEX[(int) (hi >>> (i * 4)) & 0xf];
      if (p == 8 || p == 13 || p == 18) {
        c[p++] = (byte) '-';
      }
    }
    for (int i = 15; i >= 0; i--) {
      c[p++] = HEX[(int) (lo >>> (i * 4)) & 0xf];
      if (p == 23) {
        c[p++] = (byte) '-';
      }
    }
    return new String(c, StandardCharsets.ISO_8859_1);
  }

  /** The trace id of a W3C {@code traceparent} ("00-<32 hex>-<16 hex>-<2 hex>"), else null. */
  static String traceId(String traceparent) {
    if (traceparent == null || traceparent.length() < 55 || traceparent.charAt(2) != '-') {
      return null;
    }
    String id = traceparent.substring(3, 35);
    for (int i = 0; i < id.length(); i++) {
      if (Character.digit(id.charAt(i), 16) < 0) {
        return null;
      }
    }
    return id;
  }
}
