package dev.wayout.waypoint.upstream;

import dev.wayout.waypoint.admin.WaypointMetrics;
import dev.wayout.waypoint.policy.Route;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Upstream connections: keep-alive pools per event loop and upstream (host, port, TLS settings), so
 * a request is served on its client's event loop with no locking; resolution with the address check
 * before every dial; connect with one retry for idempotent requests; TLS origination.
 */
public final class Upstreams {

  /** What makes two connections interchangeable. */
  record PoolKey(String host, int port, UpstreamTls tls) {}

  private final Class<? extends SocketChannel> channelType;
  private final UpstreamResolver resolver;
  private final AddressGuard guard;
  private final WaypointMetrics metrics;
  private final int maxHeaderBytes;
  private final FastThreadLocal<IdlePool> idle = new FastThreadLocal<>();
  private final Map<PoolKey, AtomicInteger> open = new ConcurrentHashMap<>();

  public Upstreams(
      Class<? extends SocketChannel> channelType,
      UpstreamResolver resolver,
      AddressGuard guard,
      WaypointMetrics metrics,
      int maxHeaderBytes) {
    this.channelType = channelType;
    this.resolver = resolver;
    this.guard = guard;
    this.metrics = metrics;
    this.maxHeaderBytes = maxHeaderBytes;
  }

  /**
   * A connection for an HTTP exchange to {@code host} (the requested name) through {@code route},
   * pooled if one is idle. Completes on {@code loop}; fails with an {@link UpstreamFailure}.
   *
   * @param retry whether a failed connect may be tried once more (idempotent requests)
   * @param fresh skip the pool (a retry after a pooled connection turned out closed)
   */
  public Future<UpstreamConnection> acquire(
      EventLoop loop, Route route, String host, boolean retry, boolean fresh) {
    PoolKey key = new PoolKey(host, route.upstreamPort(), route.tls());
    if (!fresh) {
      UpstreamConnection c = idlePool(loop).take(key);
      if (c != null) {
        return loop.newSucceededFuture(c);
      }
    }
    if (route.tls() != null && route.tls().error() != null) {
      return failed(loop, HttpResponseStatus.SERVICE_UNAVAILABLE, "UF", route.tls().error());
    }
    int max = route.limits().maxConnections();
    if (max > 0 && open.computeIfAbsent(key, k -> new AtomicInteger()).get() >= max) {
      return failed(
          loop,
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "UO",
          "connectionPool.tcp.maxConnections (" + max + ") reached for " + host);
    }
    Promise<UpstreamConnection> promise = loop.newPromise();
    addresses(loop, route, host)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
              }
              @SuppressWarnings("unchecked")
              List<InetSocketAddress> targets = (List<InetSocketAddress>) f.getNow();
              connect(loop, route, key, targets, 0, retry ? 2 : 1, promise);
            });
    return promise;
  }

  /** Dials a resolved, already checked address for a tunnel (CONNECT or SNI passthrough). */
  public Future<List<InetSocketAddress>> addresses(EventLoop loop, Route route, String host) {
    Promise<List<InetSocketAddress>> promise = loop.newPromise();
    if (route.isStatic()) {
      checked(route.staticEndpoints(), host, promise);
      return promise;
    }
    resolver
        .resolveAll(loop, host)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                promise.tryFailure(
                    new UpstreamFailure(
                        HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "DF",
                        "DNS lookup of " + host + " failed: " + f.cause().getMessage()));
                return;
              }
              @SuppressWarnings("unchecked")
              List<InetAddress> found = (List<InetAddress>) f.getNow();
              List<InetSocketAddress> targets = new ArrayList<>(found.size());
              for (InetAddress a : found) {
                targets.add(new InetSocketAddress(a, route.upstreamPort()));
              }
              checked(targets, host, promise);
            });
    return promise;
  }

  private void checked(
      List<InetSocketAddress> targets, String host, Promise<List<InetSocketAddress>> promise) {
    List<InetSocketAddress> allowed = new ArrayList<>(targets.size());
    List<String> refused = new ArrayList<>();
    for (InetSocketAddress t : targets) {
      Optional<String> why = guard.check(t.getAddress());
      if (why.isPresent()) {
        refused.add(why.get());
      } else {
        allowed.add(t);
      }
    }
    if (!allowed.isEmpty()) {
      promise.trySuccess(allowed);
    } else if (refused.isEmpty()) {
      promise.tryFailure(
          new UpstreamFailure(
              HttpResponseStatus.SERVICE_UNAVAILABLE, "UH", "no endpoints for " + host));
    } else {
      promise.tryFailure(
          new UpstreamFailure(
              HttpResponseStatus.FORBIDDEN,
              "UF",
              "refused to connect to "
                  + host
                  + ": "
                  + String.join(", ", refused)
                  + "; the waypoint never dials internal addresses for an external host"));
    }
  }

  private void connect(
      EventLoop loop,
      Route route,
      PoolKey key,
      List<InetSocketAddress> targets,
      int attempt,
      int attempts,
      Promise<UpstreamConnection> promise) {
    InetSocketAddress target = targets.get(attempt % targets.size());
    UpstreamConnection connection =
        new UpstreamConnection(key, route.host(), route.limits().idleTimeout().toNanos());
    UpstreamTls tls = route.tls();
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(channelType)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, route.limits().connectTimeout().toMillis()))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (tls != null) {
                      p.addLast(tls.newHandler(ch.alloc(), key.host(), key.port()));
                    }
                    p.addLast(new UpstreamHttpCodec(maxHeaderBytes));
                    p.addLast(connection);
                  }
                });
    ChannelFuture cf = b.connect(target);
    connection.channel = cf.channel();
    AtomicInteger counter = open.computeIfAbsent(key, k -> new AtomicInteger());
    counter.incrementAndGet();
    cf.channel()
        .closeFuture()
        .addListener(
            c -> {
              if (counter.decrementAndGet() == 0) {
                open.remove(key, counter);
              }
              if (cf.isSuccess()) {
                metrics.upstreamClosed();
              }
            });
    cf.addListener(
        f -> {
          if (!f.isSuccess()) {
            if (attempt + 1 < attempts) {
              connect(loop, route, key, targets, attempt + 1, attempts, promise);
              return;
            }
            promise.tryFailure(
                new UpstreamFailure(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    attempts > 1 ? "UF,URX" : "UF",
                    "connect to " + target + " failed: " + f.cause().getMessage()));
            return;
          }
          metrics.upstreamOpened(route.host());
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
                    metrics.handshakeFailure(route.host());
                    cf.channel().close();
                    promise.tryFailure(
                        new UpstreamFailure(
                            HttpResponseStatus.SERVICE_UNAVAILABLE, "UF", "TLS error: " + problem));
                  });
        });
  }

  /** Returns a connection after a complete exchange; it is kept if it can serve another. */
  public void release(UpstreamConnection c, boolean reusable, int maxRequestsPerConnection) {
    if (!reusable
        || !c.channel.isActive()
        || (maxRequestsPerConnection > 0 && c.requests() >= maxRequestsPerConnection)) {
      c.parkIdle(0);
      c.channel.close();
      return;
    }
    idlePool(c.channel.eventLoop()).park(c, c.idleTimeoutNanos);
    // Keep reading while parked: an upstream that closes an idle connection is noticed at once,
    // and the read interest stays registered for the next exchange (no epoll_ctl per request).
    c.channel.read();
  }

  /** The pool of the calling event loop (pools are per loop: no locking). */
  private IdlePool idlePool(EventLoop loop) {
    IdlePool pool = idle.getIfExists();
    if (pool == null) {
      pool = new IdlePool(loop);
      idle.set(pool);
    }
    return pool;
  }

  private static <T> Future<T> failed(
      EventLoop loop, HttpResponseStatus status, String flag, String reason) {
    return loop.newFailedFuture(new UpstreamFailure(status, flag, reason));
  }

  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null ? root.getClass().getSimpleName() : m;
  }
}
