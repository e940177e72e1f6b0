package dev.wayout.waypoint.policy;

import dev.wayout.model.ConnectionPool;
import java.time.Duration;

/**
 * The limits the waypoint applies to one upstream cluster, from the DestinationRule's {@code
 * connectionPool} with the waypoint's defaults for what it leaves out, mapped as Istio maps them to
 * Envoy's circuit breakers: a count of 0 (or one left out) means unlimited, as Istio's 2^32-1.
 *
 * @param maxConnections open connections to the cluster at most, on all event loops
 * @param maxPendingRequests requests waiting for a connection at most while maxConnections are open
 * @param maxRequests requests in flight to the cluster at most ({@code http2MaxRequests})
 * @param maxRetries retries in flight to the cluster at most
 * @param maxRequestsPerConnection requests on one connection before it is closed
 * @param keepalive TCP keepalive for upstream connections, or null for the system's default (off)
 */
public record UpstreamLimits(
    int maxConnections,
    Duration connectTimeout,
    Duration idleTimeout,
    int maxRequestsPerConnection,
    int maxPendingRequests,
    int maxRequests,
    int maxRetries,
    ConnectionPool.TcpKeepalive keepalive) {

  public UpstreamLimits(
      int maxConnections,
      Duration connectTimeout,
      Duration idleTimeout,
      int maxRequestsPerConnection) {
    this(maxConnections, connectTimeout, idleTimeout, maxRequestsPerConnection, 0, 0, 0, null);
  }

  public static UpstreamLimits of(
      ConnectionPool pool, Duration connectTimeout, Duration idleTimeout) {
    if (pool == null) {
      return new UpstreamLimits(0, connectTimeout, idleTimeout, 0);
    }
    // As Istio: the HTTP idle timeout, else the TCP one, applies to pooled HTTP connections.
    Duration idle =
        pool.httpIdleTimeout() != null
            ? pool.httpIdleTimeout()
            : pool.tcpIdleTimeout() != null ? pool.tcpIdleTimeout() : idleTimeout;
    return new UpstreamLimits(
        positive(pool.maxConnections()),
        pool.connectTimeout() == null ? connectTimeout : pool.connectTimeout(),
        idle,
        positive(pool.maxRequestsPerConnection()),
        positive(pool.http1MaxPendingRequests()),
        positive(pool.http2MaxRequests()),
        positive(pool.maxRetries()),
        pool.tcpKeepalive());
  }

  /** Istio cannot tell 0 from unset: both keep Envoy's default, which is unlimited here. */
  private static int positive(Integer value) {
    return value == null || value < 0 ? 0 : value;
  }

  /** The connect timeout as Netty's option takes it: whole milliseconds, at most an int's worth. */
  public int connectTimeoutMillis() {
    return (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
  }
}
