package dev.wayout.webhook.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wayout.model.WaypointRef;
import dev.wayout.testing.KubeApiServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The webhook's Gateway lookups against a real API server of its own, first without the Gateway API
 * (the waypoint cannot exist), then with it (missing, then found).
 */
class ClusterWaypointsIT {

  private static KubeApiServer api;

  @BeforeAll
  static void start() {
    api = KubeApiServer.start();
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  @Test
  void aGatewayCannotExistWithoutTheGatewayApiThenIsMissingThenFound() {
    ClusterWaypoints cluster = new ClusterWaypoints(api.client());
    WaypointRef ref = new WaypointRef("default", "egress");

    var without = cluster.gateway(ref);
    assertThat(without.isMissing()).isTrue();
    assertThat(without.reason())
        .isEqualTo("the API server does not serve the Gateway API (gateway.networking.k8s.io)");

    api.installGatewayApiCrds();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              var missing = cluster.gateway(ref);
              assertThat(missing.isMissing()).isTrue();
              assertThat(missing.reason()).isEmpty();
            });

    var created =
        api.applyYaml(
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: egress, namespace: default}
            spec:
              gatewayClassName: istio-waypoint
              listeners: [{name: mesh, port: 15008, protocol: HBONE}]
            """);
    assertThat(created.succeeded()).as(created.toString()).isTrue();
    var found = cluster.gateway(ref);
    assertThat(found.found()).isNotNull();
    assertThat(found.found().gatewayClassName()).isEqualTo("istio-waypoint");
  }
}
