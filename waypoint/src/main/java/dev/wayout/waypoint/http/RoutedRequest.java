package dev.wayout.waypoint.http;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.policy.Route;
import io.netty.handler.codec.http.HttpRequest;

/**
 * A request that the policy allowed, on its way to {@link UpstreamHandler}: the request (already
 * rewritten to origin-form), the route, and the requested host and port.
 */
record RoutedRequest(HttpRequest request, Route route, String host, int port, AccessLogEntry log) {

  boolean isConnect() {
    return request.method().name().equals("CONNECT");
  }
}
