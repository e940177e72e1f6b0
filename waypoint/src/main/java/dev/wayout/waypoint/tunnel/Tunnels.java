package dev.wayout.waypoint.tunnel;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.access.AccessLogWriter;
import dev.wayout.waypoint.policy.EgressPolicy;
import dev.wayout.waypoint.policy.Route;
import dev.wayout.waypoint.routing.ConnectionRule;
import dev.wayout.waypoint.routing.Target;
import dev.wayout.waypoint.routing.VirtualRoutes;
import dev.wayout.waypoint.upstream.ClusterEndpoint;
import dev.wayout.waypoint.upstream.UpstreamAddresses;
import dev.wayout.waypoint.upstream.UpstreamBootstrap;
import dev.wayout.waypoint.upstream.UpstreamCluster;
import dev.wayout.waypoint.upstream.UpstreamFailure;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Byte tunnels to registered hosts: CONNECT on 15001 and SNI passthrough on 15443. The upstream
 * address goes through the same resolution and address check as HTTP; the bytes are never looked
 * at. A tunnel is logged once, when both sides have closed. VirtualService {@code tls} and {@code
 * tcp} routes choose where a tunnel goes ({@link #route}); a destination no ServiceEntry of this
 * waypoint registers is never dialled.
 */
public final class Tunnels {

  private final UpstreamAddresses addresses;
  private final AccessLogWriter writer;
  private final Class<? extends SocketChannel> channelType;
  private final Supplier<EgressPolicy> policy;

  public Tunnels(
      UpstreamAddresses addresses,
      AccessLogWriter writer,
      Class<? extends SocketChannel> channelType,
      Supplier<EgressPolicy> policy) {
    this.addresses = addresses;
    this.writer = writer;
    this.channelType = channelType;
    this.policy = policy;
  }

  /**
   * Opens the tunnel for a connection to {@code route} that the VirtualServices' tls and tcp routes
   * send somewhere: the destination their first matching route draws (by weight), else the route's
   * own ServiceEntry host, as Istio's waypoint does. The access log's {@code route_name} and {@code
   * upstream_cluster} name what was chosen. A destination that no ServiceEntry bound to this
   * waypoint registers (or a subset no DestinationRule defines) fails with 503 {@code NC} and is
   * never dialled.
   *
   * @param host the name the client asked for (dialled when the route's own host is chosen)
   * @param sni the SNI the tls routes match (normalised), or null for plain TCP
   */
  Future<Channel> route(
      EventLoop loop,
      VirtualRoutes routes,
      Route route,
      String host,
      String sni,
      AccessLogEntry log) {
    ConnectionRule rule =
        routes.connection(route, log.source.namespace(), sni, route.port().number(), log.source);
    if (rule == null) {
      log.routeName = "default";
      return open(loop, route, host, log);
    }
    log.routeName = rule.name();
    Target target = rule.pick();
    UpstreamCluster cluster =
        target.route() == null ? null : target.route().cluster(target.subset());
    if (cluster == null) {
      log.tunnel = true;
      return loop.newFailedFuture(
          new UpstreamFailure(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              "NC",
              (target.route() == null
                      ? "no ServiceEntry bound to this waypoint registers the destination "
                      : "no DestinationRule defines the subset of the destination ")
                  + target.description()
                  + " of "
                  + rule.name()));
    }
    Route to = target.route();
    log.upstreamCluster = cluster.name();
    log.serviceEntry = to.serviceEntryName();
    log.destinationHost = to.host();
    String dialled = target.sameHost() ? host : target.host();
    if (target.subset().isEmpty()) {
      return open(loop, to, dialled, log);
    }
    // A subset's endpoints are the ServiceEntry endpoints its labels select, by its balancer.
    ClusterEndpoint endpoint = cluster.pick(null, null);
    if (endpoint == null) {
      log.tunnel = true;
      return loop.newFailedFuture(
          new UpstreamFailure(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              "UH",
              "no healthy endpoint in " + cluster.name() + " for " + dialled));
    }
    Promise<Channel> promise = loop.newPromise();
    log.tunnel = true;
    addresses
        .resolve(loop, endpoint, dialled)
        .addListener(
            f -> {
              if (f.isSuccess()) {
                @SuppressWarnings("unchecked")
                List<InetSocketAddress> targets = (List<InetSocketAddress>) f.getNow();
                dial(loop, to, targets, 0, promise);
              } else {
                promise.tryFailure(f.cause());
              }
            });
    return promise;
  }

  /** Connects a TCP upstream for the route; completes on the loop with the connected channel. */
  Future<Channel> open(EventLoop loop, Route route, String host, AccessLogEntry log) {
    Promise<Channel> promise = loop.newPromise();
    log.tunnel = true;
    addresses.resolveThen(
        loop, route, host, promise, targets -> dial(loop, route, targets, 0, promise));
    return promise;
  }

  private void dial(
      EventLoop loop,
      Route route,
      List<InetSocketAddress> targets,
      int attempt,
      Promise<Channel> promise) {
    InetSocketAddress target = targets.get(attempt % targets.size());
    UpstreamBootstrap.on(loop, channelType, route)
        .handler(new ChannelInboundHandlerAdapter())
        .connect(target)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    promise.trySuccess(f.channel());
                  } else if (attempt == 0) {
                    dial(loop, route, targets, 1, promise);
                  } else {
                    promise.tryFailure(UpstreamFailure.connectFailed(target, f.cause(), true));
                  }
                });
  }

  /**
   * Joins a client and a connected upstream: bytes flow both ways from now on, and the entry is
   * written when both sides are closed. {@code client} must have no handlers left that look at
   * bytes.
   */
  void join(Channel client, Channel upstream, AccessLogEntry log) {
    log.upstreamHost = AccessLogEntry.address(upstream.remoteAddress());
    log.upstreamLocal = AccessLogEntry.address(upstream.localAddress());
    writer.tunnelOpened(log);
    AtomicInteger open = new AtomicInteger(2);
    Runnable closed =
        () -> {
          if (open.decrementAndGet() == 0) {
            writer.write(log);
          }
        };
    ChannelPipeline up = upstream.pipeline();
    for (String name : up.names()) {
      if (up.context(name) != null) {
        up.remove(name);
      }
    }
    up.addLast(new RelayHandler(client, log, false, closed));
    client.pipeline().addLast(new RelayHandler(upstream, log, true, closed));
    if (!upstream.isActive()) {
      closed.run();
    }
    client.read();
    upstream.read();
  }

  /** Logs a tunnel that never opened. */
  void refused(AccessLogEntry log) {
    writer.write(log);
  }

  /**
   * CONNECT host:port on 15001: after the policy allowed it, dial the upstream, answer 200, and
   * turn the client connection into a byte tunnel (HTTP handlers removed).
   */
  public void connect(
      ChannelHandlerContext ctx, Route route, String host, int port, AccessLogEntry log) {
    Channel client = ctx.channel();
    // The snapshot the policy handler routed by, read again on the same event-loop turn; should a
    // reload land in between, the route is not in the new one's tables and takes the default.
    VirtualRoutes routes = policy.get().virtualRoutes();
    String sni = route.port().isTls() ? host : null;
    route(client.eventLoop(), routes, route, host, sni, log)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                refuseConnect(ctx, route, host, log, f.cause());
                return;
              }
              Channel upstream = (Channel) f.getNow();
              if (!client.isActive()) {
                upstream.close();
                return;
              }
              log.responseCode = 200;
              keepOnlyCodec(client, ctx.name());
              FullHttpResponse ok =
                  new DefaultFullHttpResponse(
                      HttpVersion.HTTP_1_1, new HttpResponseStatus(200, "Connection Established"));
              ctx.writeAndFlush(ok)
                  .addListener(
                      (ChannelFutureListener)
                          w -> {
                            if (!w.isSuccess()) {
                              upstream.close();
                              return;
                            }
                            ChannelPipeline p = client.pipeline();
                            p.remove(ctx.handler());
                            if (route.port().isTls()) {
                              p.addLast(
                                  new ConnectSniCheck(route, upstream, log, Tunnels.this, 10_000));
                            } else {
                              join(client, upstream, log);
                            }
                            // Last: bytes the client sent early, still in the codec, go on to
                            // the handler just added rather than being lost.
                            p.remove("codec");
                            client.read();
                          });
            });
  }

  private static void keepOnlyCodec(Channel client, String keep) {
    ChannelPipeline p = client.pipeline();
    for (String name : p.names()) {
      ChannelHandler h = p.get(name);
      if (h != null && !name.equals(keep) && !name.equals("codec")) {
        p.remove(name);
      }
    }
  }

  private void refuseConnect(
      ChannelHandlerContext ctx, Route route, String host, AccessLogEntry log, Throwable cause) {
    UpstreamFailure failure = UpstreamFailure.of(cause);
    for (String flag : failure.flag().split(",")) {
      log.flag(flag);
    }
    log.responseCode = failure.status().code();
    log.upstreamTransportFailureReason = failure.reason();
    String answer = UpstreamFailure.answer(failure.status(), host, route, failure.reason());
    byte[] body = (answer + "\n").getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, failure.status(), Unpooled.wrappedBuffer(body));
    r.headers()
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, "close");
    refused(log);
    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
  }
}
