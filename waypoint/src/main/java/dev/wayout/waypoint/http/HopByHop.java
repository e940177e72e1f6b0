package dev.wayout.waypoint.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Removes hop-by-hop headers (RFC 9110 section 7.6.1) before a message crosses the waypoint: those
 * named by Connection and the fixed list. Transfer-Encoding stays: it is re-framed by the codec on
 * the other side, which needs it to know the message is chunked.
 */
final class HopByHop {

  private static final List<AsciiString> FIXED =
      List.of(
          HttpHeaderNames.CONNECTION,
          HttpHeaderNames.KEEP_ALIVE,
          AsciiString.cached("proxy-connection"),
          HttpHeaderNames.PROXY_AUTHENTICATE,
          HttpHeaderNames.PROXY_AUTHORIZATION,
          HttpHeaderNames.TE,
          HttpHeaderNames.TRAILER,
          HttpHeaderNames.UPGRADE);

  private HopByHop() {}

  static void strip(HttpHeaders headers) {
    if (headers.contains(HttpHeaderNames.CONNECTION)) { // most requests have none: no list then
      List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
      for (int i = 0; i < connection.size(); i++) {
        removeListed(headers, connection.get(i));
      }
    }
    for (int i = 0; i < FIXED.size(); i++) {
      headers.remove(FIXED.get(i));
    }
  }

  /** Removes each header a Connection value lists ("close", "keep-alive, x-hop"). */
  private static void removeListed(HttpHeaders headers, String value) {
    int start = 0;
    while (start <= value.length()) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? value.length() : comma;
      String name = value.substring(start, end).trim(); // the whole value: no copy
      if (!name.isEmpty() && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
        headers.remove(name);
      }
      start = end + 1;
    }
  }
}
