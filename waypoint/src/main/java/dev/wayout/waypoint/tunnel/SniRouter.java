package dev.wayout.waypoint.tunnel;

import dev.wayout.model.SourceIdentity;
import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.policy.EgressPolicy;
import dev.wayout.waypoint.policy.HostNames;
import dev.wayout.waypoint.policy.Listener;
import dev.wayout.waypoint.policy.Route;
import dev.wayout.waypoint.upstream.UpstreamFailure;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Captured TLS on 15443: reads the SNI from the client's ClientHello without terminating TLS,
 * routes it like a Host (port 443), dials the upstream while reads are held, then hands the bytes,
 * ClientHello first, to a relay. An unregistered or missing SNI gets an {@code unrecognized_name}
 * alert and a closed connection, logged with {@code NR}. VirtualService tls and tcp routes of the
 * SNI's host choose the destination ({@link Tunnels#route}).
 */
public final class SniRouter extends AbstractSniHandler<Channel> {

  /** TLS 1.x record: alert, fatal (2), unrecognized_name (112). */
  private static final byte[] UNRECOGNIZED_NAME = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x70};

  private final Supplier<EgressPolicy> policy;
  private final Tunnels tunnels;
  private final AccessLogEntry log;
  private final SourceIdentity source;
  private final int port;

  public SniRouter(
      Supplier<EgressPolicy> policy,
      Tunnels tunnels,
      AccessLogEntry log,
      SourceIdentity source,
      int port,
      long timeoutMillis) {
    super(timeoutMillis);
    this.policy = policy;
    this.tunnels = tunnels;
    this.log = log;
    this.source = source;
    this.port = port;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    log.downstreamLocal = AccessLogEntry.address(ctx.channel().localAddress());
    log.downstreamRemote = AccessLogEntry.address(ctx.channel().remoteAddress());
    log.source = source;
    super.channelActive(ctx);
    ctx.read();
  }

  @Override
  protected Future<Channel> lookup(ChannelHandlerContext ctx, String hostname) {
    log.tunnel = true;
    log.requestedServerName = hostname;
    if (hostname == null) {
      return ctx.executor()
          .newFailedFuture(
              new UpstreamFailure(
                  HttpResponseStatus.FORBIDDEN, "NR", "the ClientHello carries no SNI"));
    }
    String host = HostNames.normalize(hostname);
    EgressPolicy snapshot = policy.get();
    Route route = snapshot.route(host, port, Listener.TUNNEL, source.namespace());
    if (route == null) {
      return ctx.executor()
          .newFailedFuture(
              new UpstreamFailure(
                  HttpResponseStatus.FORBIDDEN,
                  "NR",
                  "egress to " + host + ":" + port + " is not registered"));
    }
    log.routeName = "default";
    log.upstreamCluster = route.clusterName();
    log.serviceEntry = route.serviceEntryName();
    log.destinationHost = route.host();
    return tunnels.route(
        ctx.channel().eventLoop(), snapshot.virtualRoutes(), route, host, host, log);
  }

  @Override
  protected void onLookupComplete(
      ChannelHandlerContext ctx, String hostname, Future<Channel> future) {
    if (!future.isSuccess()) {
      Throwable cause = future.cause();
      if (cause instanceof UpstreamFailure u) {
        for (String flag : u.flag().split(",")) {
          log.flag(flag);
        }
      } else {
        log.flag("UF");
      }
      log.upstreamTransportFailureReason = cause.getMessage();
      tunnels.refused(log);
      ctx.writeAndFlush(Unpooled.wrappedBuffer(UNRECOGNIZED_NAME))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    Channel upstream = future.getNow();
    if (!ctx.channel().isActive()) {
      upstream.close();
      return;
    }
    // Removing this handler passes the buffered ClientHello on to the relay added after it.
    tunnels.join(ctx.channel(), upstream, log);
    ctx.pipeline().remove(this);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
