package dev.wayout.waypoint.policy;

import dev.wayout.model.LoadBalancer;
import dev.wayout.model.OutlierDetection;
import dev.wayout.model.TrafficPolicy;
import java.time.Duration;
import java.util.Set;

/**
 * What one upstream cluster does with its endpoints, from the traffic policy Istio's merge gives
 * for its port and subset, with Envoy's defaults (as Istio configures Envoy) for what it leaves
 * out: how to balance, when to eject an endpoint, and the connection limits. Pure data.
 */
public record ClusterPolicy(UpstreamLimits limits, Balancing balancing, Outlier outlier) {

  /** The load-balancing algorithm; Istio's default (and UNSPECIFIED's) is LEAST_REQUEST. */
  public enum Algorithm {
    ROUND_ROBIN,
    LEAST_REQUEST,
    RANDOM,
    CONSISTENT_HASH
  }

  /** What a consistent hash is computed from. */
  public enum HashSource {
    HEADER,
    COOKIE,
    SOURCE_IP,
    QUERY_PARAMETER,
    NONE
  }

  /**
   * @param hashName the header, cookie or query parameter name (lower case for headers)
   * @param ringSize entries of the hash ring
   */
  public record Balancing(
      Algorithm algorithm, HashSource hashSource, String hashName, int ringSize) {
    public static final Balancing DEFAULT =
        new Balancing(Algorithm.LEAST_REQUEST, HashSource.NONE, null, 0);
  }

  /**
   * Envoy's consecutive-error outlier detection as Istio configures it. A threshold of 0 is off.
   *
   * @param consecutive5xx 5xx answers (or local failures, unless split) in a row that eject
   * @param consecutiveGateway 502, 503, 504 (or local failures, unless split) in a row that eject
   * @param consecutiveLocal connect failures, timeouts and resets in a row, when split
   * @param errorCodes the status codes counted as errors instead of 5xx (empty: 5xx)
   */
  public record Outlier(
      int consecutive5xx,
      int consecutiveGateway,
      int consecutiveLocal,
      boolean splitLocal,
      Duration interval,
      Duration baseEjectionTime,
      int maxEjectionPercent,
      int minHealthPercent,
      Set<Integer> errorCodes) {

    public Outlier {
      errorCodes = Set.copyOf(errorCodes);
    }
  }

  private static final int DEFAULT_RING = 1024;
  private static final int MAX_RING = 8192;

  public static ClusterPolicy of(
      TrafficPolicy effective, Duration connectTimeout, Duration idleTimeout) {
    return new ClusterPolicy(
        UpstreamLimits.of(effective.connectionPool(), connectTimeout, idleTimeout),
        balancing(effective.loadBalancer()),
        outlier(effective.outlierDetection()));
  }

  static Balancing balancing(LoadBalancer lb) {
    if (lb == null) {
      return Balancing.DEFAULT;
    }
    if (lb.hash() != null) {
      LoadBalancer.ConsistentHash h = lb.hash();
      Integer requested =
          h.ringHashMinimumRingSize() != null && h.ringHashMinimumRingSize() > 0
              ? h.ringHashMinimumRingSize()
              : h.minimumRingSize() != null && h.minimumRingSize() > 0
                  ? h.minimumRingSize()
                  : h.maglevTableSize();
      int ring = requested == null || requested <= 0 ? DEFAULT_RING : Math.min(requested, MAX_RING);
      if (h.httpHeaderName() != null) {
        return hash(HashSource.HEADER, h.httpHeaderName().toLowerCase(java.util.Locale.ROOT), ring);
      }
      if (h.httpCookie() != null) {
        return hash(HashSource.COOKIE, h.httpCookie().name(), ring);
      }
      if (Boolean.TRUE.equals(h.useSourceIp())) {
        return hash(HashSource.SOURCE_IP, null, ring);
      }
      if (h.httpQueryParameterName() != null) {
        return hash(HashSource.QUERY_PARAMETER, h.httpQueryParameterName(), ring);
      }
      return hash(HashSource.NONE, null, ring);
    }
    return switch (lb.simple()) {
      case "ROUND_ROBIN" -> new Balancing(Algorithm.ROUND_ROBIN, HashSource.NONE, null, 0);
      case "RANDOM" -> new Balancing(Algorithm.RANDOM, HashSource.NONE, null, 0);
      default -> Balancing.DEFAULT; // LEAST_REQUEST, LEAST_CONN, UNSPECIFIED, PASSTHROUGH, none
    };
  }

  private static Balancing hash(HashSource source, String name, int ring) {
    return new Balancing(Algorithm.CONSISTENT_HASH, source, name, ring);
  }

  /** Envoy's defaults where Istio sets nothing: 5 in a row, every 10s, 30s, at most 10%. */
  static Outlier outlier(OutlierDetection o) {
    if (o == null) {
      return null;
    }
    int fiveXx = o.consecutive5xxErrors() == null ? 5 : o.consecutive5xxErrors();
    int gateway = o.consecutiveGatewayErrors() == null ? 0 : o.consecutiveGatewayErrors();
    boolean split = o.splitsLocalOriginErrors();
    int local =
        !split
            ? 0
            : o.consecutiveLocalOriginFailures() != null && o.consecutiveLocalOriginFailures() > 0
                ? o.consecutiveLocalOriginFailures()
                : 5;
    return new Outlier(
        fiveXx,
        gateway,
        local,
        split,
        o.interval() == null ? Duration.ofSeconds(10) : o.interval(),
        o.baseEjectionTime() == null ? Duration.ofSeconds(30) : o.baseEjectionTime(),
        o.maxEjectionPercent() != null && o.maxEjectionPercent() > 0 ? o.maxEjectionPercent() : 10,
        o.minHealthPercent() == null ? 0 : Math.max(0, o.minHealthPercent()),
        Set.copyOf(o.outlierDetectionHttpErrorCodes()));
  }
}
