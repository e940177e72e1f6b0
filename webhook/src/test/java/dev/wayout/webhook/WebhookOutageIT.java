package dev.wayout.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wayout.testing.CommandResult;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A webhook that is down never blocks the cluster: the configurations fail open. */
@ExtendWith(KubeApiServerExtension.class)
class WebhookOutageIT {

  private static final String CONFIGURATION = "wayout-webhook-outage-it";

  @Test
  void namespacesAndServiceEntriesAreStillCreatedWhileTheWebhookIsDown(KubeApiServer api) {
    WebhookIT.installCrds(api);
    WebhookIT.ensureNamespace(api, "wayout-system");
    TestWebhook webhook = new TestWebhook(Map.of(), null);
    try {
      WebhookIT.apply(
          api,
          Manifests.registeredByUrl(
              "webhook/060-ValidatingWebhookConfiguration-wayout-webhook.yaml",
              CONFIGURATION,
              webhook.webhook.port(),
              webhook.ca.certificatePem()));
      WebhookIT.apply(
          api,
          Manifests.registeredByUrl(
              "webhook/061-MutatingWebhookConfiguration-wayout-webhook.yaml",
              CONFIGURATION,
              webhook.webhook.port(),
              webhook.ca.certificatePem()));
      String up = "outage-up-" + UUID.randomUUID().toString().substring(0, 8);
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(250))
          .until(
              () ->
                  !api.kubectlWithInput(
                          WebhookIT.entry("wayout-system", "probe", "hosts: []"),
                          "apply",
                          "--dry-run=server",
                          "-f",
                          "-")
                      .succeeded());
      assertThat(api.kubectl("create", "namespace", up).exitCode()).isZero();
      assertThat(label(api, up)).isEqualTo("enforced");

      webhook.close();

      String down = "outage-down-" + UUID.randomUUID().toString().substring(0, 8);
      CommandResult created = api.kubectl("create", "namespace", down);
      assertThat(created.exitCode()).as(created.toString()).isZero();
      assertThat(label(api, down)).isEmpty();
      CommandResult entry =
          api.kubectlWithInput(
              WebhookIT.entry(down, "unchecked", "hosts: [api.example.com]\nresolution: DNS"),
              "apply",
              "-f",
              "-");
      assertThat(entry.exitCode()).as(entry.toString()).isZero();
    } finally {
      webhook.close();
      api.kubectl("delete", "validatingwebhookconfiguration", CONFIGURATION, "--ignore-not-found");
      api.kubectl("delete", "mutatingwebhookconfiguration", CONFIGURATION, "--ignore-not-found");
    }
  }

  private static String label(KubeApiServer api, String namespace) {
    return api.kubectl(
            "get", "namespace", namespace, "-o", "jsonpath={.metadata.labels.wayout\\.dev/egress}")
        .stdout();
  }
}
