package dev.wayout.waypoint.routing;

import dev.wayout.waypoint.policy.Route;

/**
 * Where a weighted destination of a route goes: the ServiceEntry route (cluster) of its host and
 * port, the DestinationRule subset, the name dialled, and its own header operations.
 *
 * @param route null when no ServiceEntry bound to the waypoint registers the host and port: the
 *     request answers 503 with Envoy's flag {@code NC} (no cluster)
 * @param host the name asked of DNS and sent as Host: the destination host, or the requested name
 *     when the destination is the request's own (wildcard) ServiceEntry host
 * @param subset "" for the whole host
 * @param authority the authority rewrite of this destination's headers, or null
 */
public record Target(
    Route route,
    String host,
    String subset,
    int port,
    int weight,
    HeaderOps requestHeaders,
    HeaderOps responseHeaders,
    String authority,
    String description) {

  /** True when the destination is the requested host itself (its name is the client's). */
  public boolean sameHost() {
    return host == null;
  }
}
