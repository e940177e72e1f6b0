package dev.wayout.waypoint;

import dev.wayout.model.SourceIdentity;
import dev.wayout.waypoint.access.AccessLog;
import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.access.AccessLogWriter;
import dev.wayout.waypoint.admin.AdminHandler;
import dev.wayout.waypoint.admin.WaypointMetrics;
import dev.wayout.waypoint.http.ClientTimeoutHandler;
import dev.wayout.waypoint.http.HttpListenerInitializer;
import dev.wayout.waypoint.policy.EgressPolicy;
import dev.wayout.waypoint.trace.Tracing;
import dev.wayout.waypoint.tunnel.SniRouter;
import dev.wayout.waypoint.tunnel.Tunnels;
import dev.wayout.waypoint.upstream.AddressGuard;
import dev.wayout.waypoint.upstream.UpstreamAddresses;
import dev.wayout.waypoint.upstream.UpstreamResolver;
import dev.wayout.waypoint.upstream.Upstreams;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The waypoint process: listeners on 15001 (HTTP, CONNECT), 15443 (TLS by SNI), 15020 (metrics) and
 * 15021 (readiness), the current {@link EgressPolicy} snapshot, and the shutdown that stops
 * accepting, lets requests in flight finish up to the drain deadline, then closes the rest.
 */
public final class Waypoint implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Waypoint.class);

  private final WaypointConfig config;
  private final AtomicReference<EgressPolicy> policy = new AtomicReference<>();
  private final WaypointMetrics metrics = new WaypointMetrics();
  private final Transport transport;
  private final EventLoopGroup workers;
  private final EventLoopGroup admin;
  private final ChannelGroup listeners = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  /** 15020 and 15021 stay open while draining, so that readiness can say so. */
  private final ChannelGroup adminListeners = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final UpstreamResolver resolver;
  private final AccessLogWriter accessLog;

  /** Null when tracing is off. */
  private final Tracing tracing;

  private final AtomicInteger connections = new AtomicInteger();
  private volatile Function<InetAddress, SourceIdentity> sourceIdentities =
      a -> SourceIdentity.UNKNOWN;
  private volatile boolean draining;
  private InetSocketAddress httpAddress;
  private InetSocketAddress tlsAddress;
  private InetSocketAddress metricsAddress;
  private InetSocketAddress healthAddress;

  public Waypoint(WaypointConfig config, AccessLog log) {
    this.config = config;
    this.transport = Transport.of(config.transport());
    this.workers = transport.group(config.eventLoops());
    this.admin = transport.group(1);
    this.resolver =
        new UpstreamResolver(
            config.dnsServers(),
            config.dnsMaxTtl(),
            config.dnsNegativeTtl(),
            config.dnsQueryTimeout(),
            transport.datagramChannel());
    this.accessLog = new AccessLogWriter(log, metrics);
    metrics.watch(log);
    this.tracing =
        config.tracing().enabled()
            ? Tracing.start(config.tracing(), config.namespace(), config.name())
            : null;
  }

  /**
   * Who a client address is (the Pod informer in a cluster, the identities file with --config);
   * asked once per connection, on its event loop, so it must be a lookup in memory. An unknown
   * address gives {@link SourceIdentity#UNKNOWN}.
   */
  public void sourceIdentities(Function<InetAddress, SourceIdentity> lookup) {
    this.sourceIdentities = lookup;
  }

  /** Installs a new routing snapshot; requests in flight keep the one they started with. */
  public void update(EgressPolicy next) {
    EgressPolicy previous = policy.getAndSet(next);
    metrics.policyInstalled(next.size());
    if (previous == null || !previous.summary().equals(next.summary())) {
      LOG.info("egress policy installed: {}", next.summary());
    }
  }

  public EgressPolicy policy() {
    EgressPolicy p = policy.get();
    return p == null ? EgressPolicy.EMPTY : p;
  }

  /** The I/O transport in use: io_uring, epoll or nio. */
  public String transportName() {
    return transport.name();
  }

  public WaypointMetrics metrics() {
    return metrics;
  }

  /** Binds every listener; returns once they accept connections. */
  public Waypoint start() throws InterruptedException {
    AddressGuard guard = new AddressGuard(config.clusterCidrs(), config.allowLoopbackUpstreams());
    UpstreamAddresses addresses = new UpstreamAddresses(resolver, guard);
    Upstreams upstreams =
        new Upstreams(
            addresses,
            transport.socketChannel(),
            metrics,
            config.maxHeaderBytes(),
            config.requestTimeout());
    Tunnels tunnels = new Tunnels(addresses, accessLog, transport.socketChannel(), this::policy);
    Function<InetAddress, SourceIdentity> ids = a -> sourceIdentities.apply(a);
    HttpListenerInitializer http =
        new HttpListenerInitializer(
            config, this::policy, upstreams, tunnels, accessLog, ids, tracing);
    ClientLimit limit = new ClientLimit();
    httpAddress = bind(config.httpPort(), workers, limit, http);
    tlsAddress =
        bind(
            config.tlsPort(),
            workers,
            limit,
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                SourceIdentity source = ids.apply(ch.remoteAddress().getAddress());
                ch.pipeline()
                    .addLast(
                        new SniRouter(
                            Waypoint.this::policy,
                            tunnels,
                            new AccessLogEntry(),
                            source,
                            443,
                            config.requestHeaderTimeout().toMillis()));
              }
            });
    AdminHandler adminHandler = new AdminHandler(metrics, this::notReadyReason);
    ChannelInitializer<SocketChannel> adminInit =
        new ChannelInitializer<>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                .addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), adminHandler);
          }
        };
    metricsAddress = bindAdmin(config.metricsPort(), adminInit);
    healthAddress = bindAdmin(config.healthPort(), adminInit);
    if (config.allowLoopbackUpstreams()) {
      LOG.warn(
          "WAYOUT_WAYPOINT_ALLOW_LOOPBACK_UPSTREAMS is on: upstreams on 127.0.0.0/8 are dialled; use it for tests only");
    }
    LOG.info(
        "waypoint {} listening: http={} tls={} metrics={} health={} ({} transport); {}",
        config.name(),
        httpAddress,
        tlsAddress,
        metricsAddress,
        healthAddress,
        transport.name(),
        config.describe());
    return this;
  }

  private String notReadyReason() {
    if (draining) {
      return "draining";
    }
    if (policy.get() == null) {
      return "no configuration loaded yet";
    }
    return null;
  }

  private InetSocketAddress bind(
      int port, EventLoopGroup group, ClientLimit limit, ChannelInitializer<SocketChannel> init)
      throws InterruptedException {
    ChannelFuture bound =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(limit, init);
                  }
                })
            .bind(config.bindAddress(), port)
            .await();
    Channel ch = listening(bound, port);
    listeners.add(ch);
    return (InetSocketAddress) ch.localAddress();
  }

  private InetSocketAddress bindAdmin(int port, ChannelInitializer<SocketChannel> init)
      throws InterruptedException {
    ChannelFuture bound =
        new ServerBootstrap()
            .group(admin)
            .channel(transport.serverChannel())
            .childHandler(init)
            .bind(config.bindAddress(), port)
            .await();
    Channel ch = listening(bound, port);
    adminListeners.add(ch);
    return (InetSocketAddress) ch.localAddress();
  }

  /**
   * @throws IllegalStateException naming the address when the port cannot be had (in use, or a
   *     privileged port), rather than the transport's stack trace
   */
  private Channel listening(ChannelFuture bound, int port) {
    if (!bound.isSuccess()) {
      throw new IllegalStateException(
          "cannot listen on "
              + config.bindAddress()
              + ":"
              + port
              + ": "
              + bound.cause().getMessage()
              + "; free the port or choose another with "
              + WaypointConfig.PREFIX
              + "HTTP_PORT, TLS_PORT, METRICS_PORT or HEALTH_PORT",
          bound.cause());
    }
    return bound.channel();
  }

  /** Caps client connections and tracks them for draining. */
  @Sharable
  private final class ClientLimit extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      if (connections.incrementAndGet() > config.maxClientConnections() || draining) {
        connections.decrementAndGet();
        ctx.close();
        return;
      }
      metrics.downstreamOpened();
      clients.add(ctx.channel());
      ctx.channel()
          .closeFuture()
          .addListener(
              f -> {
                connections.decrementAndGet();
                metrics.downstreamClosed();
              });
      ctx.pipeline().remove(this);
      ctx.fireChannelActive();
    }
  }

  public InetSocketAddress httpAddress() {
    return httpAddress;
  }

  public InetSocketAddress tlsAddress() {
    return tlsAddress;
  }

  public InetSocketAddress metricsAddress() {
    return metricsAddress;
  }

  public InetSocketAddress healthAddress() {
    return healthAddress;
  }

  /**
   * Stops accepting, turns readiness off, closes idle keep-alive connections and the others after
   * their response, waits for them up to the deadline, then closes whatever is left.
   */
  public void drain(Duration deadline) {
    draining = true;
    listeners.close().awaitUninterruptibly();
    clients.forEach(c -> c.pipeline().fireUserEventTriggered(ClientTimeoutHandler.Drain.INSTANCE));
    long until = System.nanoTime() + deadline.toNanos();
    while (!clients.isEmpty() && System.nanoTime() < until) {
      clients.newCloseFuture().awaitUninterruptibly(50, TimeUnit.MILLISECONDS);
    }
    if (!clients.isEmpty()) {
      LOG.info("drain deadline reached; closing {} connections", clients.size());
      clients.close().awaitUninterruptibly();
    }
  }

  /** Exports the spans ended so far, waiting up to {@code timeout}; nothing when tracing is off. */
  public void flushTraces(Duration timeout) {
    if (tracing != null) {
      tracing.flush(timeout);
    }
  }

  @Override
  public void close() {
    if (!draining) {
      drain(config.drainTimeout());
    }
    if (tracing != null) {
      tracing.close(); // the spans of the requests that the drain let finish
    }
    adminListeners.close().awaitUninterruptibly();
    resolver.close();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    admin.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
