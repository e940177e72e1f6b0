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

  @Test
  void leavesPodInjectionOffUntilTheClusterRangesAreSet() {
    assertThat(WebhookConfig.defaults().podInjection()).isNull();
    assertThat(WebhookConfig.defaults().describe())
        .contains("podInjection=off (WAYOUT_CLUSTER_CIDRS is not set)");
  }

  @Test
  void readsPodInjectionFollowingTheWaypointServiceByDefault() {
    PodInjectionConfig injection =
        WebhookConfig.fromEnv(Map.of("WAYOUT_CLUSTER_CIDRS", "10.244.0.0/16,fd00:10:96::/112"))
            .podInjection();

    assertThat(injection.clusterCidrs())
        .map(Object::toString)
        .containsExactly("10.244.0.0/16", "fd00:10:96::/112");
    assertThat(injection.image()).isEqualTo("wayout:0.1.0");
    assertThat(injection.followsWaypointService()).isTrue();
    assertThat(injection.waypointServiceNamespace()).isEqualTo("wayout-system");
    assertThat(injection.waypointServiceName()).isEqualTo("wayout-waypoint");
  }

  @Test
  void readsConfiguredWaypointAddressesAndOptOutIdentities() {
    WebhookConfig config =
        WebhookConfig.fromEnv(
            Map.of(
                "WAYOUT_CLUSTER_CIDRS", "10.0.0.0/8",
                "WAYOUT_WAYPOINT_ADDRESSES", "10.96.0.50, fd00::50",
                "WAYOUT_WAYPOINT_NAMESPACE", "egress",
                "WAYOUT_WAYPOINT_SERVICE", "waypoint",
                "WAYOUT_EGRESS_ADMIN_SERVICE_ACCOUNTS", "argocd/controller"));

    PodInjectionConfig injection = config.podInjection();
    assertThat(injection.followsWaypointService()).isFalse();
    assertThat(injection.describe()).contains("waypoint=10.96.0.50,fd00::50");
    assertThat(injection.waypointServiceNamespace()).isEqualTo("egress");
    assertThat(injection.waypointServiceName()).isEqualTo("waypoint");
    var mutation = injection.injection(config.egressAdmins());
    assertThat(mutation.optOutUsers()).containsExactly("system:serviceaccount:argocd:controller");
    assertThat(mutation.optOutGroups()).containsExactly("system:masters");
  }

  @Test
  void reportsBadPodInjectionValuesWithWhatIsExpected() {
    assertThatThrownBy(
            () ->
                WebhookConfig.fromEnv(
                    Map.of(
                        "WAYOUT_CLUSTER_CIDRS", "10.244.0.1/16,cluster",
                        "WAYOUT_WAYPOINT_ADDRESSES", "waypoint.example",
                        "WAYOUT_WAYPOINT_SERVICE", "wayout-system/wayout-waypoint")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "WAYOUT_CLUSTER_CIDRS: \"10.244.0.1/16\" (\"10.244.0.1/16\" has host bits set; write"
                + " 10.244.0.0/16)")
        .hasMessageContaining("WAYOUT_CLUSTER_CIDRS: \"cluster\" (")
        .hasMessageContaining(
            "WAYOUT_WAYPOINT_ADDRESSES: \"waypoint.example\" (expected: the"
                + " waypoint Service's cluster IPs")
        .hasMessageContaining(
            "WAYOUT_WAYPOINT_SERVICE: \"wayout-system/wayout-waypoint\" (expected: a namespace or"
                + " object name, e.g. \"wayout-waypoint\")");
    assertThatThrownBy(() -> WebhookConfig.fromEnv(Map.of("WAYOUT_INIT_IMAGE", "wayout:0.2.0")))
        .hasMessageContaining(
            "WAYOUT_CLUSTER_CIDRS: missing (expected: the cluster's pod and service ranges")
        .hasMessageContaining("since WAYOUT_INIT_IMAGE is set");
  }
}
