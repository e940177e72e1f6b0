package dev.wayout.model;

import java.util.List;
import java.util.Optional;

/** {@code trafficPolicy} of a DestinationRule or of one of its subsets. */
public record TrafficPolicy(
    ConnectionPool connectionPool,
    LoadBalancer loadBalancer,
    OutlierDetection outlierDetection,
    ClientTls tls,
    List<PortTrafficPolicy> portLevelSettings) {

  public static final TrafficPolicy NONE = new TrafficPolicy(null, null, null, null, List.of());

  public TrafficPolicy {
    portLevelSettings = portLevelSettings == null ? List.of() : List.copyOf(portLevelSettings);
  }

  /** The TLS settings for a port: the port-level ones win over the host-wide ones, as in Istio. */
  public Optional<ClientTls> tlsFor(int port) {
    return portLevelSettings.stream()
        .filter(p -> p.port() != null && p.port() == port && p.tls() != null)
        .map(PortTrafficPolicy::tls)
        .findFirst()
        .or(() -> Optional.ofNullable(tls));
  }

  /** The connection pool for a port: port-level wins over host-wide. */
  public Optional<ConnectionPool> connectionPoolFor(int port) {
    return portLevelSettings.stream()
        .filter(p -> p.port() != null && p.port() == port && p.connectionPool() != null)
        .map(PortTrafficPolicy::connectionPool)
        .findFirst()
        .or(() -> Optional.ofNullable(connectionPool));
  }
}
