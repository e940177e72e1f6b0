package dev.wayout.model;

/**
 * One entry of {@code trafficPolicy.portLevelSettings}: settings for one port of the host. {@code
 * port} is null when the entry has no {@code port}, 0 when {@code port} has no number.
 */
public record PortTrafficPolicy(
    Integer port,
    ConnectionPool connectionPool,
    LoadBalancer loadBalancer,
    OutlierDetection outlierDetection,
    ClientTls tls) {

  /** The entry as a traffic policy of its own: port-level settings replace, never inherit. */
  public TrafficPolicy asPolicy() {
    return new TrafficPolicy(connectionPool, loadBalancer, outlierDetection, tls, null);
  }
}
