package dev.wayout.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wayout.testing.CommandResult;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pod injection against the real API server: the pods entry of the manifests' mutating
 * configuration, registered by URL, and the webhook following the waypoint Service's cluster IP
 * through its informer. Pods never start here (no kubelet); what the API server stores is what a
 * kubelet would run.
 */
@ExtendWith(KubeApiServerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PodInjectionIT {

  private static final String CONFIGURATION = "wayout-inject-it";

  private static TestWebhook webhook;
  private static String waypointIp;

  @BeforeAll
  static void register(KubeApiServer api) {
    // the webhook's registry informers need the Istio kinds to exist
    WebhookIT.installCrds(api);
    String waypointNamespace = namespace(api, false);
    CommandResult service =
        api.applyYaml(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: wayout-waypoint, namespace: %s}
            spec:
              selector: {app.kubernetes.io/name: wayout-waypoint}
              ports:
              - {name: http, port: 15001}
              - {name: tls, port: 15443}
            """
                .formatted(waypointNamespace));
    assertThat(service.succeeded()).as(service.toString()).isTrue();
    waypointIp =
        api.kubectl(
                "get",
                "service",
                "wayout-waypoint",
                "-n",
                waypointNamespace,
                "-o",
                "jsonpath={.spec.clusterIP}")
            .stdout()
            .strip();
    assertThat(waypointIp).isNotBlank();

    webhook =
        new TestWebhook(
            Map.of(
                "WAYOUT_CLUSTER_CIDRS", "10.0.0.0/8",
                "WAYOUT_INIT_IMAGE", "wayout:it",
                "WAYOUT_WAYPOINT_NAMESPACE", waypointNamespace,
                "WAYOUT_WAYPOINT_SERVICE", "wayout-waypoint"),
            api.client());
    ObjectNode configuration =
        Manifests.registeredByUrl(
            "webhook/061-MutatingWebhookConfiguration-wayout-webhook.yaml",
            CONFIGURATION,
            webhook.webhook.port(),
            webhook.ca.certificatePem());
    // only the pods entry: the namespaces entry would label every namespace of this test
    ArrayNode webhooks = (ArrayNode) configuration.get("webhooks");
    for (int i = webhooks.size() - 1; i >= 0; i--) {
      if (!webhooks.get(i).path("name").asText().equals("pods.mutate.wayout.dev")) {
        webhooks.remove(i);
      }
    }
    assertThat(webhooks).hasSize(1);
    CommandResult applied = api.kubectlWithInput(Manifests.json(configuration), "apply", "-f", "-");
    assertThat(applied.exitCode()).as(applied.toString()).isZero();

    // The API server picks the configuration up after a few seconds, the informer the Service.
    String probe = namespace(api, true);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () -> {
              CommandResult dryRun =
                  api.kubectlWithInput(
                      pod("probe", probe, ""),
                      "create",
                      "--dry-run=server",
                      "-o",
                      "jsonpath={.spec.initContainers[0].args}",
                      "-f",
                      "-");
              assertThat(dryRun.stdout()).contains(waypointIp);
            });
  }

  @AfterAll
  static void unregister(KubeApiServer api) {
    api.kubectl("delete", "mutatingwebhookconfiguration", CONFIGURATION, "--ignore-not-found");
    if (webhook != null) {
      webhook.close();
    }
  }

  @Test
  @Order(1)
  void givesAPodOfAnEnforcedNamespaceTheInitContainer(KubeApiServer api) {
    String ns = namespace(api, true);

    CommandResult created = api.kubectlWithInput(pod("web", ns, ""), "create", "-f", "-");

    assertThat(created.exitCode()).as(created.toString()).isZero();
    List<Container> inits = stored(api, ns, "web").getSpec().getInitContainers();
    assertThat(inits).hasSize(1);
    Container init = inits.get(0);
    assertThat(init.getName()).isEqualTo("wayout-init");
    assertThat(init.getImage()).isEqualTo("wayout:it");
    assertThat(init.getArgs())
        .containsExactly("init", "--cluster-cidrs", "10.0.0.0/8", "--waypoint", waypointIp);
    assertThat(init.getSecurityContext().getCapabilities().getAdd()).contains("NET_ADMIN");
    assertThat(stored(api, ns, "web").getSpec().getContainers())
        .extracting(Container::getName)
        .containsExactly("app");
  }

  @Test
  @Order(2)
  void leavesAPodOfAnUnlabelledNamespaceAlone(KubeApiServer api) {
    String ns = namespace(api, false);

    CommandResult created = api.kubectlWithInput(pod("web", ns, ""), "create", "-f", "-");

    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(stored(api, ns, "web").getSpec().getInitContainers()).isEmpty();
  }

  @Test
  @Order(3)
  void honoursTheOptOutOnlyFromAnEgressAdmin(KubeApiServer api) {
    String ns = namespace(api, true);
    CommandResult rbac =
        api.applyYaml(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: pod-creator, namespace: %1$s}
            rules:
            - apiGroups: [""]
              resources: [pods]
              verbs: [get, list, create]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: alice-pods, namespace: %1$s}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-creator}
            subjects:
            - {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
            """
                .formatted(ns));
    assertThat(rbac.succeeded()).as(rbac.toString()).isTrue();
    String optOut = "wayout.dev/egress-capture: disabled";

    CommandResult alice =
        api.kubectlWithInput(pod("by-alice", ns, optOut), "--as=alice", "create", "-f", "-");
    // the cluster admin of the test server is in system:masters, the default egress admins
    CommandResult admin = api.kubectlWithInput(pod("by-admin", ns, optOut), "create", "-f", "-");

    assertThat(alice.exitCode()).as(alice.toString()).isZero();
    assertThat(alice.stderr())
        .contains(
            "Warning: metadata.annotations[\"wayout.dev/egress-capture\"]: \"disabled\" is"
                + " ignored for alice; only members of groups system:masters may opt a pod out");
    assertThat(stored(api, ns, "by-alice").getSpec().getInitContainers())
        .extracting(Container::getName)
        .containsExactly("wayout-init");
    assertThat(admin.exitCode()).as(admin.toString()).isZero();
    assertThat(admin.stderr()).doesNotContain("Warning");
    assertThat(stored(api, ns, "by-admin").getSpec().getInitContainers()).isEmpty();
  }

  @Test
  @Order(4)
  void doesNotTouchAPodThatAlreadyHasTheInitContainer(KubeApiServer api) {
    String ns = namespace(api, true);
    String own =
        pod("own", ns, "")
            .replace(
                "spec:\n",
                "spec:\n  initContainers:\n  - {name: wayout-init, image: mine, args: [init]}\n");

    CommandResult created = api.kubectlWithInput(own, "create", "-f", "-");

    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(stored(api, ns, "own").getSpec().getInitContainers())
        .singleElement()
        .satisfies(c -> assertThat(c.getImage()).isEqualTo("mine"));
  }

  @Test
  @Order(5)
  void createsPodsWithoutTheInitContainerWhileTheWebhookIsDown(KubeApiServer api) {
    String ns = namespace(api, true);
    webhook.close();

    CommandResult created = api.kubectlWithInput(pod("web", ns, ""), "create", "-f", "-");

    assertThat(created.exitCode()).as(created.toString()).isZero();
    assertThat(stored(api, ns, "web").getSpec().getInitContainers()).isEmpty();
  }

  private static Pod stored(KubeApiServer api, String namespace, String name) {
    Pod pod = api.client().pods().inNamespace(namespace).withName(name).get();
    assertThat(pod).as(namespace + "/" + name).isNotNull();
    return pod;
  }

  private static String namespace(KubeApiServer api, boolean enforced) {
    String name = "inj-" + UUID.randomUUID().toString().substring(0, 8);
    CommandResult created = api.kubectl("create", "namespace", name);
    assertThat(created.exitCode()).as(created.toString()).isZero();
    if (enforced) {
      CommandResult labelled =
          api.kubectl("label", "namespace", name, "wayout.dev/egress=enforced", "--overwrite");
      assertThat(labelled.exitCode()).as(labelled.toString()).isZero();
    } else {
      // another test class's namespace webhook may have labelled it: make it unlabelled
      api.kubectl("label", "namespace", name, "wayout.dev/egress-");
    }
    return name;
  }

  private static String pod(String name, String namespace, String annotations) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: %s
          annotations: {%s}
        spec:
          containers:
          - {name: app, image: busybox}
        """
        .formatted(name, namespace, annotations);
  }
}
