package dev.wayout.enforcer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wayout.enforcer.desired.DesiredNetworkPolicies;
import dev.wayout.enforcer.reconcile.PolicyComparison;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** One enforcer replica against the real test API server; a namespace per test. */
@ExtendWith(KubeApiServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnforcerIT {

  private static final Map<String, String> ENFORCED = Map.of("wayout.dev/egress", "enforced");

  private EnforcerFixture fixture;
  private EnforcerFixture.Replica replica;

  @BeforeAll
  void start(KubeApiServer api) {
    fixture = new EnforcerFixture(api);
    replica = fixture.start("enforcer-0");
    await().atMost(Duration.ofSeconds(20)).until(replica.enforcer()::isLeader);
  }

  @AfterAll
  void stop() {
    if (replica != null) {
      replica.close();
    }
  }

  private NetworkPolicy expected(String namespace, Map<String, String> labels) {
    return DesiredNetworkPolicies.of(namespace, labels, List.of(), fixture.config().policy())
        .get(0);
  }

  @Test
  void labellingANamespaceEnforcedMakesItsPolicyAppear() {
    String ns = fixture.newNamespace("shop", ENFORCED);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              NetworkPolicy policy = fixture.policy(ns, "wayout-egress");
              assertThat(policy).isNotNull();
              assertThat(PolicyComparison.same(policy, expected(ns, ENFORCED))).isTrue();
              assertThat(policy.getMetadata().getLabels())
                  .containsEntry("app.kubernetes.io/managed-by", "wayout");
              assertThat(policy.getMetadata().getManagedFields())
                  .extracting(f -> f.getManager())
                  .containsExactly("wayout-enforcer");
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(fixture.api.client().v1().events().inNamespace(ns).list().getItems())
                    .extracting(Event::getReason, Event::getMessage)
                    .contains(
                        org.assertj.core.groups.Tuple.tuple(
                            "EgressPolicyApplied",
                            "NetworkPolicy wayout-egress created by wayout-enforcer")));
  }

  @Test
  void aPolicySomeoneEditsIsRestoredWithinTwoSeconds() {
    String ns = fixture.newNamespace("edit", ENFORCED);
    await().atMost(Duration.ofSeconds(10)).until(() -> fixture.policy(ns, "wayout-egress") != null);

    fixture
        .api
        .client()
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(ns)
        .withName("wayout-egress")
        .edit(
            p -> {
              p.getSpec()
                  .setEgress(
                      List.of(
                          new NetworkPolicyEgressRuleBuilder()
                              .addNewTo()
                              .withNewIpBlock()
                              .withCidr("0.0.0.0/0")
                              .endIpBlock()
                              .endTo()
                              .build()));
              return p;
            });

    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () ->
                assertThat(
                        PolicyComparison.same(
                            fixture.policy(ns, "wayout-egress"), expected(ns, ENFORCED)))
                    .isTrue());
  }

  @Test
  void aPolicySomeoneDeletesIsRestoredWithinTwoSeconds() {
    String ns = fixture.newNamespace("delete", ENFORCED);
    await().atMost(Duration.ofSeconds(10)).until(() -> fixture.policy(ns, "wayout-egress") != null);

    fixture
        .api
        .client()
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(ns)
        .withName("wayout-egress")
        .delete();

    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              NetworkPolicy restored = fixture.policy(ns, "wayout-egress");
              assertThat(restored).isNotNull();
              assertThat(restored.getMetadata().getDeletionTimestamp()).isNull();
              assertThat(PolicyComparison.same(restored, expected(ns, ENFORCED))).isTrue();
            });
  }

  @Test
  void unlabellingANamespaceRemovesItsPolicy() {
    String ns = fixture.newNamespace("unlabel", ENFORCED);
    await().atMost(Duration.ofSeconds(10)).until(() -> fixture.policy(ns, "wayout-egress") != null);

    fixture
        .api
        .client()
        .namespaces()
        .withName(ns)
        .edit(
            n -> {
              n.getMetadata().getLabels().remove("wayout.dev/egress");
              return n;
            });

    await().atMost(Duration.ofSeconds(10)).until(() -> fixture.policy(ns, "wayout-egress") == null);
  }

  @Test
  void aServiceEntryOnANewPortOpensThatPortForTheWaypoint() {
    String ns = fixture.newNamespace("se", Map.of());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> fixture.policy(fixture.waypointNamespace, "wayout-waypoint-egress") != null);

    var applied =
        fixture.api.applyYaml(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: external-svc-aliyun
              namespace: %s
            spec:
              hosts: [aliyun.com]
              location: MESH_EXTERNAL
              ports:
              - {number: 80, name: http, protocol: HTTP, targetPort: 9443}
              - {number: 8443, name: https, protocol: HTTPS}
              resolution: DNS
            """
                .formatted(ns));
    assertThat(applied.succeeded()).as(applied.toString()).isTrue();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        fixture
                            .policy(fixture.waypointNamespace, "wayout-waypoint-egress")
                            .getSpec()
                            .getEgress()
                            .get(0)
                            .getPorts())
                    .extracting(p -> p.getPort().getIntVal())
                    .contains(80, 8443, 9443));
  }

  @Test
  void metricsCountPoliciesInSync() {
    String ns = fixture.newNamespace("metrics", ENFORCED);
    await().atMost(Duration.ofSeconds(10)).until(() -> fixture.policy(ns, "wayout-egress") != null);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              var metrics = replica.enforcer().metrics();
              assertThat(metrics.inSync()).isEqualTo(metrics.desired()).isGreaterThanOrEqualTo(2);
              assertThat(replica.registry().get("wayout.enforcer.policies.in.sync").gauge().value())
                  .isEqualTo(metrics.inSync());
            });
  }
}
