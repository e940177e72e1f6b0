package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wayout.certs.CertificateAuthority;
import dev.wayout.certs.ReloadableKeyManager;
import dev.wayout.certs.ServingCertificate;
import dev.wayout.testing.CommandResult;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import dev.wayout.webhook.Webhook;
import dev.wayout.webhook.WebhookConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code wayout webhook}'s pod mutation against the real API server, configured as the process is
 * (environment only): a Pod created in an enforced namespace comes back with the {@code
 * wayout-init} init container that {@code wayout init} runs, pointed at the waypoint Service's
 * cluster IP.
 */
@ExtendWith(KubeApiServerExtension.class)
class WebhookPodsIT {

  @Test
  void aPodInAnEnforcedNamespaceComesBackWithTheInitContainer(KubeApiServer api) {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String waypointNamespace = "waypoint-" + suffix;
    String appNamespace = "app-" + suffix;
    String configuration = "wayout-webhook-pods-" + suffix;
    assertThat(api.kubectl("create", "namespace", waypointNamespace).exitCode()).isZero();
    CommandResult service =
        api.kubectl(
            "create",
            "service",
            "clusterip",
            "wayout-waypoint",
            "--tcp=15001:15001",
            "-n",
            waypointNamespace);
    assertThat(service.exitCode()).as(service.toString()).isZero();
    String waypointIp =
        api.kubectl(
                "get",
                "service",
                "wayout-waypoint",
                "-n",
                waypointNamespace,
                "-o",
                "jsonpath={.spec.clusterIP}")
            .stdout();

    WebhookConfig config =
        WebhookConfig.fromEnv(
            Map.of(
                "WAYOUT_WEBHOOK_HOST", "127.0.0.1",
                "WAYOUT_WEBHOOK_PORT", "0",
                "WAYOUT_WAYPOINT_NAMESPACE", waypointNamespace,
                "WAYOUT_CLUSTER_CIDRS", "10.0.0.0/8",
                "WAYOUT_INIT_IMAGE", "wayout:it"));
    CertificateAuthority ca =
        CertificateAuthority.create(Clock.systemUTC(), "wayout-pods-it-ca", Duration.ofHours(1));
    ServingCertificate serving =
        ca.issueServing(
            Clock.systemUTC(), List.of("localhost"), List.of("127.0.0.1"), Duration.ofHours(1));
    try (Webhook webhook =
        Webhook.start(
            config, api.client(), new ReloadableKeyManager(new AtomicReference<>(serving)))) {
      CommandResult registered =
          api.kubectlWithInput(
              mutatingConfiguration(configuration, webhook.port(), ca.certificatePem()),
              "apply",
              "-f",
              "-");
      assertThat(registered.exitCode()).as(registered.toString()).isZero();
      assertThat(api.kubectl("create", "namespace", appNamespace).exitCode()).isZero();
      assertThat(
              api.kubectl(
                      "label",
                      "namespace",
                      appNamespace,
                      "wayout.dev/egress=enforced",
                      "--overwrite")
                  .exitCode())
          .isZero();

      // the API server picks up the configuration, the webhook's informer the waypoint Service
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () -> {
                CommandResult dryRun =
                    api.kubectl(
                        "run",
                        "probe",
                        "--image=curl",
                        "-n",
                        appNamespace,
                        "--dry-run=server",
                        "-o",
                        "jsonpath={.spec.initContainers[0].args}");
                assertThat(dryRun.stdout()).as(dryRun.toString()).contains(waypointIp);
              });

      CommandResult run =
          api.kubectl(
              "run", "sleep", "--image=curl", "-n", appNamespace, "--", "sleep", "infinity");
      assertThat(run.exitCode()).as(run.toString()).isZero();
      CommandResult init =
          api.kubectl(
              "get",
              "pod",
              "sleep",
              "-n",
              appNamespace,
              "-o",
              "jsonpath={.spec.initContainers[0].name} {.spec.initContainers[0].image}");
      assertThat(init.stdout()).isEqualTo("wayout-init wayout:it");

      String other = "plain-" + suffix;
      assertThat(api.kubectl("create", "namespace", other).exitCode()).isZero();
      assertThat(
              api.kubectl("label", "namespace", other, "wayout.dev/egress=exempt", "--overwrite")
                  .exitCode())
          .isZero();
      assertThat(api.kubectl("run", "sleep", "--image=curl", "-n", other).exitCode()).isZero();
      assertThat(
              api.kubectl(
                      "get", "pod", "sleep", "-n", other, "-o", "jsonpath={.spec.initContainers}")
                  .stdout())
          .isEmpty();
    } finally {
      api.kubectl("delete", "mutatingwebhookconfiguration", configuration, "--ignore-not-found");
    }
  }

  private static String mutatingConfiguration(String name, int port, String caPem) {
    String caBundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
    return """
        apiVersion: admissionregistration.k8s.io/v1
        kind: MutatingWebhookConfiguration
        metadata: {name: %s}
        webhooks:
        - name: pods.mutate.wayout.dev
          clientConfig:
            url: https://127.0.0.1:%d/mutate/pods
            caBundle: %s
          rules:
          - {apiGroups: [""], apiVersions: [v1], resources: [pods], operations: [CREATE], scope: Namespaced}
          namespaceSelector:
            matchLabels: {wayout.dev/egress: enforced}
          matchConditions:
          - name: not-host-network
            expression: "!has(object.spec.hostNetwork) || !object.spec.hostNetwork"
          reinvocationPolicy: Never
          failurePolicy: Ignore
          sideEffects: None
          admissionReviewVersions: [v1]
          timeoutSeconds: 5
        """
        .formatted(name, port, caBundle);
  }
}
