package dev.wayout.model;

import static dev.wayout.model.Findings.quote;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one validator for ServiceEntries that the webhook, the CLI and the waypoint all call. Follows
 * Istio's own rules for the kind (pkg/config/validation and the CRD's schema rules), plus
 * egress-specific warnings for what is legal but risky. Pure; checks that need other objects live
 * in {@link RegistryValidator}.
 */
public final class ServiceEntryValidator {

  static final Set<String> RESOLUTIONS =
      Set.of("NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS");
  static final Set<String> LOCATIONS = Set.of("MESH_EXTERNAL", "MESH_INTERNAL");

  /** Istio's protocol names, compared ignoring case; "" means "sniff". */
  static final Set<String> PROTOCOLS =
      Set.of(
          "HTTP",
          "HTTPS",
          "HTTP2",
          "HTTP_PROXY",
          "GRPC",
          "GRPC-WEB",
          "TLS",
          "TCP",
          "UDP",
          "MONGO",
          "REDIS",
          "MYSQL");

  /** What Envoy's dynamic forward proxy can serve; Istio refuses the rest for DYNAMIC_DNS. */
  private static final Set<String> DYNAMIC_DNS_PROTOCOLS = Set.of("HTTP", "TLS", "GRPC", "HTTP2");

  private ServiceEntryValidator() {}

  public static Validation validate(ServiceEntry entry) {
    Findings f = new Findings();
    String resolution = checkResolution(entry, f);
    checkLocation(entry, resolution, f);
    checkHosts(entry, resolution, f);
    checkAddresses(entry, resolution, f);
    checkPorts(entry, resolution, f);
    EndpointValidator.checkWorkloadSelector(entry, resolution, f);
    EndpointValidator.checkEndpoints(entry, resolution, f);
    ExportTo.check(entry.exportTo(), entry.namespace(), true, false, f);
    return f.toValidation();
  }

  /** The resolution with Istio's default, or null when the value is not one Istio knows. */
  private static String checkResolution(ServiceEntry entry, Findings f) {
    String resolution = entry.effectiveResolution();
    if (!RESOLUTIONS.contains(resolution)) {
      f.error(
          "spec.resolution",
          quote(entry.resolution()) + " is not a resolution Istio knows",
          "use DNS (look up the hosts), DYNAMIC_DNS (wildcard hosts), STATIC (IP endpoints) or"
              + " NONE");
      return null;
    }
    return resolution;
  }

  private static void checkLocation(ServiceEntry entry, String resolution, Findings f) {
    String location = entry.effectiveLocation();
    if (!LOCATIONS.contains(location)) {
      f.error(
          "spec.location",
          quote(entry.location()) + " is not a location Istio knows",
          "use MESH_EXTERNAL for services outside the cluster");
      return;
    }
    if (location.equals("MESH_INTERNAL")) {
      if ("DYNAMIC_DNS".equals(resolution) && usesWaypoint(entry)) {
        f.error(
            "spec.location",
            "MESH_INTERNAL with resolution DYNAMIC_DNS is not supported through a waypoint",
            "use location: MESH_EXTERNAL");
      } else {
        f.warn(
            "spec.location",
            "MESH_INTERNAL in an egress registry treats the host as part of the mesh (mTLS,"
                + " in-mesh identity) although it is reached through the egress waypoint",
            "use MESH_EXTERNAL for services outside the cluster");
      }
    }
  }

  private static boolean usesWaypoint(ServiceEntry entry) {
    String waypoint = entry.useWaypoint();
    return waypoint != null && !waypoint.isEmpty() && !waypoint.equalsIgnoreCase("none");
  }

  private static void checkHosts(ServiceEntry entry, String resolution, Findings f) {
    if (entry.hosts().isEmpty()) {
      f.error(
          "spec.hosts",
          "no hosts are listed",
          "list the external hostnames workloads call, e.g. \"api.example.com\"");
      return;
    }
    boolean dynamic = "DYNAMIC_DNS".equals(resolution);
    boolean dnsWithoutEndpoints =
        ("DNS".equals(resolution) || "DNS_ROUND_ROBIN".equals(resolution))
            && entry.endpoints().isEmpty();
    for (int i = 0; i < entry.hosts().size(); i++) {
      String host = entry.hosts().get(i);
      String path = "spec.hosts[" + i + "]";
      if (host.equals("*")) {
        f.error(
            path,
            "\"*\" matches every host",
            "list the exact external hostnames, e.g. \"api.example.com\", or a domain wildcard"
                + " such as \"*.example.com\" with resolution: DYNAMIC_DNS");
        continue;
      }
      String problem = HostNames.wildcardDomainProblem(host);
      if (problem != null) {
        f.error(
            path,
            quote(host) + " " + problem,
            IpAddresses.isIp(host)
                ? "put IP addresses in spec.addresses and a host name here"
                : "write a DNS name such as \"api.example.com\" or \"*.example.com\"");
        continue;
      }
      if (host.contains("*") && !host.startsWith("*.") && !dynamic) {
        f.warn(
            path,
            quote(host) + " is a partial wildcard, which Istio does not match as written",
            "use a whole-label wildcard such as \"*.example.com\"");
      }
      if (dynamic && !HostNames.isWildcard(host)) {
        f.error(
            path,
            quote(host)
                + " is not a wildcard, and resolution DYNAMIC_DNS serves only wildcard"
                + " hosts",
            "use resolution: DNS for exact host names; DYNAMIC_DNS is for wildcards such as "
                + quote(parentWildcard(host)));
      }
      if (dnsWithoutEndpoints && HostNames.fqdnProblem(host) != null) {
        f.error(
            path,
            quote(host)
                + " is a wildcard, and resolution "
                + resolution
                + " can only look up exact names",
            "use resolution: DYNAMIC_DNS to register "
                + quote(host)
                + " for egress (protocols HTTP, TLS, GRPC, HTTP2), or list the exact hostnames");
      }
    }
  }

  /** "*.example.com" for "api.example.com": the wildcard someone using DYNAMIC_DNS likely meant. */
  private static String parentWildcard(String host) {
    int dot = host.indexOf('.');
    boolean hasParent = dot > 0 && host.indexOf('.', dot + 1) > 0;
    return "*." + (hasParent ? host.substring(dot + 1) : host);
  }

  private static void checkAddresses(ServiceEntry entry, String resolution, Findings f) {
    if ("DYNAMIC_DNS".equals(resolution) && !entry.addresses().isEmpty()) {
      f.error(
          "spec.addresses",
          "addresses cannot be set with resolution DYNAMIC_DNS; the destination comes from the"
              + " requested host name",
          "remove spec.addresses");
    }
    boolean cidrAllowed =
        resolution == null || "NONE".equals(resolution) || "STATIC".equals(resolution);
    for (int i = 0; i < entry.addresses().size(); i++) {
      String address = entry.addresses().get(i);
      String path = "spec.addresses[" + i + "]";
      boolean cidr = address.contains("/");
      if (cidr ? !IpAddresses.isCidr(address) : !IpAddresses.isIp(address)) {
        f.error(
            path,
            quote(address) + (cidr ? " is not a CIDR block" : " is not an IP address"),
            "write an IP address or CIDR block, e.g. \"192.0.2.10\" or \"192.0.2.0/24\"; host"
                + " names belong in spec.hosts");
      } else if (cidr && !cidrAllowed) {
        f.error(
            path,
            quote(address) + " is a CIDR block, which resolution " + resolution + " cannot use",
            "use resolution: STATIC or NONE with CIDR blocks, or list single IP addresses");
      }
    }
  }

  private static void checkPorts(ServiceEntry entry, String resolution, Findings f) {
    Map<Integer, Integer> numbers = new HashMap<>();
    Map<String, Integer> names = new HashMap<>();
    if (entry.ports().isEmpty()) {
      f.warn(
          "spec.ports",
          "no ports are listed, so the waypoint serves no traffic to these hosts",
          "list the ports workloads call, e.g. {number: 80, name: http, protocol: HTTP}");
    }
    boolean hostsNeedL7 =
        resolution != null && !resolution.equals("NONE") && entry.hosts().size() > 1;
    for (int i = 0; i < entry.ports().size(); i++) {
      ServicePort port = entry.ports().get(i);
      String path = "spec.ports[" + i + "]";
      checkPortNumber(port.number(), path + ".number", f);
      if (port.number() != 0) {
        Integer previous = numbers.putIfAbsent(port.number(), i);
        if (previous != null) {
          f.error(
              path + ".number",
              port.number() + " is already declared by spec.ports[" + previous + "]",
              "declare each port number once");
        }
      }
      checkPortName(port, path, names, i, f);
      String protocol = port.protocolName();
      if (!protocol.isEmpty() && !PROTOCOLS.contains(protocol)) {
        f.error(
            path + ".protocol",
            quote(port.protocol()) + " is not a protocol Istio knows",
            "use HTTP, HTTPS, HTTP2, GRPC, TLS or TCP");
      }
      if (port.targetPort() != null) {
        if (port.targetPort() < 1 || port.targetPort() > 65535) {
          f.error(
              path + ".targetPort",
              port.targetPort() + " is not a port",
              "use a number from 1 to 65535, or leave targetPort out to dial " + port.number());
        }
      }
      if ("DYNAMIC_DNS".equals(resolution) && !DYNAMIC_DNS_PROTOCOLS.contains(protocol)) {
        f.error(
            path + ".protocol",
            (protocol.isEmpty() ? "an unset protocol" : quote(port.protocol()))
                + " cannot be served with resolution DYNAMIC_DNS",
            "use HTTP, HTTP2, GRPC or TLS (for HTTPS traffic use TLS)");
      }
      if (hostsNeedL7 && !port.isHttp() && !port.isTls()) {
        f.error(
            path + ".protocol",
            (protocol.isEmpty() ? "an unset protocol" : quote(port.protocol()))
                + " cannot tell the "
                + entry.hosts().size()
                + " hosts apart (only HTTP carries a Host header and TLS a server name)",
            "set protocol HTTP, HTTPS or TLS, or use one ServiceEntry per host");
      }
      if (port.isTls()) {
        f.warn(
            path + ".protocol",
            quote(port.protocol())
                + " traffic is encrypted end to end, so the waypoint sees only"
                + " the server name: L7 policy and request logging cannot apply on port "
                + port.number(),
            "for L7 control let clients send plain HTTP to port 80 with targetPort: 443 and a"
                + " DestinationRule with tls.mode: SIMPLE");
      }
      if (port.number() == 443 && port.isHttp()) {
        f.warn(
            path + ".protocol",
            quote(port.protocol())
                + " on port 443, where clients speak TLS: the waypoint would try to read their"
                + " TLS handshake as plain "
                + port.protocolName(),
            "declare port 443 as HTTPS or TLS; for plain HTTP from clients use port 80 with"
                + " targetPort: 443");
      }
    }
    warnTcpWithAddressAndHosts(entry, resolution, f);
  }

  private static void checkPortNumber(int number, String path, Findings f) {
    if (number == 0) {
      f.error(path, "is missing (or 0)", "set the port clients connect to, from 1 to 65535");
    } else if (number < 1 || number > 65535) {
      f.error(path, number + " is not a port", "use a number from 1 to 65535");
    }
  }

  private static void checkPortName(
      ServicePort port, String path, Map<String, Integer> names, int index, Findings f) {
    String name = port.name();
    String suggestion =
        quote(
            (port.protocolName().isEmpty() ? "tcp" : port.protocolName().toLowerCase(Locale.ROOT))
                + (port.number() > 0 ? "-" + port.number() : ""));
    if (name == null || name.isEmpty()) {
      f.error(path + ".name", "is missing", "name the port, e.g. " + suggestion);
      return;
    }
    if (!HostNames.isDnsLabel(name)) {
      f.error(
          path + ".name",
          quote(name) + " is not a valid port name",
          "use letters, digits and '-' (at most 63, starting and ending with a letter or digit),"
              + " e.g. "
              + suggestion);
    }
    Integer previous = names.putIfAbsent(name, index);
    if (previous != null) {
      f.error(
          path + ".name",
          quote(name) + " is already used by spec.ports[" + previous + "]",
          "give each port its own name, e.g. " + suggestion);
    }
  }

  /** Istio's warning: with DNS, an address and a TCP port, only one host can be served. */
  private static void warnTcpWithAddressAndHosts(
      ServiceEntry entry, String resolution, Findings f) {
    boolean dns = "DNS".equals(resolution) || "DNS_ROUND_ROBIN".equals(resolution);
    if (!dns || entry.addresses().isEmpty() || entry.hosts().size() < 2) {
      return;
    }
    for (int i = 0; i < entry.ports().size(); i++) {
      ServicePort port = entry.ports().get(i);
      boolean tcp = !port.isHttp() && !port.protocolName().equals("UDP");
      if (tcp && !port.protocolName().isEmpty()) {
        f.warn(
            "spec.hosts",
            "several hosts share spec.addresses and the TCP port "
                + port.number()
                + ", so connections cannot be told apart",
            "use one ServiceEntry per host when addresses are set");
        return;
      }
    }
  }
}
