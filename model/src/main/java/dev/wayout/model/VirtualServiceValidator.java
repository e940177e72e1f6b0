package dev.wayout.model;

import static dev.wayout.model.Findings.quote;

import dev.wayout.model.HttpRoute.Match;
import dev.wayout.model.VirtualService.Destination;
import dev.wayout.model.VirtualService.L4Match;
import dev.wayout.model.VirtualService.RouteDestination;
import java.util.List;

/**
 * The one validator for VirtualServices that the webhook, the CLI and the waypoint all call:
 * Istio's rules (pkg/config/validation ValidateVirtualService and the CRD schema), warnings Istio
 * gives (unreachable rules, deprecated fields), and warnings where Wayout's waypoint accepts a
 * field but does not apply it. HTTP routes are checked by {@link HttpRouteValidator}.
 */
public final class VirtualServiceValidator {

  private VirtualServiceValidator() {}

  public static Validation validate(VirtualService vs) {
    Findings f = new Findings();
    boolean delegate = vs.hosts().isEmpty();
    if (delegate) {
      if (!vs.gateways().isEmpty()) {
        f.error(
            "spec.gateways",
            "a delegate VirtualService (no hosts) names no gateways",
            "remove gateways");
      }
      if (!vs.tls().isEmpty()) {
        f.error(
            "spec.tls",
            "a delegate VirtualService (no hosts) has no tls routes",
            "remove tls, or add hosts");
      }
      if (!vs.tcp().isEmpty()) {
        f.error(
            "spec.tcp",
            "a delegate VirtualService (no hosts) has no tcp routes",
            "remove tcp, or add hosts");
      }
    }
    boolean appliesToGateway = !vs.gateways().isEmpty() && !vs.gateways().contains("mesh");
    boolean appliesToMesh = !appliesToGateway;
    if (!vs.gateways().isEmpty()) {
      gatewayNames(vs.gateways(), "spec.gateways", f);
    }
    if (!appliesToGateway) {
      jwtClaimRoutes(vs, f);
    }
    hosts(vs, appliesToGateway, appliesToMesh, f);
    if (vs.http().isEmpty() && vs.tcp().isEmpty() && vs.tls().isEmpty() && vs.nullRoutes() == 0) {
      f.error(
          "spec",
          "has no http, tls or tcp routes",
          "add http: [{route: [{destination: {host: ...}}]}]");
    }
    for (int i = 0; i < vs.nullRoutes(); i++) {
      f.error("spec.http", "has a null route", "remove the empty item");
    }
    for (int i = 0; i < vs.http().size(); i++) {
      HttpRouteValidator.check(vs.http().get(i), "spec.http[" + i + "]", delegate, f);
    }
    for (int i = 0; i < vs.tls().size(); i++) {
      tlsRoute(vs, vs.tls().get(i), "spec.tls[" + i + "]", f);
    }
    for (int i = 0; i < vs.tcp().size(); i++) {
      String p = "spec.tcp[" + i + "]";
      VirtualService.TcpRoute tcp = vs.tcp().get(i);
      for (int j = 0; j < tcp.match().size(); j++) {
        l4Match(tcp.match().get(j), p + ".match[" + j + "]", f);
      }
      if (tcp.route().isEmpty()) {
        f.error(p + ".route", "is missing", "add route: [{destination: {host: ...}}]");
      }
      routeDestinations(tcp.route(), p + ".route", f);
    }
    ExportTo.check(vs.exportTo(), vs.namespace(), false, false, f);
    UnreachableRoutes.check(vs, f);
    wayoutWarnings(vs, f);
    return f.toValidation();
  }

  private static void jwtClaimRoutes(VirtualService vs, Findings f) {
    for (int i = 0; i < vs.http().size(); i++) {
      for (int j = 0; j < vs.http().get(i).match().size(); j++) {
        Match m = vs.http().get(i).match().get(j);
        for (String key : concat(m.headers().keySet(), m.withoutHeaders().keySet())) {
          if (HeaderRules.isJwtClaim(key)) {
            f.error(
                "spec.http[" + i + "].match[" + j + "]",
                "routing on the JWT claim " + quote(key) + " is only supported on gateways",
                "match on a header instead");
          }
        }
      }
    }
  }

  private static List<String> concat(java.util.Set<String> a, java.util.Set<String> b) {
    List<String> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static void hosts(
      VirtualService vs, boolean appliesToGateway, boolean appliesToMesh, Findings f) {
    boolean allValid = true;
    boolean sni = hasSniHosts(vs);
    for (int i = 0; i < vs.hosts().size(); i++) {
      String host = vs.hosts().get(i);
      String problem =
          appliesToGateway && sni && host.startsWith("outbound_")
              ? null
              : HostNames.wildcardDomainProblem(host);
      if (problem != null) {
        if (!IpAddresses.isIp(host)) {
          f.error(
              "spec.hosts[" + i + "]",
              quote(host) + " " + problem,
              "name a ServiceEntry host such as \"api.example.com\" or \"*.example.com\"");
          allValid = false;
        }
      } else if (appliesToMesh && host.equals("*")) {
        f.error(
            "spec.hosts[" + i + "]",
            "\"*\" is not allowed for a VirtualService that applies to the mesh",
            "name the hosts it routes, e.g. \"api.example.com\"");
        allValid = false;
      }
    }
    if (allValid) {
      for (int i = 0; i < vs.hosts().size(); i++) {
        for (int j = i + 1; j < vs.hosts().size(); j++) {
          if (IstioHosts.matches(vs.hosts().get(i), vs.hosts().get(j))) {
            f.error(
                "spec.hosts[" + j + "]",
                quote(vs.hosts().get(j)) + " duplicates " + quote(vs.hosts().get(i)),
                "list each host once, and no host a wildcard already covers");
          }
        }
      }
    }
  }

  private static boolean hasSniHosts(VirtualService vs) {
    for (VirtualService.TlsRoute tls : vs.tls()) {
      for (L4Match m : tls.match()) {
        if (!m.sniHosts().isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  private static void tlsRoute(
      VirtualService vs, VirtualService.TlsRoute tls, String p, Findings f) {
    if (tls.match().isEmpty()) {
      f.error(p + ".match", "is missing", "add match: [{sniHosts: [...]}]");
    }
    for (int j = 0; j < tls.match().size(); j++) {
      L4Match m = tls.match().get(j);
      String mp = p + ".match[" + j + "]";
      if (m.sniHosts().isEmpty()) {
        f.error(mp + ".sniHosts", "is missing", "list the SNI names this route takes");
      }
      for (int k = 0; k < m.sniHosts().size(); k++) {
        sniHost(vs, m.sniHosts().get(k), mp + ".sniHosts[" + k + "]", f);
      }
      l4Match(m, mp, f);
    }
    if (tls.route().isEmpty()) {
      f.error(p + ".route", "is missing", "add route: [{destination: {host: ...}}]");
    }
    routeDestinations(tls.route(), p + ".route", f);
  }

  private static void sniHost(VirtualService vs, String sni, String path, Findings f) {
    boolean gateway = !vs.gateways().contains("mesh");
    String problem =
        gateway && sni.startsWith("outbound_") ? null : HostNames.wildcardDomainProblem(sni);
    if (problem != null) {
      if (IpAddresses.isIp(sni)) {
        f.warn(path, quote(sni) + " is an IP address, which SNI does not carry", "use a host name");
        return;
      }
      f.error(path, quote(sni) + " " + problem, "use a host name such as \"api.example.com\"");
      return;
    }
    for (String host : vs.hosts()) {
      if (IstioHosts.subsetOf(sni, host)) {
        return;
      }
    }
    f.error(
        path,
        quote(sni) + " is not covered by any of the hosts " + vs.hosts(),
        "use one of spec.hosts, or a name under one of its wildcards");
  }

  private static void l4Match(L4Match m, String p, Findings f) {
    for (int k = 0; k < m.destinationSubnets().size(); k++) {
      String subnet = m.destinationSubnets().get(k);
      boolean ok = subnet.indexOf('/') >= 0 ? IpAddresses.isCidr(subnet) : IpAddresses.isIp(subnet);
      if (!ok) {
        f.error(
            p + ".destinationSubnets[" + k + "]",
            quote(subnet) + " is not an IP address or CIDR block",
            "write e.g. \"203.0.113.0/24\"");
      }
    }
    if (m.port() != null && m.port() != 0) {
      port(m.port(), p + ".port", f);
    }
    KubeLabels.check(m.sourceLabels(), p + ".sourceLabels", f);
    gatewayNames(m.gateways(), p + ".gateways", f);
  }

  private static void routeDestinations(List<RouteDestination> route, String p, Findings f) {
    long total = 0;
    for (int i = 0; i < route.size(); i++) {
      RouteDestination d = route.get(i);
      String dp = p + "[" + i + "]";
      if (d.destination() == null) {
        f.error(dp + ".destination", "is missing", "name the host: destination: {host: ...}");
      } else {
        destination(d.destination(), dp + ".destination", f);
      }
      int weight = d.weight() == null ? 0 : d.weight();
      if (weight < 0) {
        f.error(dp + ".weight", weight + " is negative", "use a weight from 0");
      }
      total += weight;
    }
    if (route.size() > 1 && total == 0) {
      f.error(p, "the weights of the destinations add up to 0", "give the destinations weights");
    }
  }

  /** Istio's validateDestination: a host (no "*"), a subset name, a port. */
  static void destination(Destination d, String p, Findings f) {
    if (d.host().equals("*")) {
      f.error(p + ".host", "\"*\" is not a destination", "name a ServiceEntry host");
    } else {
      String problem = HostNames.wildcardDomainProblem(d.host());
      if (problem != null) {
        f.error(p + ".host", quote(d.host()) + " " + problem, "name a ServiceEntry host");
      }
    }
    if (d.subset() != null && !d.subset().isEmpty() && !HostNames.isDnsLabel(d.subset())) {
      f.error(
          p + ".subset",
          quote(d.subset()) + " is not a subset name",
          "name a subset of the host's DestinationRule");
    }
    if (d.port() != null) {
      port(d.port(), p + ".port.number", f);
    }
  }

  static void port(int port, String path, Findings f) {
    if (port < 1 || port > 65535) {
      f.error(path, port + " is not a port", "use a number from 1 to 65535");
    }
  }

  /** Istio's validateGatewayNames; a name without "/" stops the check, as in Istio. */
  static void gatewayNames(List<String> names, String p, Findings f) {
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      String path = p + "[" + i + "]";
      int slash = name.indexOf('/');
      if (slash < 0) {
        if (name.contains(".")) {
          String[] parts = name.split("\\.", -1);
          f.warn(
              path,
              quote(name) + " is the legacy gateway name format",
              "write <namespace>/<name>: " + quote(parts[1] + "/" + parts[0]));
        }
        String problem = HostNames.fqdnProblem(name);
        if (problem != null) {
          f.error(path, quote(name) + " " + problem, "write <namespace>/<name>, or \"mesh\"");
        }
        return;
      }
      String namespace = name.substring(0, slash);
      String gateway = name.substring(slash + 1);
      if (namespace.isEmpty() || gateway.isEmpty()) {
        f.error(path, quote(name) + " has an empty namespace or name", "write <namespace>/<name>");
      }
      if (!HostNames.isDnsLabel(namespace)) {
        f.error(path, quote(namespace) + " is not a namespace name", "write <namespace>/<name>");
      }
      if (!HostNames.isDnsLabel(gateway)) {
        f.error(path, quote(gateway) + " is not a gateway name", "write <namespace>/<name>");
      }
    }
  }

  /** What Istio accepts and Wayout's waypoint does not apply. */
  private static void wayoutWarnings(VirtualService vs, Findings f) {
    if (!vs.appliesToMesh()) {
      f.warn(
          "spec.gateways",
          "names only gateways, so Wayout's waypoint does not apply this VirtualService",
          "add \"mesh\" to gateways, or leave gateways out, for the waypoint to route by it");
    }
    if (vs.hosts().isEmpty()) {
      f.warn(
          "spec.hosts",
          "a delegate VirtualService is not applied by Wayout's waypoint",
          "give it hosts");
    }
    for (int i = 0; i < vs.http().size(); i++) {
      HttpRoute h = vs.http().get(i);
      String p = "spec.http[" + i + "]";
      if (h.delegate() != null) {
        f.warn(
            p + ".delegate",
            "is not applied by Wayout's waypoint (the route answers 404)",
            "route here instead");
      }
      if (h.retries() != null && h.retries().retryIgnorePreviousHosts() != null) {
        f.warn(
            p + ".retries.retryIgnorePreviousHosts",
            "is ignored by Wayout's waypoint",
            "remove it");
      }
      if (h.retries() != null && h.retries().backoff() != null) {
        f.warn(
            p + ".retries.backoff",
            "is ignored by Wayout's waypoint (it waits 25ms with jitter)",
            "remove it");
      }
      for (int j = 0; j < h.match().size(); j++) {
        Match m = h.match().get(j);
        if (m.statPrefix() != null) {
          f.warn(
              p + ".match[" + j + "].statPrefix", "is ignored by Wayout's waypoint", "remove it");
        }
      }
    }
    for (int i = 0; i < vs.tls().size(); i++) {
      for (int j = 0; j < vs.tls().get(i).match().size(); j++) {
        L4Match m = vs.tls().get(i).match().get(j);
        if (!m.destinationSubnets().isEmpty()) {
          f.warn(
              "spec.tls[" + i + "].match[" + j + "].destinationSubnets",
              "is ignored by Wayout's waypoint, as by Istio's (the rest of the match decides)",
              "match on sniHosts and port");
        }
      }
    }
    for (int i = 0; i < vs.tcp().size(); i++) {
      for (int j = 0; j < vs.tcp().get(i).match().size(); j++) {
        L4Match m = vs.tcp().get(i).match().get(j);
        String p = "spec.tcp[" + i + "].match[" + j + "]";
        if (!m.destinationSubnets().isEmpty() || m.sourceSubnet() != null) {
          f.warn(
              p,
              "destinationSubnets and sourceSubnet are ignored by Wayout's waypoint, as by"
                  + " Istio's (the rest of the match decides)",
              "match on port");
        }
      }
    }
  }
}
