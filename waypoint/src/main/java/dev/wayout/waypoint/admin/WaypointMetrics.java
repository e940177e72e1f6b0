package dev.wayout.waypoint.admin;

import dev.wayout.waypoint.access.AccessLog;
import dev.wayout.waypoint.access.AccessLogEntry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The waypoint's Prometheus metrics: Wayout's own ({@code wayout_waypoint_*}) and Istio's standard
 * ones ({@link IstioMetrics}) on one registry. {@code destination_host} is the ServiceEntry host (a
 * bounded set), never the raw requested name, so that clients cannot blow up the series count;
 * refused requests count under {@code destination_host="unregistered"}. Meters are cached by tag
 * values.
 */
public final class WaypointMetrics {

  public static final String UNREGISTERED = "unregistered";

  /** Istio's cluster ID when none is configured, as {@code source_cluster} reports it. */
  static final String CLUSTER_ID = "Kubernetes";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Timer> durations = new ConcurrentHashMap<>();
  private final Map<String, Counter> handshakeFailures = new ConcurrentHashMap<>();
  private final Map<String, Counter> upstreamOpened = new ConcurrentHashMap<>();
  private final AtomicInteger upstreamOpen = new AtomicInteger();
  private final AtomicInteger downstreamOpen = new AtomicInteger();
  private final AtomicLong routes = new AtomicLong();
  private final Counter reloads;
  private final IstioMetrics istio = new IstioMetrics(registry, CLUSTER_ID);

  private final Map<ClusterStat, Counter> clusterStats = new ConcurrentHashMap<>();

  private record RequestKey(String host, int code, String namespace) {}

  private record ClusterStat(String stat, String cluster) {}

  /** Envoy's per-cluster counters that a DestinationRule's limits and ejections move. */
  public static final String CX_OVERFLOW = "upstream_cx_overflow";

  public static final String PENDING_OVERFLOW = "upstream_rq_pending_overflow";
  public static final String NONE_HEALTHY = "upstream_cx_none_healthy";
  public static final String RETRY_OVERFLOW = "upstream_rq_retry_overflow";
  public static final String EJECTIONS = "outlier_detection_ejections_enforced";

  public WaypointMetrics() {
    Gauge.builder("wayout.waypoint.upstream.connections", upstreamOpen, AtomicInteger::get)
        .description("Open connections to upstreams")
        .register(registry);
    Gauge.builder("wayout.waypoint.downstream.connections", downstreamOpen, AtomicInteger::get)
        .description("Open client connections")
        .register(registry);
    Gauge.builder("wayout.waypoint.routes", routes, AtomicLong::get)
        .description("Routes (host and port) in the current egress policy")
        .register(registry);
    reloads =
        Counter.builder("wayout.waypoint.policy.reloads")
            .description("Egress policy snapshots installed")
            .register(registry);
  }

  public void request(String destinationHost, int code, String sourceNamespace, long nanos) {
    String host = destinationHost == null ? UNREGISTERED : destinationHost;
    String ns = sourceNamespace == null ? "unknown" : sourceNamespace;
    requests
        .computeIfAbsent(
            new RequestKey(host, code, ns),
            k ->
                Counter.builder("wayout.waypoint.requests")
                    .description("Requests and tunnels by destination, response code and source")
                    .tag("destination_host", k.host())
                    .tag("response_code", Integer.toString(k.code()))
                    .tag("source_namespace", k.namespace())
                    .register(registry))
        .increment();
    durations
        .computeIfAbsent(
            host,
            h ->
                Timer.builder("wayout.waypoint.request.duration")
                    .description("Time from the request's first byte to the response's last")
                    .tag("destination_host", h)
                    .serviceLevelObjectives(
                        ms(1), ms(2), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500),
                        ms(1000), ms(2500), ms(5000), ms(10000))
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A finished request or tunnel, in Istio's metrics: {@code istio_requests_total} and its
   * histograms for HTTP, the closed connection and its bytes for a tunnel that was open.
   */
  public void finished(AccessLogEntry entry) {
    if (!entry.tunnel) {
      istio.request(entry);
    } else if (entry.tunnelOpened) {
      istio.tunnelClosed(entry);
    }
  }

  /** A tunnel's upstream connection is open: {@code istio_tcp_connections_opened_total}. */
  public void tunnelOpened(AccessLogEntry entry) {
    entry.tunnelOpened = true;
    istio.tunnelOpened(entry);
  }

  private static Duration ms(long n) {
    return Duration.ofMillis(n);
  }

  /**
   * Counts one event of an upstream cluster under Envoy's name for it, e.g. {@code
   * envoy_cluster_upstream_cx_overflow_total{cluster_name="outbound|80||api.example.com"}}. Only
   * limits and ejections call it, never a request that went well.
   */
  public void clusterEvent(String stat, String clusterName) {
    clusterStats
        .computeIfAbsent(
            new ClusterStat(stat, clusterName),
            k ->
                Counter.builder("envoy.cluster." + k.stat().replace('_', '.'))
                    .description("Envoy's cluster." + k.stat() + " for the waypoint's clusters")
                    .tag("cluster_name", k.cluster())
                    .register(registry))
        .increment();
  }

  public void handshakeFailure(String destinationHost) {
    handshakeFailures
        .computeIfAbsent(
            destinationHost,
            h ->
                Counter.builder("wayout.waypoint.upstream.tls.handshake.failures")
                    .description("Failed TLS handshakes with upstreams")
                    .tag("destination_host", h)
                    .register(registry))
        .increment();
  }

  public void upstreamOpened(String destinationHost) {
    upstreamOpen.incrementAndGet();
    upstreamOpened
        .computeIfAbsent(
            destinationHost,
            h ->
                Counter.builder("wayout.waypoint.upstream.connections.opened")
                    .description("Connections opened to upstreams")
                    .tag("destination_host", h)
                    .register(registry))
        .increment();
  }

  public void upstreamClosed() {
    upstreamOpen.decrementAndGet();
  }

  public void downstreamOpened() {
    downstreamOpen.incrementAndGet();
  }

  public void downstreamClosed() {
    downstreamOpen.decrementAndGet();
  }

  public int downstreamConnections() {
    return downstreamOpen.get();
  }

  /** Counts the access-log lines the log could not write, so that a loss shows on a dashboard. */
  public void watch(AccessLog log) {
    FunctionCounter.builder("wayout.waypoint.access.log.lines.lost", log, AccessLog::linesLost)
        .description("Access-log lines that could not be written (stdout failing, a full disk)")
        .register(registry);
  }

  public void policyInstalled(int routeCount) {
    routes.set(routeCount);
    reloads.increment();
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
