package dev.wayout.waypoint.http;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.routing.Cors;
import dev.wayout.waypoint.routing.Fault;
import dev.wayout.waypoint.routing.HttpRequestView;
import dev.wayout.waypoint.routing.HttpRouter;
import dev.wayout.waypoint.routing.HttpRule;
import dev.wayout.waypoint.routing.Mirror;
import dev.wayout.waypoint.routing.Target;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies a VirtualService to each request whose host it routes: asks the host's {@link HttpRouter}
 * for the rule (a pure decision over the request's method, path, headers and source), then carries
 * out what the rule says about the request itself: header operations, path and authority rewrites,
 * the weighted target, fault and mirror draws. What happens upstream (timeout, retries, mirrors,
 * response headers) or instead of it (redirect, direct response, abort) travels as a {@link
 * RoutePlan} to {@link Exchange}. Requests without a VirtualService pass untouched.
 */
final class VirtualRouteHandler extends ChannelInboundHandlerAdapter implements HttpRequestView {

  private static final byte[] NO_ROUTE =
      "no VirtualService route matched the request\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ABORTED = "fault filter abort".getBytes(StandardCharsets.US_ASCII);

  // The request being decided, as the router reads it (one per connection, no copy).
  private HttpRequest request;
  private String path;
  private String query;
  private String authority;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof RoutedRequest r) || r.router() == null || r.isConnect()) {
      ctx.fireChannelRead(msg);
      return;
    }
    request = r.request();
    String uri = request.uri();
    int q = uri.indexOf('?');
    path = q < 0 ? uri : uri.substring(0, q);
    query = q < 0 ? null : uri.substring(q + 1);
    authority = r.log().authority;
    try {
      ctx.fireChannelRead(decide(r));
    } finally {
      request = null;
    }
  }

  private RoutedRequest decide(RoutedRequest r) {
    AccessLogEntry log = r.log();
    HttpRouter.Selected selected = r.router().select(this, r.port(), log.source);
    if (selected == null) {
      log.routeName = null;
      return with(r, RoutePlan.local(null, HttpResponseStatus.NOT_FOUND, null, NO_ROUTE, "NR"));
    }
    HttpRule rule = selected.rule();
    log.routeName = selected.routeName();
    switch (rule.kind()) {
      case NONE -> {
        return with(r, RoutePlan.local(rule, HttpResponseStatus.NOT_FOUND, null, NO_ROUTE, "NR"));
      }
      case DIRECT -> {
        return with(
            r,
            RoutePlan.local(
                rule,
                HttpResponseStatus.valueOf(rule.directStatus()),
                null,
                rule.directBody(),
                null));
      }
      case REDIRECT -> {
        String location =
            rule.redirect().location(authority, path, query, selected.matchedPrefix(path));
        return with(
            r,
            RoutePlan.local(
                rule, HttpResponseStatus.valueOf(rule.redirect().code()), location, null, null));
      }
      default -> {
        return route(r, rule, selected);
      }
    }
  }

  private RoutedRequest route(RoutedRequest r, HttpRule rule, HttpRouter.Selected selected) {
    AccessLogEntry log = r.log();
    String corsOrigin = null;
    Cors cors = rule.cors();
    if (cors != null) {
      String origin = request.headers().get(HttpHeaderNames.ORIGIN);
      boolean allowed = cors.allows(origin);
      if (origin != null
          && request.method() == HttpMethod.OPTIONS
          && request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD)) {
        if (allowed) {
          return with(r, RoutePlan.preflight(rule, origin));
        }
        if (!cors.forwardUnmatchedPreflights) {
          return with(r, RoutePlan.local(rule, HttpResponseStatus.OK, null, null, null));
        }
      } else if (allowed) {
        corsOrigin = origin;
      }
    }
    Fault fault = rule.fault();
    long delay = 0;
    if (fault != null) {
      if (fault.aborts()) {
        return with(
            r,
            RoutePlan.local(
                rule, HttpResponseStatus.valueOf(fault.abortStatus()), null, ABORTED, "FI"));
      }
      if (fault.delays()) {
        delay = fault.delayNanos();
        log.flag("DI");
      }
    }
    Target target = rule.pick();
    if (target.route() == null) {
      log.flag("NC");
      return with(
          r,
          RoutePlan.local(
              rule,
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              null,
              ("no ServiceEntry bound to this waypoint registers the route's destination "
                      + target.description()
                      + "\n")
                  .getBytes(StandardCharsets.UTF_8),
              null));
    }
    target.requestHeaders().apply(request.headers());
    rule.requestHeaders().apply(request.headers());
    String newAuthority = rule.authority() != null ? rule.authority() : target.authority();
    if (newAuthority != null) {
      request.headers().set(HttpHeaderNames.HOST, newAuthority);
    }
    String rewritten = rule.rewritePath(path, selected.matchedPrefix(path));
    if (rewritten != null) {
      request.setUri(query == null ? rewritten : rewritten + "?" + query);
    }
    List<Mirror> mirrors = List.of();
    for (Mirror m : rule.mirrors()) {
      if (m.target().route() != null && drawn(m.perMillion())) {
        if (mirrors.isEmpty()) {
          mirrors = new ArrayList<>(rule.mirrors().size());
        }
        mirrors.add(m);
      }
    }
    log.upstreamCluster =
        target.subset().isEmpty()
            ? target.route().clusterName()
            : "outbound|"
                + target.route().port().number()
                + "|"
                + target.subset()
                + "|"
                + target.route().host();
    log.serviceEntry = target.route().serviceEntryName();
    log.destinationHost = target.route().host();
    String host = target.sameHost() ? r.host() : target.host();
    return new RoutedRequest(
        request,
        target.route(),
        host,
        r.port(),
        log,
        target.route().cluster(target.subset()),
        null,
        RoutePlan.upstream(rule, target, delay, mirrors, corsOrigin));
  }

  private static boolean drawn(int perMillion) {
    return perMillion >= 1_000_000
        || java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000) < perMillion;
  }

  private static RoutedRequest with(RoutedRequest r, RoutePlan plan) {
    if (plan.localFlag != null) {
      r.log().flag(plan.localFlag);
    }
    return new RoutedRequest(
        r.request(), r.route(), r.host(), r.port(), r.log(), r.cluster(), null, plan);
  }

  @Override
  public String method() {
    return request.method().name();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String query() {
    return query;
  }

  @Override
  public String authority() {
    return authority;
  }

  @Override
  public String header(CharSequence name) {
    return request.headers().get(name);
  }
}
