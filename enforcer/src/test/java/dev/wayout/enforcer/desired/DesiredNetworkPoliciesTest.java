package dev.wayout.enforcer.desired;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.wayout.model.Cidr;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.ServicePort;
import dev.wayout.model.WaypointRef;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DesiredNetworkPoliciesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();

  private static final PolicyConfig CONFIG =
      PolicyConfig.withClusterCidrs(
          List.of(
              Cidr.parse("10.244.0.0/16"), Cidr.parse("10.96.0.0/12"), Cidr.parse("fd00::/108")));

  private static final Map<String, String> ENFORCED = Map.of("wayout.dev/egress", "enforced");

  private static ServiceEntry entry(String ns, String location, ServicePort... ports) {
    return entry(ns, location, Map.of(), ports);
  }

  private static ServiceEntry entry(String ns, Map<String, String> labels, ServicePort... ports) {
    return entry(ns, "MESH_EXTERNAL", labels, ports);
  }

  private static ServiceEntry entry(
      String ns, String location, Map<String, String> labels, ServicePort... ports) {
    return new ServiceEntry(
        ns,
        "aliyun-" + ports[0].number(),
        labels,
        List.of("aliyun.com"),
        List.of(),
        List.of(ports),
        location,
        "DNS",
        List.of(),
        null,
        List.of(),
        List.of());
  }

  @Test
  void enforcedNamespaceGetsEgressToClusterDnsAndWaypointOnly() throws Exception {
    List<NetworkPolicy> policies = DesiredNetworkPolicies.of("shop", ENFORCED, List.of(), CONFIG);

    assertThat(policies).hasSize(1);
    assertThat(tree(policies.get(0)))
        .isEqualTo(
            YAML.readTree(
                """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: wayout-egress
                  namespace: shop
                  labels: {app.kubernetes.io/managed-by: wayout}
                spec:
                  podSelector: {}
                  policyTypes: [Egress]
                  egress:
                  - to:
                    - ipBlock: {cidr: 10.244.0.0/16}
                    - ipBlock: {cidr: 10.96.0.0/12}
                    - ipBlock: {cidr: fd00::/108}
                  - to:
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                      podSelector: {matchLabels: {k8s-app: kube-dns}}
                    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
                  - to:
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: wayout-system}}
                      podSelector: {matchLabels: {app.kubernetes.io/name: wayout-waypoint}}
                    - namespaceSelector: {}
                      podSelector:
                        matchLabels: {app.kubernetes.io/managed-by: wayout}
                        matchExpressions: [{key: wayout.dev/waypoint, operator: Exists}]
                    ports: [{port: 15001, protocol: TCP}, {port: 15443, protocol: TCP}]
                """));
  }

  @Test
  void waypointNamespaceGetsEgressOutsideOnRegisteredPortsAndTargetPorts() throws Exception {
    List<ServiceEntry> entries =
        List.of(
            entry("wayout-system", "MESH_EXTERNAL", new ServicePort(80, "HTTP", "http", 443)),
            entry("other", "", new ServicePort(8443, "HTTPS", "https", null)),
            entry("other", "MESH_INTERNAL", new ServicePort(9999, "TCP", "tcp", null)));

    List<NetworkPolicy> policies =
        DesiredNetworkPolicies.of("wayout-system", Map.of(), entries, CONFIG);

    assertThat(policies)
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("wayout-waypoint-egress");
    assertThat(tree(policies.get(0)).get("spec"))
        .isEqualTo(
            YAML.readTree(
                """
                podSelector: {matchLabels: {app.kubernetes.io/name: wayout-waypoint}}
                policyTypes: [Egress]
                egress:
                - to:
                  - ipBlock: {cidr: 0.0.0.0/0, except: [10.244.0.0/16, 10.96.0.0/12, 169.254.0.0/16]}
                  - ipBlock: {cidr: "::/0", except: ["fd00::/108", "fe80::/10"]}
                  ports:
                  - {port: 80, protocol: TCP}
                  - {port: 443, protocol: TCP}
                  - {port: 8443, protocol: TCP}
                - to:
                  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                    podSelector: {matchLabels: {k8s-app: kube-dns}}
                  ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
                - to:
                  - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: wayout-system}}
                    podSelector: {matchLabels: {app.kubernetes.io/name: wayout-waypoint}}
                  - namespaceSelector: {}
                    podSelector:
                      matchLabels: {app.kubernetes.io/managed-by: wayout}
                      matchExpressions: [{key: wayout.dev/waypoint, operator: Exists}]
                  ports: [{port: 15001, protocol: TCP}, {port: 15443, protocol: TCP}]
                """));
  }

  @Test
  void gatewayWaypointGetsAPolicyOpeningOnlyThePortsOfWhatIsBoundToIt() throws Exception {
    WaypointRef seed = new WaypointRef("istio-egress", "waypoint");
    List<ServiceEntry> entries =
        List.of(
            // bound by its namespace's label, as the seed's Step 3 does
            entry("istio-egress", "MESH_EXTERNAL", new ServicePort(80, "HTTP", "http", 443)),
            // bound by its own label, from another namespace
            entry(
                "shop",
                Map.of(
                    "istio.io/use-waypoint",
                    "waypoint",
                    "istio.io/use-waypoint-namespace",
                    "istio-egress"),
                new ServicePort(8443, "HTTPS", "https", null)),
            // bound to another Gateway's waypoint
            entry(
                "tenant-b",
                Map.of("istio.io/use-waypoint", "egress"),
                new ServicePort(9000, "TCP", "tcp", null)),
            // bound to a waypoint that does not exist, with the default's name: the default's
            entry(
                "legacy",
                Map.of("istio.io/use-waypoint", "waypoint"),
                new ServicePort(7000, "TCP", "tcp", null)),
            // the seed's namespace opts this one out
            entry(
                "istio-egress",
                Map.of("istio.io/use-waypoint", "none"),
                new ServicePort(6000, "TCP", "tcp", null)));
    WaypointRegistry registry =
        new WaypointRegistry(
            entries,
            Set.of(seed, new WaypointRef("tenant-b", "egress")),
            Map.of("istio-egress", Map.of("istio.io/use-waypoint", "waypoint")));

    List<NetworkPolicy> policies =
        DesiredNetworkPolicies.of("istio-egress", ENFORCED, registry, CONFIG);

    assertThat(policies)
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("wayout-egress", "wayout-waypoint-egress-waypoint");
    assertThat(tree(policies.get(1)))
        .isEqualTo(
            YAML.readTree(
                """
                apiVersion: networking.k8s.io/v1
                kind: NetworkPolicy
                metadata:
                  name: wayout-waypoint-egress-waypoint
                  namespace: istio-egress
                  labels: {app.kubernetes.io/managed-by: wayout}
                spec:
                  podSelector:
                    matchLabels: {app.kubernetes.io/managed-by: wayout, wayout.dev/waypoint: waypoint}
                  policyTypes: [Egress]
                  egress:
                  - to:
                    - ipBlock: {cidr: 0.0.0.0/0, except: [10.244.0.0/16, 10.96.0.0/12, 169.254.0.0/16]}
                    - ipBlock: {cidr: "::/0", except: ["fd00::/108", "fe80::/10"]}
                    ports:
                    - {port: 80, protocol: TCP}
                    - {port: 443, protocol: TCP}
                    - {port: 8443, protocol: TCP}
                  - to:
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
                      podSelector: {matchLabels: {k8s-app: kube-dns}}
                    ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
                  - to:
                    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: wayout-system}}
                      podSelector: {matchLabels: {app.kubernetes.io/name: wayout-waypoint}}
                    - namespaceSelector: {}
                      podSelector:
                        matchLabels: {app.kubernetes.io/managed-by: wayout}
                        matchExpressions: [{key: wayout.dev/waypoint, operator: Exists}]
                    ports: [{port: 15001, protocol: TCP}, {port: 15443, protocol: TCP}]
                """));
    assertThat(DesiredNetworkPolicies.of("tenant-b", Map.of(), registry, CONFIG))
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.getSpec().getEgress().get(0).getPorts())
                    .extracting(port -> port.getPort().getIntVal())
                    .containsExactly(9000));
  }

  @Test
  void gatewayWaypointWithNothingBoundOpensNoOutsidePortButReachesTheApiServer() {
    PolicyConfig config =
        new PolicyConfig(
            CONFIG.clusterCidrs(),
            "wayout-system",
            PolicyConfig.DEFAULT_WAYPOINT_LABELS,
            "kube-system",
            Map.of("k8s-app", "kube-dns"),
            List.of(Cidr.parse("192.0.2.10/32")));
    WaypointRegistry registry =
        new WaypointRegistry(List.of(), Set.of(new WaypointRef("payments", "egress")), Map.of());

    NetworkPolicy policy = DesiredNetworkPolicies.of("payments", Map.of(), registry, config).get(0);

    assertThat(policy.getMetadata().getName()).isEqualTo("wayout-waypoint-egress-egress");
    assertThat(policy.getSpec().getEgress())
        .extracting(
            r ->
                r.getPorts().stream().map(p -> p.getPort().getIntVal()).toList().toString()
                    + (r.getTo().get(0).getIpBlock() == null
                        ? ""
                        : " " + r.getTo().get(0).getIpBlock().getCidr()))
        .containsExactly("[53, 53]", "[443, 6443] 192.0.2.10/32", "[15001, 15443]");
  }

  @Test
  void aLongGatewayNameGivesAPolicyNameWithinTheLimit() {
    String name = "g".repeat(253);
    assertThat(DesiredNetworkPolicies.gatewayWaypointPolicyName(name))
        .hasSize(253)
        .isNotEqualTo(DesiredNetworkPolicies.gatewayWaypointPolicyName("g".repeat(252) + "h"));
    assertThat(DesiredNetworkPolicies.gatewayWaypointPolicyName("waypoint"))
        .isEqualTo("wayout-waypoint-egress-waypoint");
  }

  @Test
  void waypointPolicyOpensNoOutsidePortWhenNothingIsRegistered() {
    NetworkPolicy policy =
        DesiredNetworkPolicies.of("wayout-system", Map.of(), List.of(), CONFIG).get(0);

    // a rule without ports would open every port: only DNS and the peer waypoints remain
    assertThat(policy.getSpec().getEgress()).hasSize(2);
    assertThat(policy.getSpec().getEgress().get(0).getPorts())
        .extracting(p -> p.getPort().getIntVal())
        .containsOnly(53);
    assertThat(policy.getSpec().getEgress().get(1).getPorts())
        .extracting(p -> p.getPort().getIntVal())
        .containsExactly(15001, 15443);
  }

  @Test
  void waypointPolicyLetsTheWaypointReachAConfiguredApiServer() {
    PolicyConfig config =
        new PolicyConfig(
            CONFIG.clusterCidrs(),
            "egress",
            Map.of("app", "waypoint"),
            "kube-system",
            Map.of("k8s-app", "kube-dns"),
            List.of(Cidr.parse("192.0.2.10/32")));

    NetworkPolicy policy = DesiredNetworkPolicies.of("egress", Map.of(), List.of(), config).get(0);

    assertThat(policy.getSpec().getEgress())
        .element(policy.getSpec().getEgress().size() - 2)
        .satisfies(
            rule -> {
              assertThat(rule.getTo())
                  .extracting(p -> p.getIpBlock().getCidr())
                  .containsExactly("192.0.2.10/32");
              assertThat(rule.getPorts())
                  .extracting(p -> p.getPort().getIntVal())
                  .containsExactly(443, 6443);
            });
  }

  @Test
  void enforcedWaypointNamespaceGetsBothPolicies() {
    assertThat(DesiredNetworkPolicies.of("wayout-system", ENFORCED, List.of(), CONFIG))
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("wayout-egress", "wayout-waypoint-egress");
  }

  @Test
  void exemptUnlabelledAndDeletedNamespacesDesireNothing() {
    assertThat(
            DesiredNetworkPolicies.of(
                "a", Map.of("wayout.dev/egress", "exempt"), List.of(), CONFIG))
        .isEmpty();
    assertThat(DesiredNetworkPolicies.of("b", Map.of(), List.of(), CONFIG)).isEmpty();
    assertThat(DesiredNetworkPolicies.of("c", null, List.of(), CONFIG)).isEmpty();
    assertThat(DesiredNetworkPolicies.of("wayout-system", null, List.of(), CONFIG)).isEmpty();
  }

  @Test
  void malformedPortsOpenNothing() {
    assertThat(
            DesiredNetworkPolicies.registeredPorts(
                List.of(entry("x", "", new ServicePort(0, "HTTP", "h", 70000)))))
        .isEmpty();
  }

  private static JsonNode tree(NetworkPolicy policy) throws Exception {
    // fabric8 serializes with Jackson 3; compare as plain JSON
    return JSON.readTree(Serialization.asJson(policy));
  }
}
