package dev.wayout.waypoint.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.model.KubeNamespace;
import dev.wayout.model.WaypointRef;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Directory mode with several local waypoints ({@code wayout run} with Gateways). */
class WaypointBindingTest {

  private static final WaypointRef DEFAULT =
      new WaypointRef(WaypointBinding.ANY_NAMESPACE, "waypoint");
  private static final WaypointRef SEED = new WaypointRef("istio-egress", "waypoint");
  private static final WaypointRef PARTNER = new WaypointRef("istio-egress", "partner");

  private static final List<KubeNamespace> NAMESPACES =
      List.of(
          new KubeNamespace("istio-egress", Map.of("istio.io/use-waypoint", "waypoint")),
          new KubeNamespace("shop", Map.of()));

  private final WaypointBinding seed =
      WaypointBinding.directory(
              SEED, DEFAULT, Map.of(DEFAULT, PeerAddresses.NONE, PARTNER, PeerAddresses.NONE))
          .withNamespaces(NAMESPACES);

  @Test
  void anEntryOfANamespaceLabelledInTheFilesIsServedByThatNamespacesGateway() {
    assertThat(seed.serverOf("istio-egress", Map.of())).contains(SEED);
    assertThat(seed.binds("istio-egress", Map.of())).isTrue();
  }

  @Test
  void anEntrysOwnLabelWinsOverItsNamespaces() {
    assertThat(seed.serverOf("istio-egress", Map.of("istio.io/use-waypoint", "partner")))
        .contains(PARTNER);
    assertThat(seed.binds("istio-egress", Map.of("istio.io/use-waypoint", "partner"))).isFalse();
  }

  @Test
  void anUnboundEntryIsServedByTheDefaultLocalWaypoint() {
    assertThat(seed.serverOf("shop", Map.of())).contains(DEFAULT);
    assertThat(seed.serverOf("elsewhere", null)).contains(DEFAULT);
  }

  @Test
  void theDefaultsNameWithoutAGatewayIsServedByTheDefault() {
    assertThat(seed.serverOf("shop", Map.of("istio.io/use-waypoint", "waypoint")))
        .contains(DEFAULT);
  }

  @Test
  void aWaypointNoGatewayMakesIsStillTheServerSoItsTrafficIsRefusedNamingIt() {
    assertThat(seed.serverOf("istio-egress", Map.of("istio.io/use-waypoint", "gone")))
        .contains(new WaypointRef("istio-egress", "gone"));
  }

  @Test
  void noneMeansNoWaypoint() {
    assertThat(seed.serverOf("istio-egress", Map.of("istio.io/use-waypoint", "none")))
        .isEqualTo(Optional.empty());
  }

  @Test
  void theSingleDirectoryWaypointStillServesEverythingUnbound() {
    WaypointBinding only = WaypointBinding.everything("waypoint").withNamespaces(NAMESPACES);
    assertThat(only.binds("shop", Map.of())).isTrue();
    // istio-egress asks for istio-egress/waypoint, which has the default's name
    assertThat(only.binds("istio-egress", Map.of())).isTrue();
  }

  @Test
  void namespacesChangeNothingInTheCluster() {
    WaypointBinding cluster = WaypointBinding.namespaces("waypoint", java.util.Set.of());
    assertThat(cluster.withNamespaces(NAMESPACES)).isSameAs(cluster);
  }
}
