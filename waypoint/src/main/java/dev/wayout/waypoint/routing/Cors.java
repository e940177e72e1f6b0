package dev.wayout.waypoint.routing;

import dev.wayout.model.HttpRoute;
import dev.wayout.model.StringMatch;
import java.util.ArrayList;
import java.util.List;

/**
 * A route's {@code corsPolicy}, as Envoy's CORS filter applies it: a preflight (OPTIONS with Origin
 * and Access-Control-Request-Method) from an allowed origin is answered by the waypoint; one from
 * another origin is forwarded, or answered without CORS headers when {@code unmatchedPreflights:
 * IGNORE}; an actual request from an allowed origin gets the Access-Control-Allow-Origin (and
 * -Credentials, -Expose-Headers) headers on its response.
 */
public final class Cors {

  private final StringMatcher[] origins;
  public final String allowMethods;
  public final String allowHeaders;
  public final String exposeHeaders;
  public final String maxAge;
  public final boolean allowCredentials;
  public final boolean forwardUnmatchedPreflights;

  private Cors(HttpRoute.Cors c) {
    List<StringMatcher> o = new ArrayList<>();
    if (c.allowOrigins() != null) {
      for (StringMatch sm : c.allowOrigins()) {
        o.add(StringMatcher.of(sm, false));
      }
    } else if (c.allowOrigin() != null) {
      for (String exact : c.allowOrigin()) {
        o.add(StringMatcher.of(StringMatch.exact(exact), false));
      }
    }
    this.origins = o.toArray(new StringMatcher[0]);
    this.allowMethods = join(c.allowMethods());
    this.allowHeaders = join(c.allowHeaders());
    this.exposeHeaders = join(c.exposeHeaders());
    this.maxAge = c.maxAge() == null ? null : String.valueOf(c.maxAge().getSeconds());
    this.allowCredentials = c.allowCredentials() != null && c.allowCredentials();
    this.forwardUnmatchedPreflights = !"IGNORE".equals(c.unmatchedPreflights());
  }

  static Cors of(HttpRoute.Cors c) {
    return c == null ? null : new Cors(c);
  }

  private static String join(List<String> values) {
    return values.isEmpty() ? null : String.join(",", values);
  }

  /** Whether the Origin is allowed ("*" in an exact match allows any). */
  public boolean allows(String origin) {
    if (origin == null) {
      return false;
    }
    for (StringMatcher m : origins) {
      if (m.matches(origin) || m.matches("*")) {
        return true;
      }
    }
    return false;
  }
}
