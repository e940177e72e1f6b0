package dev.wayout.waypoint.upstream;

import dev.wayout.waypoint.admin.WaypointMetrics;
import dev.wayout.waypoint.policy.Route;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/**
 * Upstream connections for HTTP exchanges: keep-alive pools per event loop and upstream (host,
 * port, TLS settings), so a request is served on its client's event loop with no locking, and the
 * route's connection limits. A connection not in the pool is dialled by {@link UpstreamDialer} to
 * addresses from {@link UpstreamAddresses}.
 */
public final class Upstreams {

  private final UpstreamAddresses addresses;
  private final UpstreamDialer dialer;
  private final FastThreadLocal<IdlePool> idle = new FastThreadLocal<>();

  public Upstreams(
      UpstreamAddresses addresses,
      Class<? extends SocketChannel> channelType,
      WaypointMetrics metrics,
      int maxHeaderBytes) {
    this.addresses = addresses;
    this.dialer = new UpstreamDialer(channelType, metrics, maxHeaderBytes);
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
    if (max > 0 && dialer.openConnections(key) >= max) {
      return failed(
          loop,
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "UO",
          "connectionPool.tcp.maxConnections (" + max + ") reached for " + host);
    }
    Promise<UpstreamConnection> promise = loop.newPromise();
    addresses.resolveThen(
        loop,
        route,
        host,
        promise,
        targets -> dialer.dial(loop, route, key, targets, 0, retry ? 2 : 1, promise));
    return promise;
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
}
