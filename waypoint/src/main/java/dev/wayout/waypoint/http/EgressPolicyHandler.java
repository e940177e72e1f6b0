package dev.wayout.waypoint.http;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.policy.EgressPolicy;
import dev.wayout.waypoint.policy.Listener;
import dev.wayout.waypoint.policy.Route;
import dev.wayout.waypoint.routing.HttpRouter;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Supplier;

/**
 * Decides each request against the current {@link EgressPolicy} snapshot: the target host and port
 * (absolute-form URI, CONNECT authority, or Host) must be registered by a ServiceEntry visible to
 * the client's namespace. An allowed request goes on as a {@link RoutedRequest} in origin-form with
 * an {@code x-request-id}; any other gets 403 naming the host and the fix, logged with {@code NR}.
 */
public final class EgressPolicyHandler extends ChannelInboundHandlerAdapter {

  private static final int MAX_DISCARDED_BODY = 64 * 1024;

  private final Supplier<EgressPolicy> policy;
  private final String waypointName;
  private boolean discarding;
  private int discarded;
  private int pendingSteps;

  public EgressPolicyHandler(Supplier<EgressPolicy> policy, String waypointName) {
    this.policy = policy;
    this.waypointName = waypointName;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.fireChannelActive();
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (discarding) {
      discard(ctx, msg);
      return;
    }
    if (!(msg instanceof HttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    AccessLogEntry entry = ctx.channel().attr(AccessLogHandler.ENTRY).get();
    RequestTarget target;
    try {
      target = RequestTarget.of(request);
    } catch (RequestTarget.Invalid e) {
      entry.flag("DPE");
      refuse(ctx, request, HttpResponseStatus.BAD_REQUEST, e.getMessage(), true);
      return;
    }
    boolean connect = request.method() == HttpMethod.CONNECT;
    // The request's source: the connection's client, or the original client a peer waypoint named.
    String sourceNamespace = entry.source.namespace();
    entry.authority = target.authority();
    if (!connect) {
      entry.path = target.path(); // origin-form, as Envoy logs :path
      String id = request.headers().get(RequestIds.X_REQUEST_ID);
      if (id == null || id.isEmpty()) {
        id = RequestIds.next();
        request.headers().set(RequestIds.X_REQUEST_ID, id);
      }
      entry.requestId = id;
    }
    EgressPolicy snapshot = policy.get();
    Route route =
        snapshot.route(
            target.host(),
            target.port(),
            connect ? Listener.TUNNEL : Listener.HTTP,
            sourceNamespace);
    if (route == null) {
      entry.flag("NR");
      refuse(
          ctx,
          request,
          HttpResponseStatus.FORBIDDEN,
          denial(target.host(), target.port(), sourceNamespace),
          connect);
      return;
    }
    entry.routeName = "default";
    entry.upstreamCluster = route.clusterName();
    entry.serviceEntry = route.serviceEntryName();
    entry.destinationHost = route.host();
    if (!connect) {
      if (!request.uri().startsWith("/")) {
        request.setUri(target.path());
        request.headers().set(HttpHeaderNames.HOST, target.authority());
      }
    }
    HttpRouter router = connect ? null : snapshot.virtualRoutes().http(route, sourceNamespace);
    ctx.fireChannelRead(
        new RoutedRequest(request, route, target.host(), target.port(), entry, router));
  }

  private String denial(String host, int port, String sourceNamespace) {
    String where = host + ":" + port;
    if (sourceNamespace != null) {
      return "egress to "
          + where
          + " is not allowed from namespace "
          + sourceNamespace
          + "; declare it in a ServiceEntry in "
          + sourceNamespace
          + " (or export one to it) in a namespace labelled istio.io/use-waypoint="
          + waypointName;
    }
    return "egress to "
        + where
        + " is not allowed; declare it in a ServiceEntry (hosts: ["
        + host
        + "], ports: [{number: "
        + port
        + "}]) in a namespace labelled istio.io/use-waypoint="
        + waypointName;
  }

  /** Answers the waypoint's own refusal, then discards the request's body before the next one. */
  private void refuse(
      ChannelHandlerContext ctx,
      HttpRequest request,
      HttpResponseStatus status,
      String body,
      boolean close) {
    boolean closing = close || !HttpUtil.isKeepAlive(request);
    boolean whole = request instanceof LastHttpContent; // no body follows
    ReferenceCountUtil.release(request);
    discarding = !whole;
    discarded = 0;
    pendingSteps = whole ? 1 : 2; // the refusal written, and the request's body discarded
    ctx.writeAndFlush(Responses.text(ctx.alloc(), status, body, closing))
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess() || closing) {
                    ctx.close();
                  } else {
                    step(ctx);
                  }
                });
    if (!whole) {
      ctx.read();
    }
  }

  private void discard(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpContent c) {
      discarded += c.content().readableBytes();
    }
    boolean last = msg instanceof LastHttpContent;
    ReferenceCountUtil.release(msg);
    if (discarded > MAX_DISCARDED_BODY) {
      ctx.close();
    } else if (last) {
      discarding = false;
      step(ctx);
    } else {
      ctx.read();
    }
  }

  private void step(ChannelHandlerContext ctx) {
    if (--pendingSteps == 0) {
      ctx.read();
    }
  }
}
