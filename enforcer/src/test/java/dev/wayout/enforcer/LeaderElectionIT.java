package dev.wayout.enforcer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two replicas: one leads and writes, the other waits and takes over when the first stops. */
@ExtendWith(KubeApiServerExtension.class)
class LeaderElectionIT {

  private static final Map<String, String> ENFORCED = Map.of("wayout.dev/egress", "enforced");
  private static final Duration LEASE = Duration.ofSeconds(4);

  @Test
  void standbyTakesOverWhenTheLeaderStopsAndOnlyTheLeaderWrites(KubeApiServer api) {
    EnforcerFixture fixture = new EnforcerFixture(api);
    try (EnforcerFixture.Replica a = fixture.start("replica-a");
        EnforcerFixture.Replica b = fixture.start("replica-b")) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> a.enforcer().isLeader() || b.enforcer().isLeader());
      EnforcerFixture.Replica leader = a.enforcer().isLeader() ? a : b;
      EnforcerFixture.Replica standby = leader == a ? b : a;
      assertThat(standby.enforcer().isLeader()).isFalse();
      assertThat(holder(fixture)).isEqualTo(leader == a ? "replica-a" : "replica-b");

      String first = fixture.newNamespace("lead", ENFORCED);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> fixture.policy(first, "wayout-egress") != null);
      assertThat(leader.enforcer().metrics().writes()).isPositive();
      assertThat(standby.enforcer().metrics().writes()).isZero();

      // graceful stop: the leader stops writing, then releases the Lease
      long stopped = System.nanoTime();
      leader.close();
      await().atMost(LEASE).until(standby.enforcer()::isLeader);
      System.out.printf(
          "takeover after a graceful stop: %d ms%n", (System.nanoTime() - stopped) / 1_000_000);

      String second = fixture.newNamespace("takeover", ENFORCED);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> fixture.policy(second, "wayout-egress") != null);
      assertThat(standby.enforcer().metrics().writes()).isPositive();
      assertThat(fixture.policy(second, "wayout-egress").getMetadata().getManagedFields())
          .extracting(f -> f.getManager())
          .containsExactly("wayout-enforcer");
    }
  }

  @Test
  void standbyTakesOverWithinTheLeaseTimeWhenTheLeaderDisappears(KubeApiServer api) {
    EnforcerFixture fixture = new EnforcerFixture(api);
    try (EnforcerFixture.Replica a = fixture.start("replica-a");
        EnforcerFixture.Replica b = fixture.start("replica-b")) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> a.enforcer().isLeader() || b.enforcer().isLeader());
      EnforcerFixture.Replica leader = a.enforcer().isLeader() ? a : b;
      EnforcerFixture.Replica standby = leader == a ? b : a;

      // a crash: the leader's connection is gone and it never releases the Lease
      long crashed = System.nanoTime();
      leader.client().close();

      // it expires LEASE after the last renewal; allow fabric8's retry jitter and a busy machine
      // (the measured takeover is printed below)
      await().atMost(LEASE.plusSeconds(3)).until(standby.enforcer()::isLeader);
      System.out.printf(
          "takeover after a crash: %d ms (lease %d ms)%n",
          (System.nanoTime() - crashed) / 1_000_000, LEASE.toMillis());

      String ns = fixture.newNamespace("crash", ENFORCED);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> fixture.policy(ns, "wayout-egress") != null);
    }
  }

  private static String holder(EnforcerFixture fixture) {
    Lease lease =
        fixture.api.client().leases().inNamespace(fixture.system).withName("wayout-enforcer").get();
    return lease.getSpec().getHolderIdentity();
  }
}
