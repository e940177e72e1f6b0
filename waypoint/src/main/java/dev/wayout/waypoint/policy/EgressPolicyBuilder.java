package dev.wayout.waypoint.policy;

import dev.wayout.model.ClientTls;
import dev.wayout.model.DestinationRule;
import dev.wayout.model.DestinationRuleValidator;
import dev.wayout.model.ExportTo;
import dev.wayout.model.ResourceSet;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.ServiceEntryValidator;
import dev.wayout.model.ServicePort;
import dev.wayout.model.Subset;
import dev.wayout.model.TrafficPolicy;
import dev.wayout.model.Validation;
import dev.wayout.model.VirtualService;
import dev.wayout.model.VirtualServiceValidator;
import dev.wayout.model.WaypointRef;
import dev.wayout.model.WorkloadEndpoint;
import dev.wayout.waypoint.routing.VirtualRoutes;
import dev.wayout.waypoint.routing.VirtualRoutesBuilder;
import dev.wayout.waypoint.upstream.ClusterEndpoint;
import dev.wayout.waypoint.upstream.IpLiterals;
import dev.wayout.waypoint.upstream.TlsContexts;
import dev.wayout.waypoint.upstream.UpstreamCluster;
import dev.wayout.waypoint.upstream.UpstreamTls;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns resources into an {@link EgressPolicy}: routes for the entries bound to this waypoint, and,
 * after them, routes that forward the entries of other waypoints to those waypoints (never out);
 * runs the shared validator on each and skips an invalid one with a log line (it never stops the
 * waypoint), then makes one route per host and port with its DestinationRule's TLS and limits. Runs
 * off the event loop: building TLS contexts reads files.
 */
public final class EgressPolicyBuilder {

  private static final Logger LOG = LoggerFactory.getLogger(EgressPolicyBuilder.class);

  private final WaypointBindingSupplier binding;
  private final TlsContexts tls;
  private final Duration connectTimeout;
  private final Duration idleTimeout;

  /** Supplies the binding at build time (namespace labels change). */
  public interface WaypointBindingSupplier {
    WaypointBinding get();
  }

  public EgressPolicyBuilder(
      WaypointBindingSupplier binding,
      TlsContexts tls,
      Duration connectTimeout,
      Duration idleTimeout) {
    this.binding = binding;
    this.tls = tls;
    this.connectTimeout = connectTimeout;
    this.idleTimeout = idleTimeout;
  }

  /** Whether a certificate file the last policy was built from has changed since. */
  public boolean tlsFilesChanged() {
    return tls.filesChanged();
  }

  public EgressPolicy build(ResourceSet resources) {
    WaypointBinding bound = binding.get().withNamespaces(resources.namespaces());
    tls.clear();
    for (ResourceSet.LoadProblem p : resources.problems()) {
      LOG.warn("skipped: {}", p.message());
    }
    List<DestinationRule> rules = new ArrayList<>();
    for (DestinationRule rule : resources.destinationRules()) {
      if (!bound.binds(rule.namespace(), rule.labels())) {
        continue;
      }
      Validation v = DestinationRuleValidator.validate(rule);
      if (!v.valid()) {
        LOG.warn("skipped DestinationRule {}: {}", rule.ref(), v.errorMessage());
        continue;
      }
      rules.add(rule);
    }
    Map<String, List<Route>> exact = new HashMap<>();
    List<Route> wildcards = new ArrayList<>();
    Map<String, List<Route>> peerExact = new HashMap<>();
    List<Route> peerWildcards = new ArrayList<>();
    int entries = 0;
    List<ServiceEntry> sorted = new ArrayList<>(resources.serviceEntries());
    // Deterministic choice when two entries claim the same host and port: namespace, then name.
    sorted.sort(Comparator.comparing(ServiceEntry::namespace).thenComparing(ServiceEntry::name));
    List<ServiceEntry> forPeers = new ArrayList<>();
    for (ServiceEntry entry : sorted) {
      java.util.Optional<WaypointRef> server = bound.serverOf(entry.namespace(), entry.labels());
      if (server.isEmpty()) {
        continue;
      }
      if (!server.get().equals(bound.self())) {
        forPeers.add(entry);
        continue;
      }
      Validation v = ServiceEntryValidator.validate(entry);
      if (!v.valid()) {
        LOG.warn("skipped ServiceEntry {}: {}", entry.ref(), v.errorMessage());
        continue;
      }
      if (!entry.effectiveLocation().equals("MESH_EXTERNAL")) {
        LOG.info(
            "skipped ServiceEntry {}: location {} is not egress", entry.ref(), entry.location());
        continue;
      }
      entries++;
      for (String rawHost : entry.hosts()) {
        String host = HostNames.normalize(rawHost);
        for (ServicePort port : entry.ports()) {
          Route route = route(entry, host, port, rules);
          if (HostNames.isWildcard(host)) {
            wildcards.add(route);
          } else {
            exact.computeIfAbsent(host, h -> new ArrayList<>()).add(route);
          }
        }
      }
    }
    // Another waypoint's entries come after this one's own, so an own route always wins a tie.
    int peerRoutes = 0;
    for (ServiceEntry entry : forPeers) {
      if (!ServiceEntryValidator.validate(entry).valid()
          || !entry.effectiveLocation().equals("MESH_EXTERNAL")) {
        continue; // its own waypoint skips it too
      }
      WaypointRef peer = bound.serverOf(entry.namespace(), entry.labels()).orElseThrow();
      PeerAddresses addresses = bound.peers().getOrDefault(peer, PeerAddresses.NONE);
      for (String rawHost : entry.hosts()) {
        String host = HostNames.normalize(rawHost);
        for (ServicePort port : entry.ports()) {
          Route route =
              Route.toPeer(
                  host,
                  port,
                  entry,
                  peer,
                  port.isTls() ? addresses.tls() : addresses.http(),
                  UpstreamLimits.of(null, connectTimeout, idleTimeout));
          peerRoutes++;
          if (HostNames.isWildcard(host)) {
            peerWildcards.add(route);
          } else {
            peerExact.computeIfAbsent(host, h -> new ArrayList<>()).add(route);
          }
        }
      }
    }
    peerExact.forEach(
        (host, list) -> exact.computeIfAbsent(host, h -> new ArrayList<>()).addAll(list));
    wildcards.sort(Comparator.comparingInt((Route r) -> r.host().length()).reversed());
    peerWildcards.sort(Comparator.comparingInt((Route r) -> r.host().length()).reversed());
    wildcards.addAll(peerWildcards);
    int routes = exact.values().stream().mapToInt(List::size).sum() + wildcards.size();
    String summary =
        entries
            + " ServiceEntries, "
            + rules.size()
            + " DestinationRules, "
            + routes
            + " routes"
            + (peerRoutes == 0 ? "" : " (" + peerRoutes + " to other waypoints)");
    EgressPolicy table = new EgressPolicy(exact, wildcards, summary);
    List<VirtualService> services = virtualServices(resources, bound);
    if (services.isEmpty()) {
      return table;
    }
    VirtualRoutes virtual = VirtualRoutesBuilder.build(services, table);
    return table.withVirtualRoutes(virtual, summary + ", " + virtual.size() + " VirtualServices");
  }

  /** The VirtualServices bound to this waypoint that pass the shared validator. */
  private static List<VirtualService> virtualServices(
      ResourceSet resources, WaypointBinding bound) {
    List<VirtualService> out = new ArrayList<>();
    for (VirtualService vs : resources.virtualServices()) {
      if (!bound.binds(vs.namespace(), vs.labels())) {
        continue;
      }
      Validation v = VirtualServiceValidator.validate(vs);
      if (!v.valid()) {
        LOG.warn("skipped VirtualService {}: {}", vs.ref(), v.errorMessage());
        continue;
      }
      out.add(vs);
    }
    return out;
  }

  private Route route(
      ServiceEntry entry, String host, ServicePort port, List<DestinationRule> rules) {
    DestinationRule rule = ruleFor(entry, host, rules);
    TrafficPolicy rulePolicy = rule == null ? null : rule.trafficPolicy();
    List<EndpointSpec> endpoints = endpoints(entry, port);
    UpstreamCluster whole =
        cluster(
            entry,
            rule,
            host,
            port,
            "",
            TrafficPolicy.effective(rulePolicy, null, port.number()),
            endpoints);
    Map<String, UpstreamCluster> subsets = new HashMap<>();
    if (rule != null) {
      for (Subset subset : rule.subsets()) {
        List<EndpointSpec> selected = new ArrayList<>();
        for (EndpointSpec e : endpoints) {
          if (e.matches(subset.labels())) {
            selected.add(e);
          }
        }
        subsets.putIfAbsent(
            subset.name(),
            cluster(
                entry,
                rule,
                host,
                port,
                subset.name(),
                TrafficPolicy.effective(rulePolicy, subset.trafficPolicy(), port.number()),
                selected));
      }
    }
    return new Route(host, port, entry, whole, subsets);
  }

  private UpstreamCluster cluster(
      ServiceEntry entry,
      DestinationRule rule,
      String host,
      ServicePort port,
      String subset,
      TrafficPolicy effective,
      List<EndpointSpec> endpoints) {
    UpstreamTls upstreamTls = null;
    ClientTls clientTls = effective.tls();
    if (clientTls != null && clientTls.originatesTls() && !port.isTls()) {
      upstreamTls = tls.forSettings(clientTls);
      if (upstreamTls.error() != null) {
        LOG.warn(
            "DestinationRule {}: port {}{}: {}; requests to {} will answer 503",
            rule.ref(),
            port.number(),
            subset.isEmpty() ? "" : " subset " + subset,
            upstreamTls.error(),
            host);
      }
    }
    List<ClusterEndpoint> own = new ArrayList<>(endpoints.size());
    for (EndpointSpec e : endpoints) {
      own.add(e.create());
    }
    return new UpstreamCluster(
        host,
        subset,
        port,
        entry.effectiveResolution(),
        own,
        upstreamTls,
        ClusterPolicy.of(effective, connectTimeout, idleTimeout));
  }

  /** One endpoint of a ServiceEntry port, before each cluster gets its own (stateful) copy. */
  private record EndpointSpec(
      InetSocketAddress socket, String name, int port, Map<String, String> labels) {

    boolean matches(Map<String, String> selector) {
      for (Map.Entry<String, String> e : selector.entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }

    ClusterEndpoint create() {
      if (socket != null) {
        return ClusterEndpoint.at(socket, labels);
      }
      return name != null
          ? ClusterEndpoint.named(name, port, labels)
          : ClusterEndpoint.requestedHost(port);
    }
  }

  /**
   * The endpoints of a port: STATIC endpoints by IP; DNS endpoints by IP or by a name resolved when
   * dialled; without endpoints (DNS, NONE, DYNAMIC_DNS) the requested host itself, unlabelled.
   */
  private static List<EndpointSpec> endpoints(ServiceEntry entry, ServicePort port) {
    String resolution = entry.effectiveResolution();
    boolean isStatic = resolution.equals("STATIC");
    boolean dns = resolution.equals("DNS") || resolution.equals("DNS_ROUND_ROBIN");
    if (!isStatic && !(dns && !entry.endpoints().isEmpty())) {
      return List.of(new EndpointSpec(null, null, port.upstreamPort(), Map.of()));
    }
    List<EndpointSpec> out = new ArrayList<>();
    for (WorkloadEndpoint endpoint : entry.endpoints()) {
      Integer mapped = port.name() == null ? null : endpoint.ports().get(port.name());
      int upstreamPort = mapped != null ? mapped : port.upstreamPort();
      InetSocketAddress address = IpLiterals.socketAddress(endpoint.address(), upstreamPort);
      if (address != null) {
        out.add(
            new EndpointSpec(
                new InetSocketAddress(address.getAddress(), upstreamPort),
                null,
                upstreamPort,
                endpoint.labels()));
      } else if (dns && endpoint.address() != null && !endpoint.address().startsWith("unix://")) {
        out.add(new EndpointSpec(null, endpoint.address(), upstreamPort, endpoint.labels()));
      } else {
        LOG.warn(
            "ServiceEntry {}: endpoint address \"{}\" is not an IP address; it is ignored",
            entry.ref(),
            endpoint.address());
      }
    }
    return out;
  }

  /** A rule in the entry's namespace wins; else one from elsewhere exported to that namespace. */
  private static DestinationRule ruleFor(
      ServiceEntry entry, String host, List<DestinationRule> rules) {
    DestinationRule elsewhere = null;
    for (DestinationRule rule : rules) {
      String ruleHost = HostNames.normalize(rule.host());
      if (!ruleHost.equals(host) && !HostNames.matches(ruleHost, host)) {
        continue;
      }
      if (rule.namespace().equals(entry.namespace())) {
        return rule;
      }
      if (elsewhere == null && ExportTo.visibleTo(rule, entry.namespace())) {
        elsewhere = rule;
      }
    }
    return elsewhere;
  }
}
