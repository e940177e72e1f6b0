package dev.wayout.waypoint.http;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.policy.Route;
import dev.wayout.waypoint.routing.HttpRouter;
import dev.wayout.waypoint.upstream.UpstreamCluster;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * A request that the policy allowed, on its way to {@link UpstreamHandler}: the request (already
 * rewritten to origin-form), the route, the requested host and port, and the upstream cluster it
 * goes to (the route's whole-host cluster unless a route rule chose another destination); with a
 * VirtualService, its router (until {@link VirtualRouteHandler} decides) and then the plan it
 * decided on.
 *
 * @param router the VirtualService routes of the host, or null
 * @param plan what the VirtualService decided, or null for the default route
 */
record RoutedRequest(
    HttpRequest request,
    Route route,
    String host,
    int port,
    AccessLogEntry log,
    UpstreamCluster cluster,
    HttpRouter router,
    RoutePlan plan) {

  RoutedRequest(
      HttpRequest request, Route route, String host, int port, AccessLogEntry log, HttpRouter r) {
    this(request, route, host, port, log, route.cluster(), r, null);
  }

  RoutedRequest(HttpRequest request, Route route, String host, int port, AccessLogEntry log) {
    this(request, route, host, port, log, route.cluster(), null, null);
  }

  boolean isConnect() {
    return request.method().name().equals("CONNECT");
  }

  /** Safe to send twice (RFC 9110 9.2.2): the connect and closed-connection retries need it. */
  boolean isIdempotent() {
    HttpMethod m = request.method();
    return m == HttpMethod.GET
        || m == HttpMethod.HEAD
        || m == HttpMethod.OPTIONS
        || m == HttpMethod.PUT
        || m == HttpMethod.DELETE
        || m == HttpMethod.TRACE;
  }
}
