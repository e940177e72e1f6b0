package dev.wayout.waypoint.http;

import dev.wayout.waypoint.policy.HostNames;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Where a request wants to go: from the absolute-form URI ({@code curl -x}), from CONNECT's
 * authority, or from Host for origin-form (captured traffic, whose port is 80 unless Host says
 * otherwise). Only plain host names and IP literals are accepted: no user info, no odd characters.
 *
 * @param path the origin-form target sent upstream ("/" for CONNECT)
 */
record RequestTarget(String host, int port, String path, String authority) {

  /** A request that cannot be routed, with what is wrong for the 400 body. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message, null, false, false);
    }
  }

  static RequestTarget of(HttpRequest request) throws Invalid {
    String uri = request.uri();
    if (request.method() == HttpMethod.CONNECT) {
      RequestTarget t = authority(uri, -1);
      if (t.port < 0) {
        throw new Invalid("CONNECT needs host:port, got \"" + uri + "\"");
      }
      return t;
    }
    if (uri.startsWith("/")) {
      var hosts = request.headers().getAll(HttpHeaderNames.HOST);
      if (hosts.size() != 1) {
        throw new Invalid(
            hosts.isEmpty()
                ? "the request has no Host header"
                : "the request has several Host headers");
      }
      RequestTarget t = authority(hosts.get(0), 80);
      return new RequestTarget(t.host, t.port, uri, t.authority);
    }
    int schemeEnd = uri.indexOf("://");
    if (schemeEnd < 0) {
      throw new Invalid(
          "the request target \"" + abbreviate(uri) + "\" is neither /path nor http://host/path");
    }
    String scheme = uri.substring(0, schemeEnd);
    if (!scheme.equalsIgnoreCase("http")) {
      throw new Invalid(
          "scheme \""
              + abbreviate(scheme)
              + "\" is not proxied; send http:// requests, or CONNECT for https");
    }
    int start = schemeEnd + 3;
    int end = start;
    while (end < uri.length()
        && uri.charAt(end) != '/'
        && uri.charAt(end) != '?'
        && uri.charAt(end) != '#') {
      end++;
    }
    RequestTarget t = authority(uri.substring(start, end), 80);
    String path = end == uri.length() ? "/" : uri.substring(end);
    if (path.startsWith("?")) {
      path = "/" + path;
    }
    return new RequestTarget(t.host, t.port, path, t.authority);
  }

  /** Parses {@code host}, {@code host:port} or {@code [v6]:port}. */
  private static RequestTarget authority(String text, int defaultPort) throws Invalid {
    String host;
    int port = defaultPort;
    String portText = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new Invalid("bad authority \"" + abbreviate(text) + "\"");
      }
      host = text.substring(1, close);
      if (close + 1 < text.length()) {
        if (text.charAt(close + 1) != ':') {
          throw new Invalid("bad authority \"" + abbreviate(text) + "\"");
        }
        portText = text.substring(close + 2);
      }
      if (!host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
        throw new Invalid("bad IPv6 address in \"" + abbreviate(text) + "\"");
      }
    } else {
      int colon = text.lastIndexOf(':');
      host = colon < 0 ? text : text.substring(0, colon);
      portText = colon < 0 ? null : text.substring(colon + 1);
      if (host.isEmpty() || !validName(host)) {
        throw new Invalid(
            "bad host \"" + abbreviate(text) + "\"; expected a DNS name such as api.example.com");
      }
    }
    if (portText != null) {
      port = parsePort(portText, text);
    }
    String normalized = HostNames.normalize(host);
    return new RequestTarget(normalized, port, "/", text);
  }

  private static boolean validName(String host) {
    if (host.length() > 253) {
      return false;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '.'
              || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static int parsePort(String text, String whole) throws Invalid {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
      throw new Invalid("bad port in \"" + abbreviate(whole) + "\"");
    }
    int port = Integer.parseInt(text);
    if (port < 1 || port > 65535) {
      throw new Invalid("bad port in \"" + abbreviate(whole) + "\"");
    }
    return port;
  }

  private static String abbreviate(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }
}
