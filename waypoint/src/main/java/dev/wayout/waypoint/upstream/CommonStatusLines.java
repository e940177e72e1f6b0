package dev.wayout.waypoint.upstream;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The words of the status lines servers commonly send ({@code HTTP/1.1}, a three-digit code, its
 * standard reason) as shared strings, found by the exact bytes of the line. Netty's response
 * decoder copies each word into a new string; these are the same text without the copies. Anything
 * else is not found, and the decoder copies it as before.
 */
final class CommonStatusLines {

  private static final String HTTP_1_1 = "HTTP/1.1"; // the constant Netty's version parser expects
  private static final int FIRST_CODE = 100;
  private static final int LAST_CODE = 599;
  private static final String[] CODES = new String[LAST_CODE + 1];
  private static final String[] REASONS = new String[LAST_CODE + 1];

  static {
    for (int code = FIRST_CODE; code <= LAST_CODE; code++) {
      CODES[code] = Integer.toString(code);
      HttpResponseStatus status = HttpResponseStatus.valueOf(code);
      if (status == HttpResponseStatus.valueOf(code)) { // one of Netty's constants
        REASONS[code] = status.reasonPhrase();
      }
    }
  }

  private CommonStatusLines() {}

  /** {@code HTTP/1.1}, or null. */
  static String version(byte[] line, int start, int length) {
    return sameBytes(HTTP_1_1, line, start, length) ? HTTP_1_1 : null;
  }

  /** The status code of three digits, or -1. */
  static int code(byte[] line, int start, int length) {
    if (length != 3) {
      return -1;
    }
    int code = 0;
    for (int i = start; i < start + 3; i++) {
      int digit = line[i] - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      code = code * 10 + digit;
    }
    return code >= FIRST_CODE && code <= LAST_CODE ? code : -1;
  }

  /** The text of a code {@link #code} returned. */
  static String codeText(int code) {
    return CODES[code];
  }

  /** The standard reason for {@code code} when the line has exactly that, or null. */
  static String reason(int code, byte[] line, int start, int length) {
    String reason = code >= FIRST_CODE && code <= LAST_CODE ? REASONS[code] : null;
    return reason != null && sameBytes(reason, line, start, length) ? reason : null;
  }

  /** Byte by byte: the version and Netty's reasons are ASCII. */
  private static boolean sameBytes(String text, byte[] line, int start, int length) {
    if (text.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (line[start + i] != (byte) text.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
