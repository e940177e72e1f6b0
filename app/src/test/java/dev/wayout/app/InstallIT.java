package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wayout.testing.CommandResult;
import dev.wayout.testing.FreePorts;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.TestAssets;
import dev.wayout.testing.WayoutProcess;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl apply -k manifests/} on a real API server of its own: every object is accepted,
 * and once the webhook runs with the settings of its Deployment, both webhook configurations point
 * at its Service with the caBundle of the CA it made.
 */
class InstallIT {

  private static final String MANIFESTS =
      TestAssets.repositoryRoot().resolve("manifests").toString();

  @Test
  void everyObjectIsAcceptedAndTheWebhookFillsItsCaBundle() {
    try (KubeApiServer api = KubeApiServer.start()) {
      CommandResult applied = api.kubectl("apply", "-k", MANIFESTS);
      assertThat(applied.exitCode()).as(applied.toString()).isZero();

      CommandResult rendered = api.kubectl("kustomize", MANIFESTS);
      long objects = rendered.stdout().lines().filter(l -> l.startsWith("kind: ")).count();
      CommandResult stored = api.kubectl("get", "-k", MANIFESTS, "-o", "name");
      assertThat(stored.exitCode()).as(stored.toString()).isZero();
      assertThat(stored.stdout().lines().count()).isEqualTo(objects).isGreaterThan(20);
      assertThat(stored.stdout())
          .contains(
              "deployment.apps/wayout-webhook",
              "deployment.apps/wayout-enforcer",
              "deployment.apps/wayout-waypoint",
              "validatingwebhookconfiguration.admissionregistration.k8s.io/wayout-webhook",
              "customresourcedefinition.apiextensions.k8s.io/serviceentries.networking.istio.io");

      KubernetesClient client = api.client();
      try (WayoutProcess webhook =
          WayoutProcess.start("webhook", List.of("webhook"), deploymentEnvironment(api, client))) {
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> {
                  Secret tls =
                      client
                          .secrets()
                          .inNamespace("wayout-system")
                          .withName("wayout-webhook-tls")
                          .get();
                  assertThat(tls).as(webhook.printed()).isNotNull();
                  String caBundle = tls.getData().get("ca.crt");
                  List<ValidatingWebhook> validating =
                      client
                          .admissionRegistration()
                          .v1()
                          .validatingWebhookConfigurations()
                          .withName("wayout-webhook")
                          .get()
                          .getWebhooks();
                  List<MutatingWebhook> mutating =
                      client
                          .admissionRegistration()
                          .v1()
                          .mutatingWebhookConfigurations()
                          .withName("wayout-webhook")
                          .get()
                          .getWebhooks();
                  Stream.concat(
                          validating.stream().map(ValidatingWebhook::getClientConfig),
                          mutating.stream().map(MutatingWebhook::getClientConfig))
                      .forEach(
                          clientConfig -> {
                            assertThat(clientConfig.getCaBundle()).isEqualTo(caBundle);
                            assertThat(clientConfig.getService().getName())
                                .isEqualTo("wayout-webhook");
                            assertThat(clientConfig.getService().getNamespace())
                                .isEqualTo("wayout-system");
                          });
                });
      }
    }
  }

  /** The webhook container's environment as its Deployment sets it, on a free loopback port. */
  private static Map<String, String> deploymentEnvironment(
      KubeApiServer api, KubernetesClient client) {
    Deployment deployment =
        client.apps().deployments().inNamespace("wayout-system").withName("wayout-webhook").get();
    Map<String, String> env = new HashMap<>();
    for (EnvVar var :
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      if (var.getValue() != null) {
        env.put(var.getName(), var.getValue());
      } else if (var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null) {
        // the downward API: metadata.namespace, metadata.name
        env.put(
            var.getName(),
            var.getValueFrom().getFieldRef().getFieldPath().equals("metadata.namespace")
                ? "wayout-system"
                : "wayout-webhook-0");
      }
    }
    env.putAll(api.clientEnvironment());
    env.put("WAYOUT_WEBHOOK_HOST", "127.0.0.1");
    env.put("WAYOUT_WEBHOOK_PORT", Integer.toString(FreePorts.loopback()));
    return env;
  }
}
