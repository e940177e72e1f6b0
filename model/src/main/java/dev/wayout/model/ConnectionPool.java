package dev.wayout.model;

import java.time.Duration;

/**
 * {@code trafficPolicy.connectionPool} of a DestinationRule: the TCP and HTTP limits the waypoint
 * applies to one upstream. Absent values are null and the waypoint's defaults apply. Durations are
 * parsed from Istio's "1s"/"500ms" strings by the parser; a bad one is an error at its field.
 */
public record ConnectionPool(
    Integer maxConnections,
    Duration connectTimeout,
    Duration tcpIdleTimeout,
    Integer http1MaxPendingRequests,
    Integer http2MaxRequests,
    Integer maxRequestsPerConnection,
    Integer maxRetries,
    Duration httpIdleTimeout,
    Integer maxConcurrentStreams) {}
