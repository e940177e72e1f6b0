package dev.wayout.enforcer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.model.Cidr;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DesiredWaypointTest {

  private static final GatewayConfig CONFIG =
      new GatewayConfig(
          "auto",
          Set.of("wayout-waypoint", "istio-waypoint"),
          "wayout:0.1.0",
          List.of(Cidr.parse("10.0.0.0/8")),
          "wayout-waypoint",
          "wayout-waypoint-secrets");

  private static Gateway gateway() {
    return new GatewayBuilder()
        .withNewMetadata()
        .withNamespace("istio-egress")
        .withName("waypoint")
        .withUid("u-1")
        .withGeneration(2L)
        .endMetadata()
        .withNewSpec()
        .withGatewayClassName("istio-waypoint")
        .withNewInfrastructure()
        .withLabels(Map.of("team", "a", "gateway.networking.k8s.io/gateway-name", "spoofed"))
        .endInfrastructure()
        .addNewListener()
        .withName("mesh")
        .withPort(15008)
        .withProtocol("HBONE")
        .endListener()
        .endSpec()
        .build();
  }

  @Test
  void everyNamespacedObjectIsNamedAfterAndOwnedByTheGatewayAndLabelledAsWayouts() {
    List<HasMetadata> objects =
        DesiredWaypoint.namespaced(gateway(), WaypointParameters.DEFAULTS, CONFIG);
    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .containsExactly(
            "ServiceAccount", "RoleBinding", "Service", "Deployment", "PodDisruptionBudget");
    for (HasMetadata o : objects) {
      assertThat(o.getMetadata().getName()).isEqualTo("waypoint");
      assertThat(o.getMetadata().getNamespace()).isEqualTo("istio-egress");
      assertThat(o.getMetadata().getOwnerReferences().get(0).getUid()).isEqualTo("u-1");
      // the Gateway's infrastructure labels are copied, but never over ours
      assertThat(o.getMetadata().getLabels())
          .containsEntry("team", "a")
          .containsEntry("gateway.networking.k8s.io/gateway-name", "waypoint")
          .containsEntry("app.kubernetes.io/managed-by", "wayout");
    }
    Deployment d = (Deployment) objects.get(3);
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .isEqualTo(Map.of("gateway.networking.k8s.io/gateway-name", "waypoint"));
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .contains("WAYOUT_WAYPOINT_NAME=waypoint", "WAYOUT_WAYPOINT_CLUSTER_CIDRS=10.0.0.0/8");
  }

  @Test
  void aTrustedCaConfigMapIsMountedAndNamedToTheWaypointOnlyWhenConfigured() {
    GatewayConfig withCa =
        new GatewayConfig(
            CONFIG.mode(),
            CONFIG.classes(),
            CONFIG.image(),
            CONFIG.clusterCidrs(),
            CONFIG.waypointClusterRole(),
            CONFIG.secretsClusterRole(),
            "wayout-trusted-ca");
    var spec =
        ((io.fabric8.kubernetes.api.model.apps.Deployment)
                DesiredWaypoint.namespaced(gateway(), WaypointParameters.DEFAULTS, withCa).get(3))
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(spec.getVolumes())
        .anySatisfy(
            v -> {
              assertThat(v.getName()).isEqualTo("trusted-ca");
              assertThat(v.getConfigMap().getName()).isEqualTo("wayout-trusted-ca");
            });
    var container = spec.getContainers().get(0);
    assertThat(container.getVolumeMounts())
        .extracting(m -> m.getName() + " " + m.getMountPath() + " " + m.getReadOnly())
        .containsExactly("tmp /tmp null", "trusted-ca /etc/wayout/trusted-ca true");
    assertThat(container.getEnv())
        .extracting(e -> e.getName() + "=" + e.getValue())
        .contains("WAYOUT_WAYPOINT_TRUSTED_CA_FILE=/etc/wayout/trusted-ca/ca.crt");

    var plain =
        ((io.fabric8.kubernetes.api.model.apps.Deployment)
                DesiredWaypoint.namespaced(gateway(), WaypointParameters.DEFAULTS, CONFIG).get(3))
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(plain.getVolumes()).extracting(v -> v.getName()).containsExactly("tmp");
    assertThat(plain.getContainers().get(0).getEnv())
        .extracting(e -> e.getName())
        .doesNotContain("WAYOUT_WAYPOINT_TRUSTED_CA_FILE");
  }

  @Test
  void aSingleReplicaMayBeEvictedTwoKeepOneServing() {
    var one = new WaypointParameters(1, Map.of(), Map.of());
    var pdb1 = (PodDisruptionBudget) DesiredWaypoint.namespaced(gateway(), one, CONFIG).get(4);
    assertThat(pdb1.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    var pdb2 =
        (PodDisruptionBudget)
            DesiredWaypoint.namespaced(gateway(), WaypointParameters.DEFAULTS, CONFIG).get(4);
    assertThat(pdb2.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
  }

  @Test
  void theClusterRoleBindingIsFoundByLabelsAndALongNameIsShortenedUniquely() {
    HasMetadata crb = DesiredWaypoint.clusterRoleBinding(gateway(), CONFIG);
    assertThat(crb.getMetadata().getName()).isEqualTo("wayout-waypoint-istio-egress-waypoint");
    assertThat(crb.getMetadata().getOwnerReferences()).isEmpty();
    assertThat(crb.getMetadata().getLabels())
        .containsEntry("wayout.dev/gateway-namespace", "istio-egress")
        .containsEntry("gateway.networking.k8s.io/gateway-name", "waypoint");
    String a = DesiredWaypoint.clusterRoleBindingName("ns", "x".repeat(250));
    String b = DesiredWaypoint.clusterRoleBindingName("ns", "x".repeat(249) + "y");
    assertThat(a).hasSizeLessThanOrEqualTo(253).isNotEqualTo(b);
  }

  @Test
  void statusIsProgrammedOnceTheServiceHasItsAddressAndKeepsItsTransitionTime() {
    Gateway gw = gateway();
    var waiting =
        GatewayConditions.of(gw, null, List.of(), false, Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(waiting.getConditions())
        .extracting(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
        .containsExactly("Accepted=True/Accepted", "Programmed=False/AddressNotAssigned");
    gw.setStatus(waiting);
    var programmed =
        GatewayConditions.of(
            gw, null, List.of("10.96.0.9"), true, Instant.parse("2026-01-01T00:01:00Z"));
    assertThat(programmed.getConditions().get(0).getLastTransitionTime())
        .isEqualTo("2026-01-01T00:00:00Z");
    assertThat(programmed.getConditions().get(1).getLastTransitionTime())
        .isEqualTo("2026-01-01T00:01:00Z");
    assertThat(programmed.getConditions().get(1).getObservedGeneration()).isEqualTo(2L);
    assertThat(programmed.getAddresses())
        .extracting(a -> a.getValue())
        .containsExactly("10.96.0.9");
    gw.setStatus(programmed);
    var again =
        GatewayConditions.of(
            gw, null, List.of("10.96.0.9"), true, Instant.parse("2026-01-01T00:02:00Z"));
    assertThat(GatewayConditions.same(programmed, again)).isTrue();
    var invalid = GatewayConditions.of(gw, "bad", List.of("10.96.0.9"), true, Instant.now());
    assertThat(invalid.getConditions())
        .extracting(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
        .containsExactly("Accepted=False/InvalidParameters", "Programmed=False/Invalid");
    assertThat(invalid.getAddresses()).isEmpty();
  }
}
