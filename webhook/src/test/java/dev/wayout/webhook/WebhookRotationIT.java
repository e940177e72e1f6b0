package dev.wayout.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wayout.certs.ReloadableKeyManager;
import dev.wayout.certs.RotationConfig;
import dev.wayout.certs.ServingNames;
import dev.wayout.certs.kube.CertificateRotator;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Certificate rotation under load: the webhook keeps its own certificate with very short lifetimes
 * (the rotator patches the caBundle and hands each new pair to the server) while the API server
 * keeps calling it; every call is answered by Wayout, across serving renewals and a CA rotation.
 */
@ExtendWith(KubeApiServerExtension.class)
class WebhookRotationIT {

  private static final String CONFIGURATION = "wayout-webhook-rotation-it";

  @Test
  void theApiServerKeepsCallingTheWebhookWhileItsCertificatesRotate(KubeApiServer api) {
    WebhookIT.installCrds(api);
    WebhookIT.ensureNamespace(api, "wayout-system");
    String namespace = "rotation-" + UUID.randomUUID().toString().substring(0, 8);
    api.kubectl("create", "namespace", namespace);
    ReloadableKeyManager keys = new ReloadableKeyManager(new AtomicReference<>());
    RotationConfig rotation =
        new RotationConfig(
            namespace,
            "wayout-webhook-tls",
            "wayout-rotation-it-ca",
            ServingNames.forService("wayout-webhook", namespace, List.of(), List.of("127.0.0.1")),
            Duration.ofSeconds(45),
            Duration.ofSeconds(12),
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            CONFIGURATION,
            CONFIGURATION);
    try (Webhook webhook =
            Webhook.start(
                WebhookConfig.fromEnv(
                    Map.of("WAYOUT_WEBHOOK_HOST", "127.0.0.1", "WAYOUT_WEBHOOK_PORT", "0")),
                keys);
        CertificateRotator rotator =
            new CertificateRotator(api.client(), rotation, Clock.systemUTC(), keys)) {
      // registered by URL, without a caBundle: the rotator fills it in
      WebhookIT.apply(
          api,
          withoutCaBundle(
              Manifests.registeredByUrl(
                  "webhook/060-ValidatingWebhookConfiguration-wayout-webhook.yaml",
                  CONFIGURATION,
                  webhook.port(),
                  "")));
      WebhookIT.apply(
          api,
          withoutCaBundle(
              Manifests.registeredByUrl(
                  "webhook/061-MutatingWebhookConfiguration-wayout-webhook.yaml",
                  CONFIGURATION,
                  webhook.port(),
                  "")));
      rotator.start();
      assertThat(keys.current()).isNotNull();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> probe(api, "wayout-system") == null);

      Set<BigInteger> servings = new LinkedHashSet<>();
      Set<String> cas = new LinkedHashSet<>();
      List<String> failures = new ArrayList<>();
      int calls = 0;
      long end = System.nanoTime() + Duration.ofSeconds(50).toNanos();
      while (System.nanoTime() < end) {
        String failure = probe(api, "wayout-system");
        calls++;
        if (failure != null) {
          failures.add(failure);
        }
        servings.add(keys.current().leaf().getSerialNumber());
        cas.add(
            keys.current().chain().get(1).getSubjectX500Principal().getName()
                + "#"
                + keys.current().chain().get(1).getSerialNumber());
      }

      System.out.printf(
          "rotation: %d calls through the API server, %d failed, %d serving certificates, %d CAs%n",
          calls, failures.size(), servings.size(), cas.size());
      assertThat(failures).as("of " + calls + " calls").isEmpty();
      assertThat(servings).as("serving certificates used").hasSizeGreaterThanOrEqualTo(3);
      assertThat(cas).as("CAs that signed them").hasSizeGreaterThanOrEqualTo(2);
    } finally {
      api.kubectl("delete", "validatingwebhookconfiguration", CONFIGURATION, "--ignore-not-found");
      api.kubectl("delete", "mutatingwebhookconfiguration", CONFIGURATION, "--ignore-not-found");
    }
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode withoutCaBundle(
      com.fasterxml.jackson.databind.node.ObjectNode configuration) {
    configuration
        .get("webhooks")
        .forEach(
            w ->
                ((com.fasterxml.jackson.databind.node.ObjectNode) w.get("clientConfig"))
                    .remove("caBundle"));
    return configuration;
  }

  /** Null when the API server called the webhook and it denied an invalid ServiceEntry. */
  private static String probe(KubeApiServer api, String namespace) {
    GenericKubernetesResource entry =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("networking.istio.io/v1")
            .withKind("ServiceEntry")
            .withNewMetadata()
            .withName("no-hosts")
            .withNamespace(namespace)
            .endMetadata()
            .withAdditionalProperties(Map.of("spec", Map.of("resolution", "DNS")))
            .build();
    try {
      api.client().resource(entry).dryRun().create();
      return "admitted: the API server did not call the webhook (or ignored a failed call)";
    } catch (KubernetesClientException e) {
      String message = e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage();
      return message != null && message.contains("denied the request: spec.hosts") ? null : message;
    }
  }
}
