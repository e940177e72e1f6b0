package dev.wayout.waypoint.tunnel;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.policy.HostNames;
import dev.wayout.waypoint.policy.Route;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.util.concurrent.Future;

/**
 * After {@code CONNECT host:443} is answered, checks the first ClientHello in the tunnel: its SNI
 * must be a name the same ServiceEntry host covers, so that a registered CONNECT cannot carry TLS
 * for another site (domain fronting). A ClientHello without SNI is let through: the upstream is
 * already the registered one.
 */
final class ConnectSniCheck extends AbstractSniHandler<Boolean> {

  private final Route route;
  private final Channel upstream;
  private final AccessLogEntry log;
  private final Tunnels tunnels;

  ConnectSniCheck(
      Route route, Channel upstream, AccessLogEntry log, Tunnels tunnels, long timeoutMillis) {
    super(timeoutMillis);
    this.route = route;
    this.upstream = upstream;
    this.log = log;
    this.tunnels = tunnels;
  }

  @Override
  protected Future<Boolean> lookup(ChannelHandlerContext ctx, String hostname) {
    log.requestedServerName = hostname;
    boolean ok = hostname == null || HostNames.matches(route.host(), HostNames.normalize(hostname));
    return ctx.executor().newSucceededFuture(ok);
  }

  @Override
  protected void onLookupComplete(
      ChannelHandlerContext ctx, String hostname, Future<Boolean> future) {
    if (!Boolean.TRUE.equals(future.getNow())) {
      log.flag("NR");
      log.upstreamTransportFailureReason =
          "TLS in the tunnel is for \""
              + hostname
              + "\", not "
              + route.host()
              + " (domain fronting)";
      tunnels.refused(log);
      upstream.close();
      ctx.close();
      return;
    }
    tunnels.join(ctx.channel(), upstream, log);
    ctx.pipeline().remove(this);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    upstream.close();
    ctx.close();
  }
}
