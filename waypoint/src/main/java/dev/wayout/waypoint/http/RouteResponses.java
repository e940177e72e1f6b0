package dev.wayout.waypoint.http;

import dev.wayout.waypoint.routing.Cors;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What a VirtualService route does to responses: its (and its target's) response header operations,
 * the CORS headers for an allowed origin, and the waypoint's own answers for a redirect, a direct
 * response, an abort, a CORS preflight or no matching route.
 */
final class RouteResponses {

  private RouteResponses() {}

  /** Response headers of an upstream's answer (or a local one): target's, then the route's. */
  static void apply(RoutePlan plan, HttpHeaders headers) {
    if (plan.target != null) {
      plan.target.responseHeaders().apply(headers);
    }
    if (plan.rule != null) {
      plan.rule.responseHeaders().apply(headers);
      Cors cors = plan.rule.cors();
      if (cors != null && plan.corsOrigin != null) {
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, plan.corsOrigin);
        if (cors.allowCredentials) {
          headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        if (cors.exposeHeaders != null) {
          headers.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, cors.exposeHeaders);
        }
      }
    }
  }

  /** The waypoint's own answer for a plan that needs no upstream. */
  static FullHttpResponse local(ByteBufAllocator alloc, RoutePlan plan) {
    byte[] body = plan.localBody;
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            plan.localStatus,
            body == null || body.length == 0
                ? Unpooled.EMPTY_BUFFER
                : alloc.buffer(body.length).writeBytes(body));
    HttpHeaders h = r.headers();
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, body == null ? 0 : body.length);
    if (body != null && body.length > 0) {
      h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
    }
    if (plan.location != null) {
      h.set(HttpHeaderNames.LOCATION, plan.location);
    }
    if (plan.rule != null
        && plan.rule.fault() != null
        && plan.rule.fault().grpcStatus() != null
        && "FI".equals(plan.localFlag)) {
      h.set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
      h.set("grpc-status", plan.rule.fault().grpcStatus());
    }
    if (plan.corsPreflight) {
      Cors cors = plan.rule.cors();
      h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, plan.corsOrigin);
      if (cors.allowMethods != null) {
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, cors.allowMethods);
      }
      if (cors.allowHeaders != null) {
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, cors.allowHeaders);
      }
      if (cors.maxAge != null) {
        h.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, cors.maxAge);
      }
      if (cors.allowCredentials) {
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
      }
    } else if (plan.rule != null && plan.localFlag == null) {
      // a redirect or a direct response: the route's response headers apply to it too
      plan.rule.responseHeaders().apply(h);
    }
    return r;
  }
}
