package dev.wayout.model;

/**
 * {@code trafficPolicy.loadBalancer}: the simple policy name as written (ROUND_ROBIN,
 * LEAST_REQUEST, RANDOM, PASSTHROUGH), and whether consistentHash or localityLbSetting were set,
 * which the validator checks for conflicts.
 */
public record LoadBalancer(String simple, boolean consistentHash, boolean localityLbSetting) {

  public LoadBalancer {
    simple = simple == null ? "" : simple;
  }
}
