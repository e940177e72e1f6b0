package dev.wayout.model;

import java.time.Duration;

/**
 * {@code trafficPolicy.loadBalancer}: the simple policy name as written (ROUND_ROBIN,
 * LEAST_REQUEST, RANDOM, PASSTHROUGH), whether consistentHash or localityLbSetting were set, which
 * the validator checks for conflicts, and the parts of consistentHash and warmup that Istio
 * constrains (null when absent).
 */
public record LoadBalancer(
    String simple,
    boolean consistentHash,
    boolean localityLbSetting,
    ConsistentHash hash,
    Warmup warmup) {

  public LoadBalancer {
    simple = simple == null ? "" : simple;
  }

  public LoadBalancer(String simple, boolean consistentHash, boolean localityLbSetting) {
    this(simple, consistentHash, localityLbSetting, null, null);
  }

  /**
   * {@code consistentHash}: an HTTP cookie (which needs a name), the deprecated {@code
   * minimumRingSize}, and the ring hash or Maglev algorithm with its table size.
   */
  public record ConsistentHash(
      boolean httpCookie,
      String httpCookieName,
      Integer minimumRingSize,
      boolean ringHash,
      boolean maglev,
      Integer maglevTableSize) {}

  /** {@code warmup}: ramp up traffic to new endpoints over {@code duration}. */
  public record Warmup(Duration duration, Double minimumPercent, Double aggression) {}
}
