package dev.wayout.waypoint.http;

import dev.wayout.waypoint.routing.HttpRule;
import dev.wayout.waypoint.routing.Mirror;
import dev.wayout.waypoint.routing.Target;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;

/**
 * What {@link VirtualRouteHandler} decided for one request, for {@link Exchange} to carry out: the
 * rule and target, whether a fault delays or aborts it, which mirrors get a copy, the CORS origin
 * to answer, or a local answer (redirect, direct response, no route) instead of an upstream.
 */
final class RoutePlan {

  final HttpRule rule;
  final Target target;
  final long delayNanos;
  final List<Mirror> mirrors;

  /** The allowed Origin of an actual CORS request, echoed on the response; else null. */
  final String corsOrigin;

  /** A local answer: its status (0 when the request goes upstream), headers and body. */
  final HttpResponseStatus localStatus;

  final String location;
  final byte[] localBody;
  final String localFlag;
  final boolean corsPreflight;

  private RoutePlan(
      HttpRule rule,
      Target target,
      long delayNanos,
      List<Mirror> mirrors,
      String corsOrigin,
      HttpResponseStatus localStatus,
      String location,
      byte[] localBody,
      String localFlag,
      boolean corsPreflight) {
    this.rule = rule;
    this.target = target;
    this.delayNanos = delayNanos;
    this.mirrors = mirrors;
    this.corsOrigin = corsOrigin;
    this.localStatus = localStatus;
    this.location = location;
    this.localBody = localBody;
    this.localFlag = localFlag;
    this.corsPreflight = corsPreflight;
  }

  static RoutePlan upstream(
      HttpRule rule, Target target, long delayNanos, List<Mirror> mirrors, String corsOrigin) {
    return new RoutePlan(
        rule, target, delayNanos, mirrors, corsOrigin, null, null, null, null, false);
  }

  static RoutePlan local(
      HttpRule rule, HttpResponseStatus status, String location, byte[] body, String flag) {
    return new RoutePlan(rule, null, 0, List.of(), null, status, location, body, flag, false);
  }

  static RoutePlan preflight(HttpRule rule, String origin) {
    return new RoutePlan(
        rule, null, 0, List.of(), origin, HttpResponseStatus.OK, null, null, null, true);
  }

  boolean isLocal() {
    return localStatus != null;
  }
}
