package dev.wayout.enforcer.desired;

import dev.wayout.model.Cidr;
import dev.wayout.model.Labels;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.ServicePort;
import dev.wayout.model.WaypointRef;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The NetworkPolicies one namespace should hold, as a pure function of the namespace, the
 * registered ServiceEntries, the Gateway waypoints and the configuration. An enforced namespace
 * gets {@value #EGRESS}; the default waypoint's namespace gets {@value #WAYPOINT_EGRESS}; each
 * Gateway waypoint gets {@value #WAYPOINT_EGRESS}{@code -<gateway>} in its namespace, opening only
 * the ports of the ServiceEntries bound to it; anything else (or a deleted namespace) gets nothing.
 */
public final class DesiredNetworkPolicies {

  public static final String EGRESS = "wayout-egress";
  public static final String WAYPOINT_EGRESS = "wayout-waypoint-egress";

  /** The label every namespace carries with its own name (Kubernetes 1.22+). */
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  static final int WAYPOINT_HTTP_PORT = 15001;
  static final int WAYPOINT_TLS_PORT = 15443;
  static final List<Integer> API_SERVER_PORTS = List.of(443, 6443);

  /** The default waypoint's name (its WAYOUT_WAYPOINT_NAME in manifests/waypoint). */
  public static final String DEFAULT_WAYPOINT_NAME = "waypoint";

  private DesiredNetworkPolicies() {}

  /** {@link #of(String, Map, WaypointRegistry, PolicyConfig)} without Gateway waypoints. */
  public static List<NetworkPolicy> of(
      String namespace,
      Map<String, String> labels,
      List<ServiceEntry> entries,
      PolicyConfig config) {
    return of(namespace, labels, WaypointRegistry.of(entries), config);
  }

  /**
   * @param namespace the namespace's name
   * @param labels its labels, or null when it does not exist (deleted, or not yet seen)
   * @param registry every ServiceEntry and Gateway waypoint (only the waypoints' policies read it)
   */
  public static List<NetworkPolicy> of(
      String namespace,
      Map<String, String> labels,
      WaypointRegistry registry,
      PolicyConfig config) {
    if (labels == null) {
      return List.of();
    }
    List<NetworkPolicy> out = new ArrayList<>();
    if (Labels.EGRESS_ENFORCED.equals(labels.get(Labels.EGRESS))) {
      out.add(enforced(namespace, config));
    }
    if (namespace.equals(config.waypointNamespace())) {
      out.add(waypoint(namespace, registry.entries(), config));
    }
    registry.gatewayWaypoints().stream()
        .filter(w -> w.namespace().equals(namespace))
        .sorted(java.util.Comparator.comparing(WaypointRef::name))
        .forEach(w -> out.add(gatewayWaypoint(w, registry, config)));
    return List.copyOf(out);
  }

  /** The default waypoint, as bindings name it. */
  public static WaypointRef defaultWaypoint(PolicyConfig config) {
    return new WaypointRef(config.waypointNamespace(), DEFAULT_WAYPOINT_NAME);
  }

  /**
   * {@value #WAYPOINT_EGRESS}{@code -<gateway>}; past 253 characters, shortened and ended by a hash
   * of the name, so two Gateways never share one.
   */
  public static String gatewayWaypointPolicyName(String gateway) {
    String full = WAYPOINT_EGRESS + "-" + gateway;
    if (full.length() <= 253) {
      return full;
    }
    return full.substring(0, 240) + "-" + sha256(gateway).substring(0, 12);
  }

  /** The labels the Gateway controller puts on a Gateway waypoint's pods. */
  public static Map<String, String> gatewayWaypointPodLabels(String gateway) {
    return Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_WAYOUT, Labels.WAYPOINT, gateway);
  }

  /**
   * Every namespace's policies, for rendering offline: the waypoint's namespace is taken to exist
   * even when {@code namespaces} does not list it.
   *
   * @param namespaces namespace name to labels
   */
  public static List<NetworkPolicy> forAll(
      Map<String, Map<String, String>> namespaces,
      List<ServiceEntry> entries,
      PolicyConfig config) {
    Map<String, Map<String, String>> all = new java.util.TreeMap<>(namespaces);
    all.putIfAbsent(config.waypointNamespace(), Map.of());
    List<NetworkPolicy> out = new ArrayList<>();
    all.forEach((name, labels) -> out.addAll(of(name, labels, entries, config)));
    return List.copyOf(out);
  }

  /** The policies as YAML documents, each starting with {@code ---}, for kubectl. */
  public static String yaml(List<NetworkPolicy> policies) {
    StringBuilder out = new StringBuilder();
    for (NetworkPolicy policy : policies) {
      String doc = io.fabric8.kubernetes.client.utils.Serialization.asYaml(policy);
      out.append(doc.startsWith("---") ? "" : "---\n").append(doc);
      if (!doc.endsWith("\n")) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** Egress only to the cluster, cluster DNS and the waypoints. */
  static NetworkPolicy enforced(String namespace, PolicyConfig config) {
    List<NetworkPolicyEgressRule> rules = new ArrayList<>();
    rules.add(
        new NetworkPolicyEgressRuleBuilder()
            .withTo(config.clusterCidrs().stream().map(c -> ipBlock(c, List.of())).toList())
            .build());
    rules.add(dnsRule(config));
    rules.add(waypointsRule(config));
    return policy(namespace, EGRESS, new LabelSelector(), rules);
  }

  /**
   * The waypoints' ports on every Wayout waypoint's pods: the default's, and any Gateway's in any
   * namespace (pods with {@code wayout.dev/waypoint}, as the Gateway controller labels them).
   */
  private static NetworkPolicyEgressRule waypointsRule(PolicyConfig config) {
    NetworkPolicyPeer gatewayWaypoints =
        new NetworkPolicyPeerBuilder()
            .withNamespaceSelector(new LabelSelector())
            .withPodSelector(
                new LabelSelectorBuilder()
                    .withMatchLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_WAYOUT))
                    .addNewMatchExpression()
                    .withKey(Labels.WAYPOINT)
                    .withOperator("Exists")
                    .endMatchExpression()
                    .build())
            .build();
    return new NetworkPolicyEgressRuleBuilder()
        .withTo(podsIn(config.waypointNamespace(), config.waypointPodLabels()), gatewayWaypoints)
        .withPorts(tcp(WAYPOINT_HTTP_PORT), tcp(WAYPOINT_TLS_PORT))
        .build();
  }

  /**
   * The default waypoint: egress to the outside on the ports of every registered ServiceEntry, plus
   * DNS, the API server and its peer waypoints.
   */
  static NetworkPolicy waypoint(String namespace, List<ServiceEntry> entries, PolicyConfig config) {
    LabelSelector waypointPods =
        new LabelSelectorBuilder().withMatchLabels(config.waypointPodLabels()).build();
    return policy(
        namespace, WAYPOINT_EGRESS, waypointPods, waypointRules(registeredPorts(entries), config));
  }

  /**
   * A Gateway's waypoint: egress to the outside only on the ports of the ServiceEntries bound to
   * it, plus DNS, the API server and its peer waypoints.
   */
  static NetworkPolicy gatewayWaypoint(
      WaypointRef waypoint, WaypointRegistry registry, PolicyConfig config) {
    List<ServiceEntry> served = registry.servedBy(waypoint, defaultWaypoint(config));
    LabelSelector pods =
        new LabelSelectorBuilder()
            .withMatchLabels(gatewayWaypointPodLabels(waypoint.name()))
            .build();
    return policy(
        waypoint.namespace(),
        gatewayWaypointPolicyName(waypoint.name()),
        pods,
        waypointRules(registeredPorts(served), config));
  }

  /**
   * Egress to the outside on {@code ports}, never to the cluster's ranges or link-local addresses
   * (cloud metadata), plus DNS, the API server, and the other waypoints (a request for a host bound
   * to another waypoint is forwarded to it).
   */
  private static List<NetworkPolicyEgressRule> waypointRules(
      SortedSet<Integer> ports, PolicyConfig config) {
    List<NetworkPolicyEgressRule> rules = new ArrayList<>();
    // An egress rule without ports allows every port: with nothing registered, leave it out.
    if (!ports.isEmpty()) {
      List<NetworkPolicyPeer> outside = new ArrayList<>();
      outside.add(ipBlock(Cidr.ANY_V4, except(config.clusterCidrs(), false, Cidr.LINK_LOCAL_V4)));
      outside.add(ipBlock(Cidr.ANY_V6, except(config.clusterCidrs(), true, Cidr.LINK_LOCAL_V6)));
      rules.add(
          new NetworkPolicyEgressRuleBuilder()
              .withTo(outside)
              .withPorts(ports.stream().map(DesiredNetworkPolicies::tcp).toList())
              .build());
    }
    rules.add(dnsRule(config));
    if (!config.apiServerCidrs().isEmpty()) {
      rules.add(
          new NetworkPolicyEgressRuleBuilder()
              .withTo(config.apiServerCidrs().stream().map(c -> ipBlock(c, List.of())).toList())
              .withPorts(API_SERVER_PORTS.stream().map(DesiredNetworkPolicies::tcp).toList())
              .build());
    }
    rules.add(waypointsRule(config));
    return rules;
  }

  private static String sha256(String text) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every port and targetPort of the ServiceEntries that point outside the mesh. */
  public static SortedSet<Integer> registeredPorts(List<ServiceEntry> entries) {
    SortedSet<Integer> ports = new TreeSet<>();
    for (ServiceEntry entry : entries) {
      if (entry.effectiveLocation().equals("MESH_INTERNAL")) {
        continue;
      }
      for (ServicePort port : entry.ports()) {
        addIfValid(ports, port.number());
        addIfValid(ports, port.upstreamPort());
      }
    }
    return ports;
  }

  private static void addIfValid(SortedSet<Integer> ports, int port) {
    // the validator rejects such ports at admission; one that got in anyway opens nothing
    if (port >= 1 && port <= 65535) {
      ports.add(port);
    }
  }

  private static NetworkPolicyEgressRule dnsRule(PolicyConfig config) {
    return new NetworkPolicyEgressRuleBuilder()
        .withTo(podsIn(config.dnsNamespace(), config.dnsPodLabels()))
        .withPorts(port(53, "UDP"), port(53, "TCP"))
        .build();
  }

  private static List<String> except(List<Cidr> cluster, boolean ipv6, Cidr linkLocal) {
    List<String> out = new ArrayList<>();
    for (Cidr c : cluster) {
      if (c.isIpv6() == ipv6) {
        out.add(c.toString());
      }
    }
    out.add(linkLocal.toString());
    return out;
  }

  private static NetworkPolicyPeer podsIn(String namespace, Map<String, String> podLabels) {
    return new NetworkPolicyPeerBuilder()
        .withNamespaceSelector(
            new LabelSelectorBuilder()
                .withMatchLabels(Map.of(NAMESPACE_NAME_LABEL, namespace))
                .build())
        .withPodSelector(new LabelSelectorBuilder().withMatchLabels(podLabels).build())
        .build();
  }

  private static NetworkPolicyPeer ipBlock(Cidr cidr, List<String> except) {
    return new NetworkPolicyPeerBuilder().withIpBlock(new IPBlock(cidr.toString(), except)).build();
  }

  private static NetworkPolicyPort tcp(int port) {
    return port(port, "TCP");
  }

  private static NetworkPolicyPort port(int port, String protocol) {
    return new NetworkPolicyPortBuilder()
        .withProtocol(protocol)
        .withPort(new IntOrString(port))
        .build();
  }

  private static NetworkPolicy policy(
      String namespace, String name, LabelSelector pods, List<NetworkPolicyEgressRule> rules) {
    return new NetworkPolicyBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withLabels(Map.of(Labels.MANAGED_BY, Labels.MANAGED_BY_WAYOUT))
        .endMetadata()
        .withNewSpec()
        .withPodSelector(pods)
        .withPolicyTypes("Egress")
        .withEgress(rules)
        .endSpec()
        .build();
  }
}
