package dev.wayout.model;

import static dev.wayout.model.Findings.quote;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Istio's rules for where a ServiceEntry sends traffic: {@code endpoints} per resolution (none with
 * NONE, IP addresses or unix sockets with STATIC, IPs or host names with DNS, at most one with
 * DNS_ROUND_ROBIN, none with DYNAMIC_DNS) and {@code workloadSelector}, never both. Part of {@link
 * ServiceEntryValidator}.
 */
final class EndpointValidator {

  private static final String UNIX_PREFIX = "unix://";

  private EndpointValidator() {}

  static void checkWorkloadSelector(ServiceEntry entry, String resolution, Findings f) {
    Map<String, String> selector = entry.workloadSelector();
    if (selector == null) {
      return;
    }
    if (!entry.endpoints().isEmpty()) {
      f.error(
          "spec.workloadSelector",
          "is set together with spec.endpoints",
          "use either a workloadSelector (in-cluster workloads) or endpoints, not both");
    }
    checkSelectorLabels(selector, "spec.workloadSelector.labels", f);
    if ("NONE".equals(resolution)) {
      f.warn(
          "spec.workloadSelector",
          "has no effect with resolution NONE",
          "use resolution: STATIC to send traffic to the selected workloads");
    }
  }

  /** Istio's selector rules, shared by both kinds: no empty keys, no wildcards, not empty. */
  static void checkSelectorLabels(Map<String, String> labels, String path, Findings f) {
    if (labels.isEmpty()) {
      f.warn(
          path,
          "is empty, so the selector matches every workload in the namespace",
          "add labels, e.g. app: my-client");
      return;
    }
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (label.getKey().isEmpty()) {
        f.error(path, "has an empty key", "name the label, e.g. app: my-client");
      }
      if (label.getKey().contains("*") || label.getValue().contains("*")) {
        f.error(
            path + "." + label.getKey(),
            quote(label.getKey() + "=" + label.getValue())
                + " uses a wildcard, which selectors"
                + " do not support",
            "select by exact label values");
      }
    }
  }

  static void checkEndpoints(ServiceEntry entry, String resolution, Findings f) {
    if (resolution == null) {
      return;
    }
    List<WorkloadEndpoint> endpoints = entry.endpoints();
    Set<String> portNames =
        entry.ports().stream()
            .map(ServicePort::name)
            .filter(n -> n != null && !n.isEmpty())
            .collect(Collectors.toSet());
    switch (resolution) {
      case "NONE" -> {
        if (!endpoints.isEmpty()) {
          f.error(
              "spec.endpoints",
              "endpoints are ignored with resolution NONE",
              "set resolution: STATIC (IP endpoints) or DNS (host name endpoints), or remove"
                  + " spec.endpoints");
        }
      }
      case "STATIC" -> {
        if (endpoints.isEmpty() && entry.workloadSelector() == null) {
          f.warn(
              "spec.endpoints",
              "resolution STATIC without endpoints gives the waypoint nowhere to send traffic",
              "list the upstream IP addresses under spec.endpoints, or use resolution: DNS");
        }
        for (int i = 0; i < endpoints.size(); i++) {
          checkEndpoint(endpoints.get(i), "spec.endpoints[" + i + "]", false, portNames, f);
        }
      }
      case "DNS", "DNS_ROUND_ROBIN" -> {
        if (resolution.equals("DNS_ROUND_ROBIN") && endpoints.size() > 1) {
          f.error(
              "spec.endpoints",
              "resolution DNS_ROUND_ROBIN takes at most one endpoint, "
                  + endpoints.size()
                  + " are listed",
              "use resolution: DNS for several endpoints");
        }
        for (int i = 0; i < endpoints.size(); i++) {
          checkEndpoint(endpoints.get(i), "spec.endpoints[" + i + "]", true, portNames, f);
        }
      }
      case "DYNAMIC_DNS" -> {
        if (!endpoints.isEmpty()) {
          f.error(
              "spec.endpoints",
              "endpoints cannot be set with resolution DYNAMIC_DNS; the destination comes from"
                  + " the requested host name",
              "remove spec.endpoints");
        }
      }
      default -> throw new IllegalStateException("unchecked resolution " + resolution);
    }
  }

  private static void checkEndpoint(
      WorkloadEndpoint endpoint,
      String path,
      boolean hostNamesAllowed,
      Set<String> portNames,
      Findings f) {
    String address = endpoint.address() == null ? "" : endpoint.address();
    boolean unix = false;
    if (address.isEmpty()) {
      if (endpoint.network() == null || endpoint.network().isEmpty()) {
        f.error(
            path + ".address",
            "is missing",
            hostNamesAllowed
                ? "write the upstream's IP address or host name"
                : "write the upstream's IP address");
        return;
      }
      f.warn(
          path + ".address",
          "is unset, with network " + quote(endpoint.network()),
          "write the endpoint's address if it is reachable directly");
    } else if (address.startsWith(UNIX_PREFIX) && !hostNamesAllowed) {
      unix = true;
      checkUnixAddress(address, path + ".address", f);
      if (!endpoint.ports().isEmpty()) {
        f.error(
            path + ".ports",
            "a unix socket endpoint has no ports",
            "remove the ports of " + quote(address));
      }
      if (portNames.size() != 1) {
        f.error(
            path + ".address",
            "a unix socket endpoint needs exactly one port in spec.ports, "
                + portNames.size()
                + " are declared",
            "declare one port");
      }
    } else if (!IpAddresses.isIp(address)) {
      if (!hostNamesAllowed) {
        f.error(
            path + ".address",
            quote(address) + " is not an IP address, which resolution STATIC needs",
            "write an IP address, or use resolution: DNS for host names");
      } else if (HostNames.fqdnProblem(address) != null) {
        f.error(
            path + ".address",
            quote(address)
                + " is neither an IP address nor a host name ("
                + HostNames.fqdnProblem(address)
                + ")",
            "write an IP address such as \"192.0.2.10\" or a name such as \"api.example.com\"");
      }
    } else if (IpAddresses.isLocal(address)) {
      f.warn(
          path + ".address",
          quote(address)
              + " is a loopback, link-local or unspecified address (such as a cloud metadata"
              + " service), which the waypoint never dials for an external host",
          "use the external service's public address, or a host name with resolution: DNS");
    }
    if (!unix) {
      for (Map.Entry<String, Integer> port : endpoint.ports().entrySet()) {
        String portPath = path + ".ports." + port.getKey();
        if (!portNames.contains(port.getKey())) {
          f.error(
              portPath,
              quote(port.getKey()) + " names no port in spec.ports",
              "use one of the port names " + portNames.stream().sorted().toList());
        }
        if (port.getValue() < 1 || port.getValue() > 65535) {
          f.error(portPath, port.getValue() + " is not a port", "use a number from 1 to 65535");
        }
      }
    }
    KubeLabels.check(endpoint.labels(), path + ".labels", f);
  }

  private static void checkUnixAddress(String address, String path, Findings f) {
    String socket = address.substring(UNIX_PREFIX.length());
    if (socket.isEmpty()) {
      f.error(path, quote(address) + " names no socket", "write unix:///path/to/socket");
    } else if (!socket.startsWith("@") && (!socket.startsWith("/") || socket.endsWith("/"))) {
      f.error(
          path,
          quote(address) + " is not an absolute path to a socket file",
          "write unix:///path/to/socket or unix://@abstract-name");
    }
  }
}
