package dev.wayout.model;

import static dev.wayout.model.Findings.quote;
import static dev.wayout.model.PolicyChecks.duration;
import static dev.wayout.model.PolicyChecks.ignored;
import static dev.wayout.model.PolicyChecks.nonNegative;

import java.util.Set;

/**
 * Istio's validateConnectionPool (and the CRD schema's enum and ranges) for {@code connectionPool},
 * plus warnings for the HTTP/2 settings the HTTP/1.1 waypoint cannot apply.
 */
final class ConnectionPoolValidator {

  static final Set<String> H2_UPGRADE_POLICIES = Set.of("DEFAULT", "DO_NOT_UPGRADE", "UPGRADE");

  private ConnectionPoolValidator() {}

  static void check(ConnectionPool pool, String path, Findings f) {
    if (pool == null) {
      return;
    }
    if (pool.tcp() == null && pool.http() == null) {
      f.error(
          path,
          "sets neither tcp nor http",
          "add tcp (e.g. {maxConnections: 100}) or http (e.g. {http1MaxPendingRequests: 10}),"
              + " or remove connectionPool");
      return;
    }
    checkHttp(pool.http(), path + ".http", f);
    checkTcp(pool.tcp(), path + ".tcp", f);
  }

  private static void checkHttp(ConnectionPool.Http http, String path, Findings f) {
    if (http == null) {
      return;
    }
    nonNegative(http.http1MaxPendingRequests(), path + ".http1MaxPendingRequests", f);
    nonNegative(http.http2MaxRequests(), path + ".http2MaxRequests", f);
    nonNegative(http.maxRequestsPerConnection(), path + ".maxRequestsPerConnection", f);
    nonNegative(http.maxRetries(), path + ".maxRetries", f);
    duration(http.idleTimeout(), path + ".idleTimeout", f);
    String upgrade = http.h2UpgradePolicy();
    if (upgrade != null && !H2_UPGRADE_POLICIES.contains(upgrade)) {
      f.error(
          path + ".h2UpgradePolicy",
          quote(upgrade) + " is not an upgrade policy Istio knows",
          "use DEFAULT, DO_NOT_UPGRADE or UPGRADE");
    }
    if ("UPGRADE".equals(upgrade) && Boolean.TRUE.equals(http.useClientProtocol())) {
      f.error(
          path + ".useClientProtocol",
          "true contradicts h2UpgradePolicy: UPGRADE",
          "keep one: useClientProtocol: true, or h2UpgradePolicy: UPGRADE");
    } else if ("UPGRADE".equals(upgrade)) {
      f.warn(
          path + ".h2UpgradePolicy",
          "UPGRADE is not applied: the waypoint speaks HTTP/1.1 to upstreams",
          "remove it, or expect HTTP/1.1");
    }
    nonNegative(http.maxConcurrentStreams(), path + ".maxConcurrentStreams", f);
    ignored(
        http.maxConcurrentStreams(),
        path + ".maxConcurrentStreams",
        "it limits HTTP/2 streams, and the waypoint speaks HTTP/1.1 upstream",
        f);
    ConnectionPool.Http2KeepAlive keepalive = http.http2KeepAlive();
    if (keepalive != null) {
      String at = path + ".http2KeepAlive";
      if (keepalive.interval() == null) {
        f.error(at + ".interval", "is missing", "set how often to send a PING, e.g. \"15s\"");
      } else {
        duration(keepalive.interval(), at + ".interval", f);
      }
      if (keepalive.timeout() == null) {
        f.error(
            at + ".timeout", "is missing", "set how long to wait for the PING's ack, e.g. \"5s\"");
      } else {
        duration(keepalive.timeout(), at + ".timeout", f);
      }
      ignored(keepalive, at, "HTTP/2 PINGs need HTTP/2, and the waypoint speaks HTTP/1.1", f);
    }
  }

  private static void checkTcp(ConnectionPool.Tcp tcp, String path, Findings f) {
    if (tcp == null) {
      return;
    }
    nonNegative(tcp.maxConnections(), path + ".maxConnections", f);
    duration(tcp.connectTimeout(), path + ".connectTimeout", f);
    duration(tcp.maxConnectionDuration(), path + ".maxConnectionDuration", f);
    ignored(
        tcp.maxConnectionDuration(),
        path + ".maxConnectionDuration",
        "connections are closed when idle or after maxRequestsPerConnection, not by age",
        f);
    // Istio skips values under a millisecond: "0s" turns the timeout off.
    if (tcp.idleTimeout() != null && tcp.idleTimeout().toMillis() != 0) {
      duration(tcp.idleTimeout(), path + ".idleTimeout", f);
    }
    ConnectionPool.TcpKeepalive keepalive = tcp.tcpKeepalive();
    if (keepalive != null) {
      duration(keepalive.time(), path + ".tcpKeepalive.time", f);
      duration(keepalive.interval(), path + ".tcpKeepalive.interval", f);
      nonNegative(keepalive.probes(), path + ".tcpKeepalive.probes", f);
    }
  }
}
