package dev.wayout.waypoint.routing;

import dev.wayout.model.HttpRoute;

/**
 * A route's {@code redirect}, as Istio configures Envoy's redirect action: the Location keeps what
 * the redirect does not change (scheme, host, port, path and query of the request), and a port
 * equal to the scheme's default is left out.
 *
 * @param port 0 to keep the request's, -1 to drop it (derivePort FROM_PROTOCOL_DEFAULT)
 */
public record Redirect(
    String scheme, String authority, int port, String path, String prefixRewrite, int code) {

  static Redirect of(HttpRoute.Redirect r, int listenerPort) {
    int port = 0;
    if (r.derivePort() != null) {
      port = r.derivePort().equals("FROM_REQUEST_PORT") ? listenerPort : -1;
    } else if (r.port() != null) {
      port = r.port();
    }
    String scheme = empty(r.scheme()) ? null : r.scheme();
    if (r.port() != null || r.derivePort() != null) {
      String s = scheme == null ? "http" : scheme;
      if ((port == 80 && s.equals("http")) || (port == 443 && s.equals("https"))) {
        port = -1;
      }
    }
    int code = r.redirectCode() == null || r.redirectCode() == 0 ? 301 : r.redirectCode();
    return new Redirect(
        scheme,
        empty(r.authority()) ? null : r.authority(),
        port,
        empty(r.uri()) ? null : r.uri(),
        empty(r.prefixRewrite()) ? null : r.prefixRewrite(),
        code);
  }

  private static boolean empty(String s) {
    return s == null || s.isEmpty();
  }

  /** Whether Envoy makes this redirect (Istio drops a route with another code). */
  boolean supported() {
    return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
  }

  /**
   * The Location for a request to {@code authority} (host[:port]) with {@code path} and {@code
   * query}; {@code matched} is the length of the path prefix the route matched.
   */
  public String location(String authority, String path, String query, int matched) {
    String host = this.authority;
    String requestHost = authority;
    int requestPort = -1;
    int colon = authority.lastIndexOf(':');
    if (colon > 0 && authority.indexOf(']') < colon) {
      requestHost = authority.substring(0, colon);
      try {
        requestPort = Integer.parseInt(authority.substring(colon + 1));
      } catch (NumberFormatException e) {
        requestPort = -1;
      }
    }
    if (host == null) {
      host = requestHost;
    }
    String s = scheme == null ? "http" : scheme;
    int p = port == 0 ? (this.authority == null && scheme == null ? requestPort : -1) : port;
    if ((p == 80 && s.equals("http")) || (p == 443 && s.equals("https"))) {
      p = -1;
    }
    String newPath;
    String newQuery = query;
    if (this.path != null) {
      int q = this.path.indexOf('?');
      newPath = q < 0 ? this.path : this.path.substring(0, q);
      newQuery = q < 0 ? query : this.path.substring(q + 1);
    } else if (prefixRewrite != null) {
      newPath = prefixRewrite + path.substring(Math.min(matched, path.length()));
    } else {
      newPath = path;
    }
    StringBuilder out = new StringBuilder(s).append("://").append(host);
    if (p > 0) {
      out.append(':').append(p);
    }
    out.append(newPath);
    if (newQuery != null && !newQuery.isEmpty()) {
      out.append('?').append(newQuery);
    }
    return out.toString();
  }
}
