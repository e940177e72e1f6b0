package dev.wayout.model;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code trafficPolicy} of a DestinationRule or of one of its subsets. {@link #effective} is
 * Istio's merge of host-wide, port-level and subset settings for one port.
 */
public record TrafficPolicy(
    ConnectionPool connectionPool,
    LoadBalancer loadBalancer,
    OutlierDetection outlierDetection,
    ClientTls tls,
    List<PortTrafficPolicy> portLevelSettings,
    Tunnel tunnel,
    ProxyProtocol proxyProtocol,
    RetryBudget retryBudget) {

  public static final TrafficPolicy NONE =
      new TrafficPolicy(null, null, null, null, List.of(), null, null, null);

  public TrafficPolicy {
    portLevelSettings = portLevelSettings == null ? List.of() : List.copyOf(portLevelSettings);
  }

  public TrafficPolicy(
      ConnectionPool connectionPool,
      LoadBalancer loadBalancer,
      OutlierDetection outlierDetection,
      ClientTls tls,
      List<PortTrafficPolicy> portLevelSettings) {
    this(connectionPool, loadBalancer, outlierDetection, tls, portLevelSettings, null, null, null);
  }

  /** {@code tunnel}: HTTP CONNECT/POST tunnelling to a proxy, which Wayout does not do. */
  public record Tunnel(String protocol, String targetHost, Integer targetPort) {}

  /** {@code proxyProtocol}: the PROXY protocol header to send upstream (V1 or V2). */
  public record ProxyProtocol(String version) {}

  /** {@code retryBudget}: retries as a share of active requests. */
  public record RetryBudget(Double percent, Integer minRetryConcurrency, Duration budgetInterval) {}

  /** Whether no field at all is set (Istio refuses such a policy). */
  public boolean isEmpty() {
    return connectionPool == null
        && loadBalancer == null
        && outlierDetection == null
        && tls == null
        && portLevelSettings.isEmpty()
        && tunnel == null
        && proxyProtocol == null
        && retryBudget == null;
  }

  /** The first port-level entry for the port, as Istio picks it, or null. */
  public PortTrafficPolicy portLevel(int port) {
    for (PortTrafficPolicy p : portLevelSettings) {
      if (p.port() != null && p.port() == port) {
        return p;
      }
    }
    return null;
  }

  /**
   * The policy for one port: the port-level entry replaces the host-wide connectionPool,
   * loadBalancer, outlierDetection and tls wholesale (a field it leaves out takes the default, it
   * is not inherited), as Istio's GetPortLevelTrafficPolicy does.
   */
  public TrafficPolicy forPort(int port) {
    PortTrafficPolicy p = portLevel(port);
    return p == null ? this : p.asPolicy();
  }

  /**
   * Istio's MergeSubsetTrafficPolicy: the rule's policy for the port, then each block the subset's
   * policy (for the port) sets replaces the rule's; when the subset has port-level settings for the
   * port, all four blocks come from them, set or not.
   */
  public static TrafficPolicy effective(TrafficPolicy rule, TrafficPolicy subset, int port) {
    TrafficPolicy base = rule == null ? null : rule.forPort(port);
    if (subset == null) {
      return base == null ? NONE : base;
    }
    boolean subsetPortLevel = subset.portLevel(port) != null;
    TrafficPolicy own = subset.forPort(port);
    if (base == null) {
      return own;
    }
    return new TrafficPolicy(
        own.connectionPool != null || subsetPortLevel ? own.connectionPool : base.connectionPool,
        own.loadBalancer != null || subsetPortLevel ? own.loadBalancer : base.loadBalancer,
        own.outlierDetection != null || subsetPortLevel
            ? own.outlierDetection
            : base.outlierDetection,
        own.tls != null || subsetPortLevel ? own.tls : base.tls,
        List.of(),
        own.tunnel != null ? own.tunnel : base.tunnel,
        own.proxyProtocol != null ? own.proxyProtocol : base.proxyProtocol,
        own.retryBudget != null ? own.retryBudget : base.retryBudget);
  }

  /** The TLS settings for a port (port-level settings replace the host-wide ones, as in Istio). */
  public Optional<ClientTls> tlsFor(int port) {
    return Optional.ofNullable(forPort(port).tls);
  }

  /** The connection pool for a port (port-level settings replace the host-wide ones). */
  public Optional<ConnectionPool> connectionPoolFor(int port) {
    return Optional.ofNullable(forPort(port).connectionPool);
  }
}
