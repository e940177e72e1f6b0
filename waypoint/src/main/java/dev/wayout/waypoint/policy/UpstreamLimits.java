package dev.wayout.waypoint.policy;

import dev.wayout.model.ConnectionPool;
import java.time.Duration;

/**
 * The limits the waypoint applies to one upstream, from the DestinationRule's {@code
 * connectionPool} with the waypoint's defaults for what it leaves out.
 *
 * @param maxConnections open connections to the upstream at most (0: unlimited)
 * @param maxRequestsPerConnection requests on one connection before it is closed (0: unlimited)
 */
public record UpstreamLimits(
    int maxConnections,
    Duration connectTimeout,
    Duration idleTimeout,
    int maxRequestsPerConnection) {

  public static UpstreamLimits of(
      ConnectionPool pool, Duration connectTimeout, Duration idleTimeout) {
    if (pool == null) {
      return new UpstreamLimits(0, connectTimeout, idleTimeout, 0);
    }
    return new UpstreamLimits(
        pool.maxConnections() == null ? 0 : pool.maxConnections(),
        pool.connectTimeout() == null ? connectTimeout : pool.connectTimeout(),
        pool.httpIdleTimeout() != null
            ? pool.httpIdleTimeout()
            : pool.tcpIdleTimeout() != null ? pool.tcpIdleTimeout() : idleTimeout,
        pool.maxRequestsPerConnection() == null ? 0 : pool.maxRequestsPerConnection());
  }

  /** The connect timeout as Netty's option takes it: whole milliseconds, at most an int's worth. */
  public int connectTimeoutMillis() {
    return (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
  }
}
