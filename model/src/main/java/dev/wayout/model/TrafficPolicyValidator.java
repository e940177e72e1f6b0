package dev.wayout.model;

import static dev.wayout.model.Findings.quote;
import static dev.wayout.model.PolicyChecks.ignored;
import static dev.wayout.model.PolicyChecks.nonNegative;
import static dev.wayout.model.PolicyChecks.percent;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Istio's validateTrafficPolicy and validatePortTrafficPolicies (pkg/config/validation) for a
 * {@code trafficPolicy} of a DestinationRule or one of its subsets: each block is checked by its
 * own validator, each finding at its field path. Tunnel, PROXY protocol and retry budgets are
 * checked as Istio does and admitted with a warning, since the waypoint does not apply them.
 */
final class TrafficPolicyValidator {

  private static final int MAX_PORT_SETTINGS = 4096;
  private static final Set<String> PROXY_PROTOCOL_VERSIONS = Set.of("V1", "V2");

  private TrafficPolicyValidator() {}

  static void check(TrafficPolicy policy, String namespace, String path, Findings f) {
    if (policy == null || policy == TrafficPolicy.NONE) {
      return;
    }
    if (policy.isEmpty()) {
      f.error(
          path,
          "sets nothing",
          "add connectionPool, loadBalancer, outlierDetection, tls or portLevelSettings, or"
              + " remove trafficPolicy");
      return;
    }
    if (policy.tunnel() != null && policy.proxyProtocol() != null) {
      f.error(
          path,
          "sets both tunnel and proxyProtocol, which exclude each other",
          "keep one of tunnel and proxyProtocol");
      return;
    }
    OutlierDetectionValidator.check(policy.outlierDetection(), path + ".outlierDetection", f);
    ConnectionPoolValidator.check(policy.connectionPool(), path + ".connectionPool", f);
    LoadBalancerValidator.check(
        policy.loadBalancer(), policy.outlierDetection(), path + ".loadBalancer", f);
    ClientTlsValidator.check(policy.tls(), namespace, path + ".tls", f);
    checkPortLevelSettings(policy, namespace, path + ".portLevelSettings", f);
    checkTunnel(policy.tunnel(), path + ".tunnel", f);
    checkProxyProtocol(policy.proxyProtocol(), path + ".proxyProtocol", f);
    checkRetryBudget(policy.retryBudget(), path + ".retryBudget", f);
  }

  private static void checkPortLevelSettings(
      TrafficPolicy policy, String namespace, String path, Findings f) {
    if (policy.portLevelSettings().size() > MAX_PORT_SETTINGS) {
      f.error(
          path,
          policy.portLevelSettings().size() + " entries are more than 4096",
          "merge the settings of ports that share them");
    }
    Map<Integer, Integer> seen = new HashMap<>();
    for (int i = 0; i < policy.portLevelSettings().size(); i++) {
      PortTrafficPolicy port = policy.portLevelSettings().get(i);
      String at = path + "[" + i + "]";
      if (port.port() == null) {
        f.error(
            at + ".port",
            "is missing",
            "name the ServiceEntry port these settings are for, e.g. port: {number: 80}");
      } else if (port.port() < 0) {
        f.error(at + ".port.number", port.port() + " is negative", "use a number from 1 to 65535");
      } else if (port.port() < 1 || port.port() > 65535) {
        // Istio accepts the entry; it simply never matches a port.
        f.warn(
            at + ".port.number",
            port.port() + " is not a port, so these settings never apply",
            "use the number of a ServiceEntry port, from 1 to 65535");
      } else {
        Integer previous = seen.putIfAbsent(port.port(), i);
        if (previous != null) {
          f.warn(
              at + ".port.number",
              port.port()
                  + " already has settings in "
                  + path
                  + "["
                  + previous
                  + "], which apply instead of these",
              "merge the settings for port " + port.port() + " into one entry");
        }
      }
      if (port.connectionPool() == null
          && port.loadBalancer() == null
          && port.outlierDetection() == null
          && port.tls() == null) {
        f.error(
            at,
            "sets nothing for the port",
            "add tls, connectionPool, loadBalancer or outlierDetection, or remove the entry");
        continue;
      }
      OutlierDetectionValidator.check(port.outlierDetection(), at + ".outlierDetection", f);
      ConnectionPoolValidator.check(port.connectionPool(), at + ".connectionPool", f);
      LoadBalancerValidator.check(
          port.loadBalancer(), port.outlierDetection(), at + ".loadBalancer", f);
      ClientTlsValidator.check(port.tls(), namespace, at + ".tls", f);
    }
  }

  private static void checkTunnel(TrafficPolicy.Tunnel tunnel, String path, Findings f) {
    if (tunnel == null) {
      return;
    }
    String protocol = tunnel.protocol();
    if (protocol != null
        && !protocol.isEmpty()
        && !protocol.equals("CONNECT")
        && !protocol.equals("POST")) {
      f.error(
          path + ".protocol", quote(protocol) + " is not CONNECT or POST", "use CONNECT or POST");
    }
    String host = tunnel.targetHost();
    if (host == null) {
      f.error(path + ".targetHost", "is missing", "name the host behind the tunnel");
    } else if (HostNames.fqdnProblem(host) != null && !IpAddresses.isIp(host)) {
      f.error(
          path + ".targetHost",
          quote(host) + " is neither a host name nor an IP address",
          "name the host behind the tunnel, e.g. \"api.example.com\"");
    }
    Integer port = tunnel.targetPort();
    if (port == null) {
      f.error(path + ".targetPort", "is missing", "use the port behind the tunnel, e.g. 443");
    } else if (port < 1 || port > 65535) {
      f.error(path + ".targetPort", port + " is not a port", "use a number from 1 to 65535");
    }
    ignored(tunnel, path, "it dials the upstream directly, never through a tunnel proxy", f);
  }

  private static void checkProxyProtocol(
      TrafficPolicy.ProxyProtocol proxy, String path, Findings f) {
    if (proxy == null) {
      return;
    }
    if (proxy.version() != null && !PROXY_PROTOCOL_VERSIONS.contains(proxy.version())) {
      f.error(path + ".version", quote(proxy.version()) + " is not V1 or V2", "use V1 or V2");
    }
    ignored(proxy, path, "it sends no PROXY protocol header to the upstream", f);
  }

  private static void checkRetryBudget(TrafficPolicy.RetryBudget budget, String path, Findings f) {
    if (budget == null) {
      return;
    }
    percent(budget.percent(), path + ".percent", f);
    nonNegative(budget.minRetryConcurrency(), path + ".minRetryConcurrency", f);
    ignored(
        budget,
        path,
        "it retries a request at most once, and only a connect failure or a pooled connection"
            + " the upstream had closed",
        f);
  }
}
