package dev.wayout.enforcer.desired;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.wayout.model.Cidr;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;
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
    return new ServiceEntry(
        ns,
        "aliyun",
        Map.of(),
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
                """));
  }

  @Test
  void waypointPolicyOpensNoOutsidePortWhenNothingIsRegistered() {
    NetworkPolicy policy =
        DesiredNetworkPolicies.of("wayout-system", Map.of(), List.of(), CONFIG).get(0);

    // a rule without ports would open every port: only DNS remains
    assertThat(policy.getSpec().getEgress()).hasSize(1);
    assertThat(policy.getSpec().getEgress().get(0).getPorts())
        .extracting(p -> p.getPort().getIntVal())
        .containsOnly(53);
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
        .last()
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
