package dev.wayout.enforcer.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wayout.enforcer.Enforcer;
import dev.wayout.enforcer.EnforcerConfig;
import dev.wayout.testing.CommandResult;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import dev.wayout.testing.TestAssets;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Gateway controller against the real test API server: the seed's Step 3 YAML applied with
 * kubectl, unchanged. There is no controller-manager here, so no pods run and no garbage collector
 * removes owned objects: the tests check both the ownerReferences (what a cluster's collector
 * follows) and that the controller itself removes everything when the Gateway goes.
 */
@ExtendWith(KubeApiServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayControllerIT {

  private KubeApiServer api;
  private KubernetesClient client;
  private Enforcer enforcer;
  private KubernetesClient enforcerClient;

  @BeforeAll
  void start(KubeApiServer api) {
    this.api = api;
    this.client = api.client();
    api.installIstioCrds();
    api.installGatewayApiCrds();
    String system = "wayout-" + UUID.randomUUID().toString().substring(0, 6);
    namespace(system);
    CommandResult cls =
        api.kubectl(
            "apply", "-k", TestAssets.repositoryRoot().resolve("manifests/gateway").toString());
    assertThat(cls.succeeded()).as(cls.toString()).isTrue();
    Map<String, String> env = new HashMap<>();
    env.put("WAYOUT_CLUSTER_CIDRS", "10.244.0.0/16,10.96.0.0/12");
    env.put("POD_NAMESPACE", system);
    env.put("POD_NAME", "enforcer-0");
    env.put("WAYOUT_LEASE_DURATION", "4s");
    env.put("WAYOUT_LEASE_RENEW_DEADLINE", "3s");
    env.put("WAYOUT_LEASE_RETRY_PERIOD", "500ms");
    env.put("WAYOUT_WAYPOINT_IMAGE", "registry.example/wayout:test");
    enforcerClient = api.newClient();
    enforcer =
        Enforcer.start(enforcerClient, EnforcerConfig.fromEnv(env), new SimpleMeterRegistry());
    await().atMost(Duration.ofSeconds(20)).until(enforcer::isLeader);
    assertThat(enforcer.servesGateways()).isTrue();
  }

  @AfterAll
  void stop() {
    if (enforcer != null) {
      enforcer.close();
      enforcerClient.close();
    }
  }

  @Test
  void theSeedsStep3MakesDeploymentAndServiceWaypointInIstioEgressAndDeletingItRemovesThem() {
    namespace("istio-egress");
    CommandResult applied =
        api.kubectl(
            "apply",
            "-n",
            "istio-egress",
            "-f",
            TestAssets.repositoryRoot().resolve("examples/seed/waypoint/gateway.yaml").toString());
    assertThat(applied.succeeded()).as(applied.toString()).isTrue();

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              Gateway gw = gateway("istio-egress", "waypoint");
              Service svc =
                  client.services().inNamespace("istio-egress").withName("waypoint").get();
              assertThat(svc).isNotNull();
              assertThat(condition(gw, "Accepted").getStatus()).isEqualTo("True");
              Condition programmed = condition(gw, "Programmed");
              assertThat(programmed.getStatus()).isEqualTo("True");
              assertThat(programmed.getMessage())
                  .isEqualTo(
                      "Resource programmed, assigned to service(s)"
                          + " waypoint.istio-egress.svc.cluster.local:15001 and"
                          + " waypoint.istio-egress.svc.cluster.local:15443");
              assertThat(gw.getStatus().getAddresses())
                  .extracting(a -> a.getType() + "=" + a.getValue())
                  .containsExactly("IPAddress=" + svc.getSpec().getClusterIP());
            });

    Gateway gw = gateway("istio-egress", "waypoint");
    Deployment deployment =
        client.apps().deployments().inNamespace("istio-egress").withName("waypoint").get();
    assertThat(deployment).isNotNull();
    var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo("registry.example/wayout:test");
    assertThat(container.getArgs()).containsExactly("waypoint");
    assertThat(container.getEnv())
        .extracting(e -> e.getName() + "=" + (e.getValue() == null ? "<field>" : e.getValue()))
        .contains(
            "WAYOUT_WAYPOINT_NAME=waypoint",
            "WAYOUT_WAYPOINT_NAMESPACE=<field>",
            "WAYOUT_WAYPOINT_CLUSTER_CIDRS=10.244.0.0/16,10.96.0.0/12");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz/ready");
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("waypoint");
    List<HasMetadata> owned =
        List.of(
            deployment,
            client.services().inNamespace("istio-egress").withName("waypoint").get(),
            client.serviceAccounts().inNamespace("istio-egress").withName("waypoint").get(),
            client.rbac().roleBindings().inNamespace("istio-egress").withName("waypoint").get(),
            client
                .policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace("istio-egress")
                .withName("waypoint")
                .get());
    for (HasMetadata o : owned) {
      assertThat(o.getMetadata().getLabels())
          .as(o.getKind())
          .containsEntry("app.kubernetes.io/managed-by", "wayout")
          .containsEntry("gateway.networking.k8s.io/gateway-name", "waypoint");
      assertThat(o.getMetadata().getOwnerReferences())
          .as(o.getKind() + " is owned by the Gateway")
          .extracting(
              r -> r.getKind() + "/" + r.getName() + "/" + r.getUid() + "/" + r.getController())
          .containsExactly("Gateway/waypoint/" + gw.getMetadata().getUid() + "/true");
    }
    String bindingName = "wayout-waypoint-istio-egress-waypoint";
    var binding = client.rbac().clusterRoleBindings().withName(bindingName).get();
    assertThat(binding.getRoleRef().getName()).isEqualTo("wayout-waypoint");
    assertThat(binding.getSubjects())
        .extracting(s -> s.getNamespace() + "/" + s.getName())
        .containsExactly("istio-egress/waypoint");

    // a deleted Deployment is put back
    client.apps().deployments().inNamespace("istio-egress").withName("waypoint").delete();
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .apps()
                            .deployments()
                            .inNamespace("istio-egress")
                            .withName("waypoint")
                            .get())
                    .isNotNull());

    CommandResult deleted =
        api.kubectl("delete", "gateway", "waypoint", "-n", "istio-egress", "--wait=false");
    assertThat(deleted.succeeded()).as(deleted.toString()).isTrue();
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(
                      client
                          .apps()
                          .deployments()
                          .inNamespace("istio-egress")
                          .withName("waypoint")
                          .get())
                  .isNull();
              assertThat(client.services().inNamespace("istio-egress").withName("waypoint").get())
                  .isNull();
              assertThat(
                      client
                          .serviceAccounts()
                          .inNamespace("istio-egress")
                          .withName("waypoint")
                          .get())
                  .isNull();
              assertThat(
                      client
                          .rbac()
                          .roleBindings()
                          .inNamespace("istio-egress")
                          .withName("waypoint")
                          .get())
                  .isNull();
              assertThat(
                      client
                          .policy()
                          .v1()
                          .podDisruptionBudget()
                          .inNamespace("istio-egress")
                          .withName("waypoint")
                          .get())
                  .isNull();
              assertThat(client.rbac().clusterRoleBindings().withName(bindingName).get()).isNull();
            });
  }

  @Test
  void wayoutsGatewayClassIsAccepted() {
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              GatewayClass cls =
                  client.resources(GatewayClass.class).withName("wayout-waypoint").get();
              assertThat(cls.getStatus().getConditions())
                  .extracting(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
                  .containsExactly("Accepted=True/Accepted");
            });
  }

  @Test
  void parametersRefSetsReplicasAndResourcesAndAMissingConfigMapIsNotAccepted() {
    String ns = namespace("tenant-" + UUID.randomUUID().toString().substring(0, 6));
    apply(
        ns,
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: egress
        spec:
          gatewayClassName: wayout-waypoint
          infrastructure:
            labels:
              team: payments
            annotations:
              example.com/owner: payments
            parametersRef:
              group: ""
              kind: ConfigMap
              name: egress-params
          listeners:
          - name: mesh
            port: 15008
            protocol: HBONE
        """);
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              Condition accepted = condition(gateway(ns, "egress"), "Accepted");
              assertThat(accepted.getStatus()).isEqualTo("False");
              assertThat(accepted.getReason()).isEqualTo("InvalidParameters");
              assertThat(accepted.getMessage())
                  .isEqualTo(
                      "spec.infrastructure.parametersRef: ConfigMap "
                          + ns
                          + "/egress-params does not exist; create it or remove parametersRef");
              assertThat(condition(gateway(ns, "egress"), "Programmed").getStatus())
                  .isEqualTo("False");
            });
    assertThat(client.apps().deployments().inNamespace(ns).withName("egress").get()).isNull();

    apply(
        ns,
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: egress-params
        data:
          deployment: |
            spec:
              replicas: 3
              template:
                spec:
                  containers:
                  - name: waypoint
                    resources:
                      requests:
                        cpu: 250m
                        memory: 300Mi
                      limits:
                        memory: 1Gi
        """);
    // the ConfigMap is read at each reconcile: touch the Gateway to have it read now
    client
        .resources(Gateway.class)
        .inNamespace(ns)
        .withName("egress")
        .edit(
            g -> {
              g.getMetadata().setAnnotations(Map.of("touched", "1"));
              return g;
            });
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              Deployment d = client.apps().deployments().inNamespace(ns).withName("egress").get();
              assertThat(d).isNotNull();
              assertThat(d.getSpec().getReplicas()).isEqualTo(3);
              var resources =
                  d.getSpec().getTemplate().getSpec().getContainers().get(0).getResources();
              assertThat(resources.getRequests().get("cpu").toString()).isEqualTo("250m");
              assertThat(resources.getLimits().get("memory").toString()).isEqualTo("1Gi");
              assertThat(d.getMetadata().getLabels()).containsEntry("team", "payments");
              assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                  .containsEntry("team", "payments");
              assertThat(d.getMetadata().getAnnotations())
                  .containsEntry("example.com/owner", "payments");
              assertThat(condition(gateway(ns, "egress"), "Programmed").getStatus())
                  .isEqualTo("True");
            });
  }

  @Test
  void aGatewayOfAnotherClassIsNeverTouched() {
    String ns = namespace("other-" + UUID.randomUUID().toString().substring(0, 6));
    apply(
        ns,
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: ingress
        spec:
          gatewayClassName: someone-elses
          listeners:
          - name: http
            port: 80
            protocol: HTTP
        """);
    // a Gateway of ours applied after it is served: when that is done, the other one was seen
    apply(
        ns,
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: ours
        spec:
          gatewayClassName: istio-waypoint
          listeners:
          - name: mesh
            port: 15008
            protocol: HBONE
        """);
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(condition(gateway(ns, "ours"), "Programmed").getStatus())
                    .isEqualTo("True"));
    await().atMost(Duration.ofSeconds(10)).until(enforcer::isIdle);
    Gateway other = gateway(ns, "ingress");
    assertThat(
            other.getStatus() == null
                || other.getStatus().getConditions() == null
                || other.getStatus().getConditions().stream()
                    .noneMatch(
                        c -> "Programmed".equals(c.getType()) && "True".equals(c.getStatus())))
        .isTrue();
    assertThat(other.getMetadata().getManagedFields())
        .extracting(f -> f.getManager())
        .doesNotContain("wayout-enforcer");
    assertThat(client.apps().deployments().inNamespace(ns).withName("ingress").get()).isNull();
    assertThat(client.services().inNamespace(ns).withName("ingress").get()).isNull();
  }

  @Test
  void aGatewaysWaypointGetsAnEgressPolicyOpeningThePortsBoundToItAndEnforcedPodsMayReachIt() {
    String ns = namespace("egress-" + UUID.randomUUID().toString().substring(0, 6));
    String tenant = namespace("tenant-" + UUID.randomUUID().toString().substring(0, 6));
    client.namespaces().withName(ns).edit(n -> label(n, "istio.io/use-waypoint", "egress"));
    client.namespaces().withName(tenant).edit(n -> label(n, "wayout.dev/egress", "enforced"));
    apply(
        ns,
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: egress
        spec:
          gatewayClassName: istio-waypoint
          listeners:
          - name: mesh
            port: 15008
            protocol: HBONE
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: bound
        spec:
          hosts: [bound.example.com]
          location: MESH_EXTERNAL
          resolution: DNS
          ports:
          - {number: 80, name: http, protocol: HTTP, targetPort: 8443}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: elsewhere
          labels: {istio.io/use-waypoint: none}
        spec:
          hosts: [elsewhere.example.com]
          location: MESH_EXTERNAL
          resolution: DNS
          ports:
          - {number: 9999, name: tcp, protocol: TCP}
        """);
    String name = "wayout-waypoint-egress-egress";
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              NetworkPolicy policy = policy(ns, name);
              assertThat(policy).as(ns + "/" + name).isNotNull();
              assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                  .containsExactlyInAnyOrderEntriesOf(
                      Map.of(
                          "app.kubernetes.io/managed-by", "wayout",
                          "wayout.dev/waypoint", "egress"));
              assertThat(ports(policy.getSpec().getEgress().get(0)))
                  .as("outside ports: the bound entry's port and targetPort only")
                  .containsExactly(80, 8443);
              assertThat(policy.getSpec().getEgress())
                  .last()
                  .satisfies(r -> assertThat(ports(r)).containsExactly(15001, 15443));
            });
    // the Deployment's pods carry what the policy selects
    Deployment deployment = client.apps().deployments().inNamespace(ns).withName("egress").get();
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "wayout")
        .containsEntry("wayout.dev/waypoint", "egress");
    // enforced pods may reach every Wayout waypoint's pods, Gateways' too
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(policy(tenant, "wayout-egress").getSpec().getEgress())
                    .last()
                    .satisfies(
                        r ->
                            assertThat(r.getTo())
                                .extracting(
                                    peer ->
                                        peer.getPodSelector().getMatchExpressions().stream()
                                            .map(e -> e.getKey() + " " + e.getOperator())
                                            .toList())
                                .contains(List.of("wayout.dev/waypoint Exists"))));

    // a new entry bound to the waypoint opens its port
    apply(
        ns,
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: more
        spec:
          hosts: [more.example.com]
          location: MESH_EXTERNAL
          resolution: DNS
          ports:
          - {number: 7443, name: https, protocol: HTTPS}
        """);
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(ports(policy(ns, name).getSpec().getEgress().get(0)))
                    .containsExactly(80, 7443, 8443));
    // someone edits it: put back
    client
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(ns)
        .withName(name)
        .edit(
            p -> {
              p.getSpec().getEgress().clear();
              return p;
            });
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () ->
                assertThat(ports(policy(ns, name).getSpec().getEgress().get(0)))
                    .containsExactly(80, 7443, 8443));

    // the Gateway goes: so does its waypoint's policy
    client.resources(Gateway.class).inNamespace(ns).withName("egress").delete();
    await().atMost(Duration.ofSeconds(15)).until(() -> policy(ns, name) == null);
  }

  private static Namespace label(Namespace n, String key, String value) {
    n.getMetadata().getLabels().put(key, value);
    return n;
  }

  private NetworkPolicy policy(String ns, String name) {
    return client.network().v1().networkPolicies().inNamespace(ns).withName(name).get();
  }

  private static List<Integer> ports(NetworkPolicyEgressRule rule) {
    return rule.getPorts().stream().map(p -> p.getPort().getIntVal()).toList();
  }

  private void apply(String ns, String yaml) {
    CommandResult r = api.kubectlWithInput(yaml, "apply", "-n", ns, "-f", "-");
    assertThat(r.succeeded()).as(r.toString()).isTrue();
  }

  private Gateway gateway(String ns, String name) {
    return client.resources(Gateway.class).inNamespace(ns).withName(name).get();
  }

  private static Condition condition(Gateway gw, String type) {
    assertThat(gw.getStatus()).as("status of " + gw.getMetadata().getName()).isNotNull();
    return gw.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type + " condition yet"));
  }

  private String namespace(String name) {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }
}
