package dev.wayout.model;

import java.time.Duration;

/**
 * {@code trafficPolicy.connectionPool} of a DestinationRule: the TCP and HTTP limits the waypoint
 * applies to one upstream cluster. An absent block or value is null and the waypoint's defaults
 * apply. Durations are parsed from Istio's "1s"/"500ms" strings by the parser; a bad one is an
 * error at its field.
 */
public record ConnectionPool(Tcp tcp, Http http) {

  /** {@code connectionPool.tcp}. */
  public record Tcp(
      Integer maxConnections,
      Duration connectTimeout,
      Duration idleTimeout,
      Duration maxConnectionDuration,
      TcpKeepalive tcpKeepalive) {}

  /** {@code connectionPool.tcp.tcpKeepalive}: SO_KEEPALIVE with its probe count and timings. */
  public record TcpKeepalive(Integer probes, Duration time, Duration interval) {}

  /** {@code connectionPool.http}. */
  public record Http(
      Integer http1MaxPendingRequests,
      Integer http2MaxRequests,
      Integer maxRequestsPerConnection,
      Integer maxRetries,
      Duration idleTimeout,
      String h2UpgradePolicy,
      Boolean useClientProtocol,
      Integer maxConcurrentStreams,
      Http2KeepAlive http2KeepAlive) {}

  /** {@code connectionPool.http.http2KeepAlive}: HTTP/2 PING interval and timeout. */
  public record Http2KeepAlive(Duration interval, Duration timeout) {}

  public Integer maxConnections() {
    return tcp == null ? null : tcp.maxConnections();
  }

  public Duration connectTimeout() {
    return tcp == null ? null : tcp.connectTimeout();
  }

  public Duration tcpIdleTimeout() {
    return tcp == null ? null : tcp.idleTimeout();
  }

  public Duration httpIdleTimeout() {
    return http == null ? null : http.idleTimeout();
  }

  public Integer maxRequestsPerConnection() {
    return http == null ? null : http.maxRequestsPerConnection();
  }

  public Integer http1MaxPendingRequests() {
    return http == null ? null : http.http1MaxPendingRequests();
  }

  public Integer http2MaxRequests() {
    return http == null ? null : http.http2MaxRequests();
  }

  public Integer maxRetries() {
    return http == null ? null : http.maxRetries();
  }

  public TcpKeepalive tcpKeepalive() {
    return tcp == null ? null : tcp.tcpKeepalive();
  }
}
