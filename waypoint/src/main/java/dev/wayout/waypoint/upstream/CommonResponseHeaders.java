package dev.wayout.waypoint.upstream;

import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header names most HTTP servers send in responses, each as one shared, immutable {@link
 * AsciiString}, looked up by the exact bytes of a header line (so a name keeps the case the server
 * sent: "Content-Length" and "content-length" are two entries, anything else is not found).
 */
final class CommonResponseHeaders {

  private static final String[] NAMES = {
    "Accept-Ranges",
    "Access-Control-Allow-Origin",
    "Age",
    "Alt-Svc",
    "Cache-Control",
    "Connection",
    "Content-Encoding",
    "Content-Length",
    "Content-Security-Policy",
    "Content-Type",
    "Date",
    "ETag",
    "Expires",
    "Keep-Alive",
    "Last-Modified",
    "Location",
    "Server",
    "Set-Cookie",
    "Strict-Transport-Security",
    "Transfer-Encoding",
    "Vary",
    "Via",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "X-Request-Id",
  };

  /** Candidates by name length; a handful at most per length. */
  private static final AsciiString[][] BY_LENGTH = byLength();

  private CommonResponseHeaders() {}

  /** The shared name equal to {@code line[start, start + length)}, or null. */
  static AsciiString find(byte[] line, int start, int length) {
    if (length >= BY_LENGTH.length) {
      return null;
    }
    for (AsciiString candidate : BY_LENGTH[length]) {
      if (sameBytes(candidate, line, start)) {
        return candidate;
      }
    }
    return null;
  }

  private static boolean sameBytes(AsciiString name, byte[] line, int start) {
    byte[] bytes = name.array();
    int offset = name.arrayOffset();
    for (int i = 0; i < name.length(); i++) {
      if (bytes[offset + i] != line[start + i]) {
        return false;
      }
    }
    return true;
  }

  private static AsciiString[][] byLength() {
    int longest = 0;
    for (String n : NAMES) {
      longest = Math.max(longest, n.length());
    }
    List<List<AsciiString>> lists = new ArrayList<>();
    for (int i = 0; i <= longest; i++) {
      lists.add(new ArrayList<>());
    }
    for (String n : NAMES) {
      lists.get(n.length()).add(AsciiString.cached(n));
      lists.get(n.length()).add(AsciiString.cached(n.toLowerCase(Locale.ROOT)));
    }
    AsciiString[][] table = new AsciiString[longest + 1][];
    for (int i = 0; i <= longest; i++) {
      table[i] = lists.get(i).toArray(new AsciiString[0]);
    }
    return table;
  }
}
