package dev.wayout.waypoint.upstream;

import dev.wayout.waypoint.policy.Route;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;

/** How every upstream connection is opened, pooled (HTTP) or not (tunnels). */
public final class UpstreamBootstrap {

  private UpstreamBootstrap() {}

  /**
   * A connect on the caller's loop, so nothing crosses threads; AUTO_READ off (the relays ask for
   * reads); no Nagle delay; the DestinationRule's connect timeout. The caller adds the handler.
   */
  public static Bootstrap on(EventLoop loop, Class<? extends SocketChannel> type, Route route) {
    return new Bootstrap()
        .group(loop)
        .channel(type)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, route.limits().connectTimeoutMillis());
  }
}
