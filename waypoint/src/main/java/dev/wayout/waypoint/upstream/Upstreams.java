package dev.wayout.waypoint.upstream;

import dev.wayout.waypoint.admin.WaypointMetrics;
import dev.wayout.waypoint.policy.Route;
import dev.wayout.waypoint.policy.UpstreamLimits;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Upstream connections for HTTP exchanges, by {@link UpstreamCluster}: the cluster's load balancer
 * picks an endpoint (skipping ejected ones), a keep-alive connection to it is taken from the event
 * loop's pool (no locking) or dialled by {@link UpstreamDialer} to addresses from {@link
 * UpstreamAddresses}, within the cluster's limits: {@code maxConnections} (then requests wait, up
 * to {@code http1MaxPendingRequests}), {@code http2MaxRequests}. Answers and failures go back to
 * the cluster's outlier detection.
 */
public final class Upstreams {

  private final UpstreamAddresses addresses;
  private final UpstreamDialer dialer;
  private final WaypointMetrics metrics;
  private final Duration pendingTimeout;
  private final PendingRequests pending = new PendingRequests();
  private final FastThreadLocal<IdlePool> idle = new FastThreadLocal<>();

  /**
   * @param pendingTimeout how long a request may wait for a connection (the request timeout: in
   *     Envoy the route's timeout covers the wait)
   */
  public Upstreams(
      UpstreamAddresses addresses,
      Class<? extends SocketChannel> channelType,
      WaypointMetrics metrics,
      int maxHeaderBytes,
      Duration pendingTimeout) {
    this.addresses = addresses;
    this.metrics = metrics;
    this.pendingTimeout = pendingTimeout;
    this.dialer = new UpstreamDialer(channelType, metrics, maxHeaderBytes, pending::wakeOne);
  }

  public Upstreams(
      UpstreamAddresses addresses,
      Class<? extends SocketChannel> channelType,
      WaypointMetrics metrics,
      int maxHeaderBytes) {
    this(addresses, channelType, metrics, maxHeaderBytes, Duration.ofSeconds(60));
  }

  /**
   * As {@link #acquire(EventLoop, UpstreamCluster, String, HttpRequest, SocketAddress, boolean,
   * boolean)} for the route's whole-host cluster.
   */
  public Future<UpstreamConnection> acquire(
      EventLoop loop, Route route, String host, boolean retry, boolean fresh) {
    return acquire(loop, route.cluster(), host, null, null, retry, fresh);
  }

  /**
   * A connection for an HTTP exchange to {@code host} (the requested name) in {@code cluster},
   * pooled if one to the picked endpoint is idle. Completes on {@code loop}; fails with an {@link
   * UpstreamFailure}: UH when no endpoint is healthy, UO when a limit is reached, UT when no
   * connection became free in time.
   *
   * @param request the request, for a consistent hash by header, cookie or query (may be null)
   * @param client the client's address, for a consistent hash by source IP (may be null)
   * @param retry whether a failed connect may be tried once more (idempotent requests)
   * @param fresh skip the pool (a retry after a pooled connection turned out closed)
   */
  public Future<UpstreamConnection> acquire(
      EventLoop loop,
      UpstreamCluster cluster,
      String host,
      HttpRequest request,
      SocketAddress client,
      boolean retry,
      boolean fresh) {
    Promise<UpstreamConnection> promise = loop.newPromise();
    new Attempt(loop, cluster, host, request, client, retry, fresh, promise).run(false);
    return promise;
  }

  /** One acquisition, which may wait in the cluster's pending queue and run again. */
  private final class Attempt implements PendingRequests.Waiter {
    final EventLoop loop;
    final UpstreamCluster cluster;
    final String host;
    final HttpRequest request;
    final SocketAddress client;
    final boolean retry;
    final boolean fresh;
    final Promise<UpstreamConnection> promise;
    ScheduledFuture<?> timeout;

    Attempt(
        EventLoop loop,
        UpstreamCluster cluster,
        String host,
        HttpRequest request,
        SocketAddress client,
        boolean retry,
        boolean fresh,
        Promise<UpstreamConnection> promise) {
      this.loop = loop;
      this.cluster = cluster;
      this.host = host;
      this.request = request;
      this.client = client;
      this.retry = retry;
      this.fresh = fresh;
      this.promise = promise;
    }

    void run(boolean waited) {
      if (promise.isDone()) {
        return;
      }
      UpstreamTls tls = cluster.tls();
      if (tls != null && tls.error() != null) {
        fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "UF", tls.error());
        return;
      }
      ClusterEndpoint endpoint = cluster.pick(request, client);
      if (endpoint == null) {
        metrics.clusterEvent(WaypointMetrics.NONE_HEALTHY, cluster.name());
        fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "UH", noHealthy());
        return;
      }
      UpstreamLimits limits = cluster.limits();
      if (limits.maxRequests() > 0 && cluster.inFlight.get() >= limits.maxRequests()) {
        fail(
            HttpResponseStatus.SERVICE_UNAVAILABLE,
            "UO",
            "connectionPool.http.http2MaxRequests ("
                + limits.maxRequests()
                + ") reached for "
                + host);
        return;
      }
      PoolKey key = new PoolKey(cluster.name(), host, endpoint.text, tls);
      if (!fresh) {
        UpstreamConnection c = idlePool(loop).take(key);
        if (c != null) {
          c.assign(cluster, endpoint);
          succeed(c);
          return;
        }
      }
      int max = limits.maxConnections();
      if (max > 0 && dialer.openConnections(cluster.name()) >= max) {
        if (!waited) {
          metrics.clusterEvent(WaypointMetrics.CX_OVERFLOW, cluster.name());
        }
        if (!pending.enqueue(cluster.name(), limits.maxPendingRequests(), this, waited)) {
          metrics.clusterEvent(WaypointMetrics.PENDING_OVERFLOW, cluster.name());
          fail(
              HttpResponseStatus.SERVICE_UNAVAILABLE,
              "UO",
              "connectionPool.tcp.maxConnections ("
                  + max
                  + ") and http.http1MaxPendingRequests ("
                  + limits.maxPendingRequests()
                  + ") reached for "
                  + host);
          return;
        }
        if (timeout == null) {
          timeout = loop.schedule(this::expire, pendingTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        // A connection may have closed between the count and the queueing: look again.
        if (dialer.openConnections(cluster.name()) < max) {
          pending.wakeOne(cluster.name());
        }
        return;
      }
      if (timeout != null) {
        timeout.cancel(false);
      }
      addresses
          .resolve(loop, endpoint, host)
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  promise.tryFailure(f.cause());
                  return;
                }
                @SuppressWarnings("unchecked")
                java.util.List<java.net.InetSocketAddress> targets =
                    (java.util.List<java.net.InetSocketAddress>) f.getNow();
                dialer.dial(loop, cluster, endpoint, key, targets, 0, retry ? 2 : 1, promise);
              });
    }

    private String noHealthy() {
      String which =
          cluster.subset().isEmpty() ? host : host + " (subset " + cluster.subset() + ")";
      if (cluster.endpoints().isEmpty() && cluster.whyEmpty() != null) {
        return cluster.whyEmpty();
      }
      return cluster.endpoints().isEmpty()
          ? "no healthy upstream: no endpoint of " + which + " matches"
          : "no healthy upstream: every endpoint of " + which + " is ejected by outlierDetection";
    }

    @Override
    public void wake() {
      loop.execute(() -> run(true));
    }

    private void expire() {
      if (pending.remove(cluster.name(), this)) {
        fail(
            HttpResponseStatus.GATEWAY_TIMEOUT,
            "UT",
            "no connection to "
                + host
                + " became free within "
                + pendingTimeout.toMillis()
                + " ms (connectionPool.tcp.maxConnections "
                + cluster.limits().maxConnections()
                + ")");
      }
    }

    private void succeed(UpstreamConnection c) {
      if (timeout != null) {
        timeout.cancel(false);
      }
      promise.trySuccess(c);
    }

    private void fail(HttpResponseStatus status, String flag, String reason) {
      if (timeout != null) {
        timeout.cancel(false);
      }
      promise.tryFailure(new UpstreamFailure(status, flag, reason));
    }
  }

  /** The upstream's answer (its status) reaches the endpoint's outlier detection. */
  public void answered(UpstreamConnection c, int status) {
    UpstreamCluster cluster = c.cluster;
    if (cluster != null && cluster.outlier() != null && cluster.answered(c.endpoint, status)) {
      metrics.clusterEvent(WaypointMetrics.EJECTIONS, cluster.name());
    }
  }

  /** A failure of the waypoint's own on the connection: a timeout (504) or a reset (503). */
  public void failedLocally(UpstreamConnection c, int asStatus) {
    UpstreamCluster cluster = c.cluster;
    if (cluster != null
        && cluster.outlier() != null
        && cluster.failedLocally(c.endpoint, asStatus)) {
      metrics.clusterEvent(WaypointMetrics.EJECTIONS, cluster.name());
    }
  }

  /**
   * Whether a request may be retried: fewer than {@code maxRetries} retries of the cluster are in
   * flight. A retry allowed must be ended with {@link #retryEnded}.
   */
  public boolean retryStarted(UpstreamCluster cluster) {
    int max = cluster.limits().maxRetries();
    if (max > 0 && cluster.retries.incrementAndGet() > max) {
      cluster.retries.decrementAndGet();
      metrics.clusterEvent(WaypointMetrics.RETRY_OVERFLOW, cluster.name());
      return false;
    }
    return true;
  }

  public void retryEnded(UpstreamCluster cluster) {
    if (cluster.limits().maxRetries() > 0) {
      cluster.retries.decrementAndGet();
    }
  }

  /** Returns a connection after a complete exchange; it is kept if it can serve another. */
  public void release(UpstreamConnection c, boolean reusable, int maxRequestsPerConnection) {
    UpstreamCluster cluster = c.cluster;
    int max =
        cluster != null ? cluster.limits().maxRequestsPerConnection() : maxRequestsPerConnection;
    if (!reusable
        || !c.channel.isActive()
        || (max > 0 && c.requests() >= max)
        // Requests wait for this cluster's capacity: closing frees it for them, on their loop.
        || (cluster != null
            && cluster.limits().maxConnections() > 0
            && pending.waiting(cluster.name()))) {
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
}
