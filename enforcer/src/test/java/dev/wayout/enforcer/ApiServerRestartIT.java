package dev.wayout.enforcer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The enforcer survives an API server restart: it reconnects, leads again and converges. */
@ExtendWith(KubeApiServerExtension.class)
class ApiServerRestartIT {

  private static final Map<String, String> ENFORCED = Map.of("wayout.dev/egress", "enforced");

  @Test
  void reconnectsAndConvergesAfterAnApiServerRestart(KubeApiServer api) {
    EnforcerFixture fixture = new EnforcerFixture(api);
    try (EnforcerFixture.Replica replica = fixture.start("enforcer-0")) {
      String before = fixture.newNamespace("before", ENFORCED);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> fixture.policy(before, "wayout-egress") != null);

      api.restart();

      // changes made after the restart are seen through re-established watches
      String after = fixture.newNamespace("after", ENFORCED);
      api.client()
          .network()
          .v1()
          .networkPolicies()
          .inNamespace(before)
          .withName("wayout-egress")
          .delete();
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                assertThat(fixture.policy(after, "wayout-egress")).isNotNull();
                assertThat(fixture.policy(before, "wayout-egress")).isNotNull();
                assertThat(replica.enforcer().isLeader()).isTrue();
              });
    }
  }
}
