package dev.wayout.waypoint.admin;

import dev.wayout.model.SourceIdentity;
import dev.wayout.waypoint.access.AccessLogEntry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Istio's standard metrics ({@code istio_requests_total}, {@code
 * istio_request_duration_milliseconds}, {@code istio_request_bytes}, {@code istio_response_bytes},
 * {@code istio_tcp_*}) with Istio's labels as a waypoint reports them ({@code
 * reporter="waypoint"}), so that Istio's Grafana dashboards and Kiali read the waypoint's traffic.
 *
 * <p>Labels come from registered things only: the ServiceEntry (host and namespace), the client's
 * identity as the waypoint resolved it, the response code and Envoy's flags; never from what a
 * client sends. A refused request to an unregistered host counts under Istio's {@code
 * BlackHoleCluster}. Meters are resolved once per label set and cached in three levels
 * (destination, source, code and flags) so that a request costs a few map reads, no tag arrays.
 */
public final class IstioMetrics {

  /**
   * Envoy's default histogram buckets, which Istio's histograms use (milliseconds and bytes alike).
   */
  static final double[] BUCKETS = {
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000,
    1800000, 3600000
  };

  static final String UNKNOWN = "unknown";

  private final MeterRegistry registry;
  private final String waypointCluster;
  private final Map<String, Map<String, Destination>> destinations = new ConcurrentHashMap<>();
  private final Destination blackHole;

  IstioMetrics(MeterRegistry registry, String cluster) {
    this.registry = registry;
    this.waypointCluster = cluster;
    this.blackHole = new Destination(UNKNOWN, "BlackHoleCluster", UNKNOWN);
  }

  /** One finished HTTP request (not a tunnel). */
  void request(AccessLogEntry e) {
    Source s = destination(e).source(e.source);
    RequestMeters m = s.meters(e.responseCode, e.responseFlags());
    m.requests.increment();
    m.duration.record(e.durationNanos() / 1e6);
    m.requestBytes.record(e.bytesReceived);
    m.responseBytes.record(e.bytesSent);
  }

  /** A tunnel (CONNECT or SNI passthrough) whose upstream connection is open. */
  void tunnelOpened(AccessLogEntry e) {
    destination(e).source(e.source).tcp().opened.increment();
  }

  /** A tunnel that was opened has closed: its bytes both ways. */
  void tunnelClosed(AccessLogEntry e) {
    TcpMeters t = destination(e).source(e.source).tcp();
    t.closed.increment();
    t.sent.increment(e.bytesSent);
    t.received.increment(e.bytesReceived);
  }

  private Destination destination(AccessLogEntry e) {
    String host = e.destinationHost;
    String entry = e.serviceEntry;
    if (host == null || entry == null) {
      return blackHole;
    }
    Map<String, Destination> byHost = destinations.get(entry);
    if (byHost == null) {
      byHost = destinations.computeIfAbsent(entry, k -> new ConcurrentHashMap<>());
    }
    Destination d = byHost.get(host);
    if (d == null) {
      int slash = entry.indexOf('/');
      String namespace = slash > 0 ? entry.substring(0, slash) : UNKNOWN;
      // Istio names a ServiceEntry's service by its host: host and name are the same.
      d = byHost.computeIfAbsent(host, h -> new Destination(h, h, namespace));
    }
    return d;
  }

  /** One destination service, with its meters by source. */
  private final class Destination {
    /**
     * Identities seen, more than distinct label sets (a rollout makes new pods); past this many the
     * cache starts again, the meters stay (the registry keeps them by name and labels).
     */
    private static final int MAX_SOURCES = 10_000;

    final String service;
    final String serviceName;
    final String serviceNamespace;
    final Map<SourceIdentity, Source> sources = new ConcurrentHashMap<>();

    Destination(String service, String serviceName, String serviceNamespace) {
      this.service = service;
      this.serviceName = serviceName;
      this.serviceNamespace = serviceNamespace;
    }

    Source source(SourceIdentity identity) {
      Source s = sources.get(identity);
      if (s != null) {
        return s;
      }
      if (sources.size() >= MAX_SOURCES) {
        sources.clear();
      }
      return sources.computeIfAbsent(identity, i -> new Source(this, i));
    }
  }

  private static String orUnknown(String value) {
    return value == null || value.isEmpty() ? UNKNOWN : value;
  }

  /** The first value present, as Istio's peer metadata falls back from label to label. */
  private static String first(String... values) {
    return firstOr(UNKNOWN, values);
  }

  private static String firstOr(String fallback, String... values) {
    for (String v : values) {
      if (v != null && !v.isEmpty()) {
        return v;
      }
    }
    return fallback;
  }

  /** One (destination, source) pair: its request meters by code and flags, its TCP meters. */
  private final class Source {
    private final Tags tags;
    private volatile RequestMeters[] meters = new RequestMeters[0];
    private volatile TcpMeters tcp;

    Source(Destination d, SourceIdentity id) {
      Map<String, String> l = id.labels();
      String workload = orUnknown(id.workload());
      this.tags =
          Tags.of(
                  "reporter", "waypoint",
                  "source_workload", workload,
                  "source_canonical_service",
                      first(
                          l.get("service.istio.io/canonical-name"),
                          l.get("app.kubernetes.io/name"),
                          l.get("app"),
                          workload),
                  "source_canonical_revision",
                      firstOr(
                          "latest",
                          l.get("service.istio.io/canonical-revision"),
                          l.get("app.kubernetes.io/version"),
                          l.get("version")),
                  "source_workload_namespace", orUnknown(id.namespace()),
                  "source_principal", orUnknown(id.spiffeId()),
                  "source_app", first(l.get("app"), l.get("app.kubernetes.io/name")),
                  "source_version", first(l.get("version"), l.get("app.kubernetes.io/version")),
                  "source_cluster", id.known() ? waypointCluster : UNKNOWN)
              .and(
                  "destination_workload", UNKNOWN,
                  "destination_workload_namespace", UNKNOWN,
                  "destination_principal", UNKNOWN,
                  "destination_app", UNKNOWN,
                  "destination_version", UNKNOWN,
                  "destination_service", d.service,
                  "destination_canonical_service", UNKNOWN,
                  "destination_canonical_revision", "latest",
                  "destination_service_name", d.serviceName,
                  "destination_service_namespace", d.serviceNamespace,
                  "destination_cluster", UNKNOWN)
              // The client speaks plain HTTP/1.1 or TCP to the waypoint (no HBONE): no mTLS.
              .and("connection_security_policy", "none");
    }

    RequestMeters meters(int code, String flags) {
      RequestMeters[] ms = meters;
      for (RequestMeters m : ms) {
        if (m.code == code && m.flags.equals(flags)) {
          return m;
        }
      }
      return add(code, flags);
    }

    private synchronized RequestMeters add(int code, String flags) {
      for (RequestMeters m : meters) {
        if (m.code == code && m.flags.equals(flags)) {
          return m;
        }
      }
      RequestMeters m = new RequestMeters(code, flags, tags);
      RequestMeters[] next = Arrays.copyOf(meters, meters.length + 1);
      next[next.length - 1] = m;
      meters = next;
      return m;
    }

    TcpMeters tcp() {
      TcpMeters t = tcp;
      if (t == null) {
        synchronized (this) {
          t = tcp;
          if (t == null) {
            t = new TcpMeters(tags);
            tcp = t;
          }
        }
      }
      return t;
    }
  }

  private final class RequestMeters {
    final int code;
    final String flags;
    final Counter requests;
    final DistributionSummary duration;
    final DistributionSummary requestBytes;
    final DistributionSummary responseBytes;

    RequestMeters(int code, String flags, Tags source) {
      this.code = code;
      this.flags = flags;
      Tags tags =
          source.and(
              "request_protocol",
              "http",
              "response_code",
              Integer.toString(code),
              // HTTP/1.1 only: no gRPC status is ever read
              "grpc_response_status",
              "",
              "response_flags",
              flags);
      requests =
          Counter.builder("istio.requests")
              .description("Requests, as Istio's proxies count them")
              .tags(tags)
              .register(registry);
      duration = histogram("istio.request.duration.milliseconds", "Request duration", tags);
      requestBytes = histogram("istio.request.bytes", "Request body sizes", tags);
      responseBytes = histogram("istio.response.bytes", "Response body sizes", tags);
    }

    private DistributionSummary histogram(String name, String description, Tags tags) {
      return DistributionSummary.builder(name)
          .description(description)
          .serviceLevelObjectives(BUCKETS)
          .tags(tags)
          .register(registry);
    }
  }

  private final class TcpMeters {
    final Counter opened;
    final Counter closed;
    final Counter sent;
    final Counter received;

    TcpMeters(Tags source) {
      Tags tags = source.and("request_protocol", "tcp", "response_flags", "-");
      opened = counter("istio.tcp.connections.opened", "TCP connections opened", tags);
      closed = counter("istio.tcp.connections.closed", "TCP connections closed", tags);
      sent = counter("istio.tcp.sent.bytes", "Bytes sent to the client in TCP tunnels", tags);
      received =
          counter(
              "istio.tcp.received.bytes", "Bytes received from the client in TCP tunnels", tags);
    }

    private Counter counter(String name, String description, Tags tags) {
      return Counter.builder(name).description(description).tags(tags).register(registry);
    }
  }
}
