package dev.wayout.waypoint.upstream;

import dev.wayout.model.ServicePort;
import dev.wayout.waypoint.policy.ClusterPolicy;
import dev.wayout.waypoint.policy.UpstreamLimits;
import io.netty.handler.codec.http.HttpRequest;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream cluster, as Envoy has one per (host, port, subset): {@code outbound|80|v1|host}.
 * Built once per policy snapshot with its endpoints (all of the ServiceEntry's, or a subset's by
 * labels), its TLS settings and the merged traffic policy; on the request path it picks an endpoint
 * ({@link #pick}) and learns from the answers ({@link #answered}) which endpoints to eject.
 * Everything it keeps is lock-free except an ejection, which is rare.
 *
 * <p>This is where a route's destination lands: the default cluster of a {@code Route}, or {@code
 * Route.cluster(subset)} for a VirtualService destination with a subset.
 */
public final class UpstreamCluster {

  private static final long MAX_EJECTION_NANOS = Duration.ofSeconds(300).toNanos();

  private final String name;
  private final String host;
  private final String subset;
  private final ServicePort port;
  private final String resolution;
  private final UpstreamTls tls;
  private final UpstreamLimits limits;
  private final ClusterPolicy.Balancing balancing;
  private final ClusterPolicy.Outlier outlier;
  private final ClusterEndpoint[] endpoints;
  private final String whyEmpty;
  private final HashRing ring;
  private final boolean countsActive;
  private final long startNanos = System.nanoTime();
  private final AtomicInteger roundRobin = new AtomicInteger();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger retries = new AtomicInteger();
  private final AtomicInteger ejectedCount = new AtomicInteger();

  /**
   * @param host the ServiceEntry host (possibly a wildcard)
   * @param subset the subset's name, or "" for the whole host
   * @param resolution the ServiceEntry's resolution (STATIC, DNS, NONE, DYNAMIC_DNS, ...)
   * @param tls null when the waypoint speaks plain HTTP to the upstream
   */
  public UpstreamCluster(
      String host,
      String subset,
      ServicePort port,
      String resolution,
      List<ClusterEndpoint> endpoints,
      UpstreamTls tls,
      ClusterPolicy policy) {
    this(
        "outbound|" + port.number() + "|" + subset + "|" + host,
        host,
        subset,
        port,
        resolution,
        endpoints,
        tls,
        policy,
        null);
  }

  /**
   * A cluster with a name of its own (a peer waypoint's Service).
   *
   * @param whyEmpty what a request is told when there are no endpoints (null: the generic "no
   *     endpoint matches")
   */
  public UpstreamCluster(
      String name,
      String host,
      String subset,
      ServicePort port,
      String resolution,
      List<ClusterEndpoint> endpoints,
      UpstreamTls tls,
      ClusterPolicy policy,
      String whyEmpty) {
    this.name = name;
    this.whyEmpty = whyEmpty;
    this.host = host;
    this.subset = subset;
    this.port = port;
    this.resolution = resolution;
    this.tls = tls;
    this.limits = policy.limits();
    this.balancing = policy.balancing();
    this.outlier = policy.outlier();
    this.endpoints = endpoints.toArray(new ClusterEndpoint[0]);
    this.ring =
        balancing.algorithm() == ClusterPolicy.Algorithm.CONSISTENT_HASH
                && this.endpoints.length > 1
            ? HashRing.of(this.endpoints, balancing.ringSize())
            : null;
    this.countsActive =
        balancing.algorithm() == ClusterPolicy.Algorithm.LEAST_REQUEST && this.endpoints.length > 1;
  }

  /** Envoy's cluster name, as the access log's {@code upstream_cluster} prints it. */
  public String name() {
    return name;
  }

  public String host() {
    return host;
  }

  public String subset() {
    return subset;
  }

  public ServicePort port() {
    return port;
  }

  public String resolution() {
    return resolution;
  }

  public UpstreamTls tls() {
    return tls;
  }

  public UpstreamLimits limits() {
    return limits;
  }

  public List<ClusterEndpoint> endpoints() {
    return List.of(endpoints);
  }

  /** Why a request finds no endpoint here when there are none, or null for the generic reason. */
  public String whyEmpty() {
    return whyEmpty;
  }

  public ClusterPolicy.Balancing balancing() {
    return balancing;
  }

  public ClusterPolicy.Outlier outlier() {
    return outlier;
  }

  boolean countsActive() {
    return countsActive;
  }

  /**
   * The endpoint for a request, by the cluster's load balancer among those not ejected, or null
   * when there is none (no endpoint matches the subset, or all are ejected): Envoy's "no healthy
   * upstream", UH. With fewer healthy endpoints than {@code minHealthPercent}, ejections are
   * ignored (Envoy's panic mode; Istio's default of 0 never panics).
   */
  public ClusterEndpoint pick(HttpRequest request, SocketAddress client) {
    ClusterEndpoint[] eps = endpoints;
    int n = eps.length;
    if (n == 0) {
      return null;
    }
    boolean skipEjected = false;
    if (outlier != null && ejectedCount.get() > 0) {
      returnEjected(System.nanoTime());
      int ejected = ejectedCount.get();
      skipEjected =
          ejected > 0 && (long) (n - ejected) * 100 >= (long) outlier.minHealthPercent() * n;
    }
    if (n == 1) {
      return skipEjected && eps[0].ejected() ? null : eps[0];
    }
    return switch (balancing.algorithm()) {
      case ROUND_ROBIN ->
          firstFrom(eps, Math.floorMod(roundRobin.getAndIncrement(), n), skipEjected);
      case RANDOM -> firstFrom(eps, ThreadLocalRandom.current().nextInt(n), skipEjected);
      case LEAST_REQUEST -> leastRequest(eps, skipEjected);
      case CONSISTENT_HASH -> {
        long hash = HashKeys.hash(balancing, request, client);
        yield hash == HashKeys.NO_HASH
            ? firstFrom(eps, ThreadLocalRandom.current().nextInt(n), skipEjected)
            : ring.pick(hash, skipEjected);
      }
    };
  }

  private static ClusterEndpoint firstFrom(ClusterEndpoint[] eps, int start, boolean skipEjected) {
    int n = eps.length;
    for (int i = 0; i < n; i++) {
      ClusterEndpoint e = eps[(start + i) % n];
      if (!skipEjected || !e.ejected()) {
        return e;
      }
    }
    return null;
  }

  /** Envoy's LEAST_REQUEST with equal weights: the less busy of two picked at random. */
  private static ClusterEndpoint leastRequest(ClusterEndpoint[] eps, boolean skipEjected) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    ClusterEndpoint a = firstFrom(eps, random.nextInt(eps.length), skipEjected);
    ClusterEndpoint b = firstFrom(eps, random.nextInt(eps.length), skipEjected);
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    return b.active.get() < a.active.get() ? b : a;
  }

  /**
   * Learns from an upstream's answer. Returns true when it ejected the endpoint (for the metric).
   * Envoy's rules: a 5xx (or a code of {@code outlierDetectionHttpErrorCodes}) counts towards
   * consecutive5xxErrors, a 502/503/504 also towards consecutiveGatewayErrors, anything else resets
   * both; reaching a threshold ejects.
   */
  public boolean answered(ClusterEndpoint e, int status) {
    ClusterPolicy.Outlier o = outlier;
    if (o == null || e == null) {
      return false;
    }
    boolean error =
        o.errorCodes().isEmpty() ? status >= 500 && status < 600 : o.errorCodes().contains(status);
    if (!error) {
      if (e.consecutive5xx.get() != 0) {
        e.consecutive5xx.set(0);
      }
      if (e.consecutiveGateway.get() != 0) {
        e.consecutiveGateway.set(0);
      }
      return false;
    }
    return countError(e, status);
  }

  /**
   * Learns from a failure of the waypoint's own making: a failed connect or TLS handshake (as 503),
   * a timeout (504), a reset (503). Counted with the upstream's errors unless {@code
   * splitExternalLocalOriginErrors}, then towards consecutiveLocalOriginFailures alone.
   */
  public boolean failedLocally(ClusterEndpoint e, int asStatus) {
    ClusterPolicy.Outlier o = outlier;
    if (o == null || e == null) {
      return false;
    }
    if (o.splitLocal()) {
      return o.consecutiveLocal() > 0
          && e.consecutiveLocal.incrementAndGet() == o.consecutiveLocal()
          && eject(e);
    }
    return countError(e, asStatus);
  }

  private boolean countError(ClusterEndpoint e, int status) {
    ClusterPolicy.Outlier o = outlier;
    boolean reached = false;
    if (status == 502 || status == 503 || status == 504) {
      reached =
          o.consecutiveGateway() > 0
              && e.consecutiveGateway.incrementAndGet() == o.consecutiveGateway();
    } else if (e.consecutiveGateway.get() != 0) {
      e.consecutiveGateway.set(0);
    }
    if (o.consecutive5xx() > 0 && e.consecutive5xx.incrementAndGet() == o.consecutive5xx()) {
      reached = true;
    }
    return reached && eject(e);
  }

  /**
   * Ejects the endpoint unless that would eject more than maxEjectionPercent of the cluster (Envoy:
   * (ejected + 1) / endpoints, in percent, at most the maximum). It returns at the first interval
   * tick after baseEjectionTime times its number of ejections (at most 300s, or the base time if
   * longer), as Envoy's interval timer returns it. The counters restart either way.
   */
  private synchronized boolean eject(ClusterEndpoint e) {
    e.consecutive5xx.set(0);
    e.consecutiveGateway.set(0);
    e.consecutiveLocal.set(0);
    if (e.ejectedUntil != 0) {
      return false;
    }
    if (100.0 * (ejectedCount.get() + 1) / endpoints.length > outlier.maxEjectionPercent()) {
      return false;
    }
    e.ejections++;
    long base = outlier.baseEjectionTime().toNanos();
    long duration = Math.min(base * e.ejections, Math.max(base, MAX_EJECTION_NANOS));
    long interval = Math.max(1, outlier.interval().toNanos());
    long due = System.nanoTime() + duration;
    long ticks = Math.floorDiv(due - startNanos + interval - 1, interval);
    long until = startNanos + ticks * interval;
    ejectedCount.incrementAndGet();
    e.ejectedUntil = until == 0 ? 1 : until;
    return true;
  }

  /** Lock-free: an endpoint whose time is up is returned by whichever loop sees it first. */
  private void returnEjected(long now) {
    for (ClusterEndpoint e : endpoints) {
      long until = e.ejectedUntil;
      if (until != 0 && now - until >= 0 && e.returnFromEjection(until)) {
        ejectedCount.decrementAndGet();
      }
    }
  }

  /** Endpoints ejected now (for tests and the admin view). */
  public int ejected() {
    if (outlier != null && ejectedCount.get() > 0) {
      returnEjected(System.nanoTime());
    }
    return ejectedCount.get();
  }

  @Override
  public String toString() {
    return name;
  }
}
