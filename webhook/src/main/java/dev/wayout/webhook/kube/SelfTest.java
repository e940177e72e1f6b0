package dev.wayout.webhook.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proves, through the API server, that the webhook is called and refuses what it should, then makes
 * the Istio kinds fail closed, as istiod does. Wayout installs every webhook with {@code
 * failurePolicy: Ignore} so that a broken webhook never blocks the cluster; only once a server-side
 * dry-run create of a known-invalid ServiceEntry comes back denied with Wayout's message are the
 * Istio-kind webhooks of its ValidatingWebhookConfiguration switched to {@code Fail}. Namespaces
 * and Pods stay fail-open.
 */
public final class SelfTest {

  private static final Logger LOG = LoggerFactory.getLogger(SelfTest.class);

  /** The name of the probe object; dry-run only, it is never stored. */
  public static final String PROBE_NAME = "wayout-self-test";

  private static final String ISTIO_GROUP = "networking.istio.io";
  private static final Duration RETRY = Duration.ofSeconds(1);

  /** What the self-test found. */
  public record Result(boolean proven, String detail) {}

  private final KubernetesClient client;
  private final String namespace;
  private final String configurationName;
  private final Clock clock;

  /**
   * @param namespace where the probe is dry-run created (Wayout's own)
   * @param configurationName the name of Wayout's ValidatingWebhookConfiguration
   */
  public SelfTest(
      KubernetesClient client, String namespace, String configurationName, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.configurationName = configurationName;
    this.clock = clock;
  }

  /**
   * Probes until the webhook denies or {@code timeout} passes; the API server takes a few seconds
   * to pick up a new configuration, and until then the probe is admitted (failurePolicy Ignore).
   */
  public Result run(Duration timeout) throws InterruptedException {
    Instant deadline = clock.instant().plus(timeout);
    String last = "no attempt";
    while (true) {
      last = probe();
      if (last == null) {
        failIstioKinds();
        return new Result(true, "the webhook denied the probe; Istio kinds now fail closed");
      }
      if (!clock.instant().isBefore(deadline)) {
        LOG.warn(
            "self-test: not proven within {} ({}); the webhooks stay failurePolicy Ignore",
            timeout,
            last);
        return new Result(false, last);
      }
      TimeUnit.MILLISECONDS.sleep(RETRY.toMillis());
    }
  }

  /** Null when the webhook denied the probe with Wayout's message, else what happened instead. */
  private String probe() {
    try {
      client
          .genericKubernetesResources("networking.istio.io/v1", "ServiceEntry")
          .inNamespace(namespace)
          .resource(invalidServiceEntry())
          .dryRun()
          .create();
      return "the probe was admitted: the API server does not call the webhook yet";
    } catch (KubernetesClientException e) {
      String message = e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage();
      if (message != null
          && message.contains("denied the request")
          && message.contains("spec.hosts")) {
        LOG.info(
            "self-test: the API server called the webhook and it denied the probe: {}", message);
        return null;
      }
      return "the probe failed otherwise: " + message;
    }
  }

  private GenericKubernetesResource invalidServiceEntry() {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("networking.istio.io/v1")
        .withKind("ServiceEntry")
        .withNewMetadata()
        .withName(PROBE_NAME)
        .withNamespace(namespace)
        .endMetadata()
        // no hosts: always invalid
        .withAdditionalProperties(
            Map.of(
                "spec",
                Map.of(
                    "ports",
                    List.of(Map.of("number", 443, "name", "https", "protocol", "HTTPS")),
                    "resolution",
                    "DNS")))
        .build();
  }

  private void failIstioKinds() {
    client
        .resources(ValidatingWebhookConfiguration.class)
        .withName(configurationName)
        .edit(
            configuration -> {
              for (ValidatingWebhook webhook : configuration.getWebhooks()) {
                if (coversIstio(webhook)) {
                  webhook.setFailurePolicy("Fail");
                }
              }
              return configuration;
            });
    LOG.info(
        "self-test: webhooks for {} in ValidatingWebhookConfiguration {} now have failurePolicy Fail",
        ISTIO_GROUP,
        configurationName);
  }

  static boolean coversIstio(ValidatingWebhook webhook) {
    return webhook.getRules() != null
        && webhook.getRules().stream()
            .anyMatch(r -> r.getApiGroups() != null && r.getApiGroups().contains(ISTIO_GROUP));
  }
}
