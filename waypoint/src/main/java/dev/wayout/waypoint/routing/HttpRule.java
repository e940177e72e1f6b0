package dev.wayout.waypoint.routing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code http} route of a VirtualService compiled for one host and port: its matches, and what
 * it does with a request it takes (route to weighted targets with header operations, rewrites,
 * timeout, retries, faults, mirrors, CORS; or redirect; or answer directly). Immutable; built with
 * the snapshot so the request path only compares and picks.
 *
 * @param names the access log's {@code route_name} per match: the route's name, with "." and the
 *     match's name when it has one (Istio's naming)
 */
public record HttpRule(
    String name,
    List<RequestMatch> matches,
    List<String> names,
    Target[] targets,
    int totalWeight,
    HeaderOps requestHeaders,
    HeaderOps responseHeaders,
    String authority,
    String prefixRewrite,
    Pattern regexRewrite,
    String regexReplacement,
    Duration timeout,
    RetryPolicy retries,
    Fault fault,
    List<Mirror> mirrors,
    Cors cors,
    Redirect redirect,
    int directStatus,
    byte[] directBody) {

  /** What the rule does. */
  public enum Kind {
    ROUTE,
    REDIRECT,
    DIRECT,
    /** A route Wayout cannot apply (a delegate, an unsupported redirect code): 404, as Istio. */
    NONE
  }

  public Kind kind() {
    if (redirect != null) {
      return redirect.supported() ? Kind.REDIRECT : Kind.NONE;
    }
    if (directStatus > 0) {
      return Kind.DIRECT;
    }
    return targets.length == 0 ? Kind.NONE : Kind.ROUTE;
  }

  /** A weighted draw among the targets (weight 0 never drawn when there are several). */
  public Target pick() {
    if (targets.length == 1) {
      return targets[0];
    }
    int n = ThreadLocalRandom.current().nextInt(totalWeight);
    for (Target t : targets) {
      n -= t.weight();
      if (n < 0) {
        return t;
      }
    }
    return targets[targets.length - 1];
  }

  /** The path sent upstream: rewritten by prefix or regex, else unchanged. */
  public String rewritePath(String path, int matchedPrefix) {
    if (prefixRewrite != null) {
      String rest = path.substring(Math.min(matchedPrefix, path.length()));
      // Envoy's prefix_rewrite: "/" + "" for an exact or whole-prefix match keeps a single slash
      return prefixRewrite + rest;
    }
    if (regexRewrite != null) {
      Matcher m = regexRewrite.matcher(path);
      return m.replaceAll(regexReplacement);
    }
    return null;
  }
}
