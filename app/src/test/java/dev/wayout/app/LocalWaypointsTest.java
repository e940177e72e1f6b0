package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.model.Gateway;
import dev.wayout.model.IstioDocuments;
import dev.wayout.model.ResourceSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalWaypointsTest {

  private static final ResourceSet FOLDER =
      IstioDocuments.parse(
          """
          apiVersion: gateway.networking.k8s.io/v1
          kind: Gateway
          metadata: {name: waypoint}
          spec: {gatewayClassName: istio-waypoint}
          ---
          apiVersion: gateway.networking.k8s.io/v1
          kind: Gateway
          metadata: {name: partner, namespace: team}
          spec: {gatewayClassName: wayout-waypoint}
          ---
          apiVersion: gateway.networking.k8s.io/v1
          kind: Gateway
          metadata: {name: ingress}
          spec: {gatewayClassName: nginx}
          """,
          "folder",
          "istio-egress");

  @Test
  void onlyGatewaysOfAServedClassGetAWaypointInNamespaceThenNameOrder() {
    assertThat(LocalWaypoints.served(FOLDER).stream().map(g -> g.ref().toString()))
        .containsExactly("istio-egress/waypoint", "team/partner");
    assertThat(LocalWaypoints.unserved(FOLDER).stream().map(g -> g.ref().toString()))
        .containsExactly("istio-egress/ingress");
  }

  @Test
  void theNthGatewayTakesTenPortsFromTheBase() {
    Gateway partner = LocalWaypoints.served(FOLDER).get(1);
    Map<String, String> env =
        LocalWaypoints.gatewayEnv(Map.of("WAYOUT_WAYPOINT_HTTP_PORT", "15001"), partner, 1, 15100);
    assertThat(env)
        .containsEntry("WAYOUT_WAYPOINT_NAME", "partner")
        .containsEntry("WAYOUT_WAYPOINT_NAMESPACE", "team")
        .containsEntry("WAYOUT_WAYPOINT_DEFAULT", "false")
        .containsEntry("WAYOUT_WAYPOINT_HTTP_PORT", "15110")
        .containsEntry("WAYOUT_WAYPOINT_TLS_PORT", "15111")
        .containsEntry("WAYOUT_WAYPOINT_METRICS_PORT", "15112")
        .containsEntry("WAYOUT_WAYPOINT_HEALTH_PORT", "15113");
  }

  @Test
  void baseZeroLetsTheKernelPickEveryPort() {
    Map<String, String> env =
        LocalWaypoints.gatewayEnv(Map.of(), LocalWaypoints.served(FOLDER).get(1), 1, 0);
    assertThat(env)
        .containsEntry("WAYOUT_WAYPOINT_HTTP_PORT", "0")
        .containsEntry("WAYOUT_WAYPOINT_HEALTH_PORT", "0");
  }

  @Test
  void aBaseThatDoesNotFitIsNamedWithTheFix() {
    assertThat(LocalWaypoints.checkPortBase(15100, 2)).isEmpty();
    assertThat(LocalWaypoints.checkPortBase(0, 2)).isEmpty();
    assertThat(LocalWaypoints.checkPortBase(65530, 2))
        .hasValueSatisfying(
            m -> assertThat(m).startsWith("--gateway-ports: 65530").contains("e.g. 15100"));
    assertThat(LocalWaypoints.checkPortBase(80, 1)).isPresent();
  }
}
