package dev.wayout.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code trafficPolicy.loadBalancer}: the simple policy name as written (ROUND_ROBIN,
 * LEAST_REQUEST, RANDOM, PASSTHROUGH, ""), or a consistent hash, plus the locality, zone-aware,
 * backend-utilization and warmup blocks (null when absent).
 */
public record LoadBalancer(
    String simple,
    ConsistentHash hash,
    Locality localityLbSetting,
    Locality zoneAwareLbSetting,
    BackendUtilization backendUtilization,
    Warmup warmup,
    Duration warmupDurationSecs) {

  public LoadBalancer {
    simple = simple == null ? "" : simple;
  }

  /** Whether {@code simple} was written (an empty string counts, as in the CRD's oneOf). */
  public boolean hasSimple() {
    return !simple.isEmpty();
  }

  public boolean consistentHash() {
    return hash != null;
  }

  /**
   * {@code consistentHash}: one hash key (header, cookie, source IP or query parameter), the
   * deprecated {@code minimumRingSize}, and the ring hash or Maglev algorithm.
   */
  public record ConsistentHash(
      String httpHeaderName,
      HttpCookie httpCookie,
      Boolean useSourceIp,
      String httpQueryParameterName,
      Integer minimumRingSize,
      boolean ringHash,
      Integer ringHashMinimumRingSize,
      boolean maglev,
      Integer maglevTableSize) {

    public boolean httpCookiePresent() {
      return httpCookie != null;
    }

    /** How many of the four hash keys are set (the CRD allows at most one). */
    public int hashKeys() {
      return (httpHeaderName != null ? 1 : 0)
          + (httpCookie != null ? 1 : 0)
          + (useSourceIp != null ? 1 : 0)
          + (httpQueryParameterName != null ? 1 : 0);
    }
  }

  /** {@code consistentHash.httpCookie}. */
  public record HttpCookie(String name, String path, Duration ttl, List<Attribute> attributes) {
    public HttpCookie {
      attributes = attributes == null ? List.of() : List.copyOf(attributes);
    }
  }

  /** One of {@code httpCookie.attributes}. */
  public record Attribute(String name, String value) {}

  /**
   * {@code localityLbSetting} or {@code zoneAwareLbSetting}: weighted distribution between
   * localities, failover between regions, failover priority labels.
   */
  public record Locality(
      List<Distribute> distribute,
      List<Failover> failover,
      List<String> failoverPriority,
      Boolean enabled,
      Integer minClusterSize) {
    public Locality {
      distribute = distribute == null ? List.of() : List.copyOf(distribute);
      failover = failover == null ? List.of() : List.copyOf(failover);
      failoverPriority = failoverPriority == null ? List.of() : List.copyOf(failoverPriority);
    }
  }

  /** One {@code distribute} rule: traffic from a locality split over others by weight. */
  public record Distribute(String from, Map<String, Integer> to) {
    public Distribute {
      from = from == null ? "" : from;
      to =
          to == null
              ? Map.of()
              : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(to));
    }
  }

  /** One {@code failover} rule: from one region to another. */
  public record Failover(String from, String to) {
    public Failover {
      from = from == null ? "" : from;
      to = to == null ? "" : to;
    }
  }

  /** {@code backendUtilization} (client-side weighted round robin), which Wayout does not run. */
  public record BackendUtilization(Integer errorUtilizationPenaltyPercent) {}

  /** {@code warmup}: ramp up traffic to new endpoints over {@code duration}. */
  public record Warmup(Duration duration, Double minimumPercent, Double aggression) {}
}
