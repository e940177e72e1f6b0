package dev.wayout.waypoint.upstream;

import dev.wayout.model.ConnectionPool;
import dev.wayout.waypoint.policy.Route;
import dev.wayout.waypoint.policy.UpstreamLimits;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringSocketChannel;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;

/** How every upstream connection is opened, pooled (HTTP) or not (tunnels). */
public final class UpstreamBootstrap {

  private UpstreamBootstrap() {}

  /**
   * A connect on the caller's loop, so nothing crosses threads; AUTO_READ off (the relays ask for
   * reads); no Nagle delay; the DestinationRule's connect timeout. The caller adds the handler.
   */
  public static Bootstrap on(EventLoop loop, Class<? extends SocketChannel> type, Route route) {
    return on(loop, type, route.limits());
  }

  /** As {@link #on(EventLoop, Class, Route)}, with TCP keepalive when the limits ask for it. */
  public static Bootstrap on(
      EventLoop loop, Class<? extends SocketChannel> type, UpstreamLimits limits) {
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(type)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, limits.connectTimeoutMillis());
    if (limits.keepalive() != null) {
      keepalive(b, type, limits.keepalive());
    }
    return b;
  }

  /**
   * {@code tcpKeepalive}: SO_KEEPALIVE, and the probe count, idle time and interval when given
   * (whole seconds, as the kernel takes them; otherwise the system's defaults, as in Envoy).
   */
  private static void keepalive(
      Bootstrap b, Class<? extends SocketChannel> type, ConnectionPool.TcpKeepalive ka) {
    b.option(ChannelOption.SO_KEEPALIVE, true);
    Integer probes = ka.probes() != null && ka.probes() > 0 ? ka.probes() : null;
    Integer idle = seconds(ka.time());
    Integer interval = seconds(ka.interval());
    if (IoUringSocketChannel.class.isAssignableFrom(type)) {
      set(b, IoUringChannelOption.TCP_KEEPCNT, probes);
      set(b, IoUringChannelOption.TCP_KEEPIDLE, idle);
      set(b, IoUringChannelOption.TCP_KEEPINTVL, interval);
    } else if (EpollSocketChannel.class.isAssignableFrom(type)) {
      set(b, EpollChannelOption.TCP_KEEPCNT, probes);
      set(b, EpollChannelOption.TCP_KEEPIDLE, idle);
      set(b, EpollChannelOption.TCP_KEEPINTVL, interval);
    } else {
      set(b, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT), probes);
      set(b, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE), idle);
      set(b, NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL), interval);
    }
  }

  private static Integer seconds(Duration d) {
    return d == null ? null : (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toSeconds()));
  }

  private static void set(Bootstrap b, ChannelOption<Integer> option, Integer value) {
    if (value != null) {
      b.option(option, value);
    }
  }
}
