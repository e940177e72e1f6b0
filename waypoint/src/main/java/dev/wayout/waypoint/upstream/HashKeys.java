package dev.wayout.waypoint.upstream;

import dev.wayout.waypoint.policy.ClusterPolicy;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The hash of a request for consistent hashing: of a header's value, a cookie's, the client's IP or
 * a query parameter's, as {@code consistentHash} names it. {@link #NO_HASH} when the request has
 * none (Envoy then picks an endpoint at random). Reads the request without copying it.
 */
final class HashKeys {

  static final long NO_HASH = 0;

  private HashKeys() {}

  static long hash(ClusterPolicy.Balancing b, HttpRequest request, SocketAddress client) {
    String value =
        switch (b.hashSource()) {
          case HEADER -> request == null ? null : request.headers().get(b.hashName());
          case COOKIE -> request == null ? null : cookie(request, b.hashName());
          case SOURCE_IP ->
              client instanceof InetSocketAddress a && a.getAddress() != null
                  ? a.getAddress().getHostAddress()
                  : null;
          case QUERY_PARAMETER -> request == null ? null : query(request.uri(), b.hashName());
          case NONE -> null;
        };
    return value == null ? NO_HASH : hash(value);
  }

  private static String cookie(HttpRequest request, String name) {
    for (String header : request.headers().getAll(HttpHeaderNames.COOKIE)) {
      int i = 0;
      while (i < header.length()) {
        int end = header.indexOf(';', i);
        if (end < 0) {
          end = header.length();
        }
        int eq = header.indexOf('=', i);
        if (eq > 0 && eq < end) {
          int start = i;
          while (start < eq && header.charAt(start) == ' ') {
            start++;
          }
          if (eq - start == name.length() && header.regionMatches(start, name, 0, name.length())) {
            return header.substring(eq + 1, end).trim();
          }
        }
        i = end + 1;
      }
    }
    return null;
  }

  private static String query(String uri, String name) {
    int q = uri.indexOf('?');
    while (q >= 0 && q < uri.length()) {
      int start = q + 1;
      int end = uri.indexOf('&', start);
      if (end < 0) {
        end = uri.indexOf('#', start) >= 0 ? uri.indexOf('#', start) : uri.length();
      }
      int eq = uri.indexOf('=', start);
      int keyEnd = eq >= 0 && eq < end ? eq : end;
      if (keyEnd - start == name.length() && uri.regionMatches(start, name, 0, name.length())) {
        return keyEnd == end ? "" : uri.substring(eq + 1, end);
      }
      q = end < uri.length() && uri.charAt(end) == '&' ? end : -1;
    }
    return null;
  }

  /** FNV-1a over the characters, finished with MurmurHash3's mix so that near keys spread. */
  static long hash(String value) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < value.length(); i++) {
      h ^= value.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h == NO_HASH ? 1 : h;
  }
}
