package dev.wayout.waypoint.upstream;

import dev.wayout.waypoint.admin.WaypointMetrics;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Opens new upstream connections on the caller's event loop: {@code [SslHandler] ->
 * UpstreamHttpCodec -> UpstreamConnection}, AUTO_READ off, the next address tried once more if a
 * connect fails and retries are allowed, and a TLS connection handed out only after its handshake
 * and subjectAltNames check. Counts the open connections per cluster for {@code maxConnections},
 * and tells the cluster's outlier detection of connects and handshakes that failed.
 */
final class UpstreamDialer {

  private final Class<? extends SocketChannel> channelType;
  private final WaypointMetrics metrics;
  private final int maxHeaderBytes;
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final Consumer<String> closed;

  /**
   * @param closed told the cluster's name when one of its connections closed (capacity for a
   *     request waiting on maxConnections)
   */
  UpstreamDialer(
      Class<? extends SocketChannel> channelType,
      WaypointMetrics metrics,
      int maxHeaderBytes,
      Consumer<String> closed) {
    this.channelType = channelType;
    this.metrics = metrics;
    this.maxHeaderBytes = maxHeaderBytes;
    this.closed = closed;
  }

  /** Connections of the cluster that are open or being opened, on any event loop. */
  int openConnections(String cluster) {
    AtomicInteger n = open.get(cluster);
    return n == null ? 0 : n.get();
  }

  private static AtomicInteger increment(AtomicInteger n) {
    n.incrementAndGet();
    return n;
  }

  /**
   * Dials {@code targets} (checked addresses) in turn, attempt {@code attempt} of {@code attempts}
   * (the first is 0), and completes {@code promise} with the connected (and for TLS, verified)
   * connection or an {@link UpstreamFailure}.
   */
  void dial(
      EventLoop loop,
      UpstreamCluster cluster,
      ClusterEndpoint endpoint,
      PoolKey key,
      List<InetSocketAddress> targets,
      int attempt,
      int attempts,
      Promise<UpstreamConnection> promise) {
    InetSocketAddress target = targets.get(attempt % targets.size());
    UpstreamConnection connection =
        new UpstreamConnection(key, cluster.host(), cluster.limits().idleTimeout().toNanos());
    connection.assign(cluster, endpoint);
    UpstreamTls tls = cluster.tls();
    Bootstrap b =
        UpstreamBootstrap.on(loop, channelType, cluster.limits())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (tls != null) {
                      p.addLast(tls.newHandler(ch.alloc(), key.host(), target.getPort()));
                    }
                    p.addLast(new UpstreamHttpCodec(maxHeaderBytes));
                    p.addLast(connection);
                  }
                });
    ChannelFuture cf = b.connect(target);
    connection.channel = cf.channel();
    // Counted under the map's lock for the key, so that a count reaching zero is removed (keys of
    // replaced TLS settings do not pile up) without losing another loop's increment.
    String name = cluster.name();
    open.compute(name, (k, n) -> n == null ? new AtomicInteger(1) : increment(n));
    cf.channel()
        .closeFuture()
        .addListener(
            c -> {
              open.computeIfPresent(name, (k, n) -> n.decrementAndGet() == 0 ? null : n);
              if (cf.isSuccess()) {
                metrics.upstreamClosed();
              }
              if (cluster.limits().maxConnections() > 0) {
                closed.accept(name);
              }
            });
    cf.addListener(
        f -> {
          if (!f.isSuccess()) {
            failedLocally(cluster, endpoint);
            if (attempt + 1 < attempts) {
              dial(loop, cluster, endpoint, key, targets, attempt + 1, attempts, promise);
              return;
            }
            promise.tryFailure(UpstreamFailure.connectFailed(target, f.cause(), attempts > 1));
            return;
          }
          metrics.upstreamOpened(cluster.host());
          if (tls == null) {
            promise.trySuccess(connection);
            return;
          }
          SslHandler ssl = cf.channel().pipeline().get(SslHandler.class);
          ssl.handshakeFuture()
              .addListener(
                  h -> {
                    String problem =
                        h.isSuccess()
                            ? SubjectAltNames.check(
                                ssl.engine().getSession(), tls.subjectAltNames())
                            : rootMessage(h.cause());
                    if (problem == null) {
                      promise.trySuccess(connection);
                      return;
                    }
                    metrics.handshakeFailure(cluster.host());
                    failedLocally(cluster, endpoint);
                    cf.channel().close();
                    promise.tryFailure(
                        new UpstreamFailure(
                            HttpResponseStatus.SERVICE_UNAVAILABLE, "UF", "TLS error: " + problem));
                  });
        });
  }

  /** A connect or handshake that failed counts as a 503 from the endpoint (Envoy's mapping). */
  private void failedLocally(UpstreamCluster cluster, ClusterEndpoint endpoint) {
    if (cluster.failedLocally(endpoint, 503)) {
      metrics.clusterEvent(WaypointMetrics.EJECTIONS, cluster.name());
    }
  }

  /** The innermost cause's message: what went wrong in a handshake, without the wrappers. */
  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null ? root.getClass().getSimpleName() : m;
  }
}
