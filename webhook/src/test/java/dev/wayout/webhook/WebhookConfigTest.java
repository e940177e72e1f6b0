package dev.wayout.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wayout.webhook.admission.UserInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookConfigTest {

  @Test
  void hasDefaultsThatMatchTheManifests() {
    WebhookConfig config = WebhookConfig.defaults();

    assertThat(config.port()).isEqualTo(9443);
    assertThat(config.namespace()).isEqualTo("wayout-system");
    assertThat(config.serviceName()).isEqualTo("wayout-webhook");
    assertThat(config.excludedNamespaces())
        .containsExactlyInAnyOrder(
            "kube-system", "kube-public", "kube-node-lease", "wayout-system");
    assertThat(config.serviceDnsNames())
        .containsExactly(
            "wayout-webhook",
            "wayout-webhook.wayout-system",
            "wayout-webhook.wayout-system.svc",
            "wayout-webhook.wayout-system.svc.cluster.local");
    assertThat(config.egressAdmins().permits(new UserInfo("x", List.of("system:masters"))))
        .isTrue();
    assertThat(config.selfTest()).isTrue();
  }

  @Test
  void readsEveryVariable() {
    WebhookConfig config =
        WebhookConfig.fromEnv(
            Map.of(
                "WAYOUT_WEBHOOK_PORT", "8443",
                "WAYOUT_NAMESPACE", "egress",
                "WAYOUT_UNENFORCED_NAMESPACES", "ci, sandbox",
                "WAYOUT_EGRESS_ADMIN_USERS", "ops",
                "WAYOUT_EGRESS_ADMIN_GROUPS", "",
                "WAYOUT_EGRESS_ADMIN_SERVICE_ACCOUNTS", "argocd/controller",
                "WAYOUT_WEBHOOK_SELF_TEST", "false",
                "WAYOUT_WEBHOOK_SELF_TEST_TIMEOUT", "15s"));

    assertThat(config.port()).isEqualTo(8443);
    assertThat(config.excludedNamespaces()).contains("egress", "ci", "sandbox");
    assertThat(config.egressAdmins().groups()).isEmpty();
    assertThat(config.egressAdmins().describe())
        .isEqualTo("users \"ops\", service accounts \"argocd/controller\"");
    assertThat(config.selfTest()).isFalse();
    assertThat(config.selfTestTimeout()).isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void reportsEveryBadValueWithWhatIsExpected() {
    assertThatThrownBy(
            () ->
                WebhookConfig.fromEnv(
                    Map.of(
                        "WAYOUT_WEBHOOK_PORT", "80a",
                        "WAYOUT_NAMESPACE", "Wayout_System",
                        "WAYOUT_EGRESS_ADMIN_SERVICE_ACCOUNTS", "controller",
                        "WAYOUT_WEBHOOK_SELF_TEST", "yes")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("WAYOUT_WEBHOOK_PORT: \"80a\" (expected: an integer from 0 to 65535")
        .hasMessageContaining(
            "WAYOUT_NAMESPACE: \"Wayout_System\" (expected: a namespace or object name")
        .hasMessageContaining(
            "WAYOUT_EGRESS_ADMIN_SERVICE_ACCOUNTS: \"controller\" (expected: namespace/name")
        .hasMessageContaining("WAYOUT_WEBHOOK_SELF_TEST: \"yes\" (expected: true or false)");
  }
}
