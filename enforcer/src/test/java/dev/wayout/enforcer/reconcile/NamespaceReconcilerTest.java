package dev.wayout.enforcer.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.enforcer.desired.DesiredNetworkPolicies;
import dev.wayout.enforcer.desired.PolicyConfig;
import dev.wayout.model.Cidr;
import dev.wayout.model.ServiceEntry;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reconciler against an in-memory cluster: what it writes, and that a second run writes
 * nothing.
 */
class NamespaceReconcilerTest {

  private static final PolicyConfig CONFIG =
      PolicyConfig.withClusterCidrs(List.of(Cidr.parse("10.0.0.0/8")));

  /** A tiny in-memory cluster: writes land in the same maps the view reads. */
  private static final class Cluster implements ClusterView, PolicyWriter {
    final Map<String, Map<String, String>> namespaces = new HashMap<>();
    final Map<String, NetworkPolicy> policies = new HashMap<>();
    final List<String> calls = new ArrayList<>();

    @Override
    public Map<String, String> namespaceLabels(String namespace) {
      return namespaces.get(namespace);
    }

    @Override
    public List<String> namespaces() {
      return List.copyOf(namespaces.keySet());
    }

    @Override
    public List<ServiceEntry> serviceEntries() {
      return List.of();
    }

    @Override
    public List<NetworkPolicy> ownedPolicies(String namespace) {
      return policies.values().stream()
          .filter(p -> p.getMetadata().getNamespace().equals(namespace))
          .toList();
    }

    @Override
    public void apply(NetworkPolicy policy) {
      calls.add(
          "apply " + policy.getMetadata().getNamespace() + "/" + policy.getMetadata().getName());
      // what the API server would hand back: a serialized round trip
      policies.put(
          policy.getMetadata().getNamespace() + "/" + policy.getMetadata().getName(),
          Serialization.unmarshal(Serialization.asJson(policy), NetworkPolicy.class));
    }

    @Override
    public void delete(String namespace, String name) {
      calls.add("delete " + namespace + "/" + name);
      policies.remove(namespace + "/" + name);
    }

    @Override
    public void event(String namespace, String reason, String message) {
      calls.add("event " + namespace + " " + reason);
    }
  }

  private final Cluster cluster = new Cluster();
  private final PolicyMetrics metrics = new PolicyMetrics(new SimpleMeterRegistry());
  private final NamespaceReconciler reconciler =
      new NamespaceReconciler(CONFIG, cluster, cluster, metrics);

  @Test
  void createsThenDoesNothingTheSecondTime() {
    cluster.namespaces.put("shop", Map.of("wayout.dev/egress", "enforced"));

    ReconcileResult first = reconciler.reconcile("shop");
    ReconcileResult second = reconciler.reconcile("shop");

    assertThat(first.created()).containsExactly("wayout-egress");
    assertThat(second.changed()).isFalse();
    assertThat(cluster.calls)
        .containsExactly("apply shop/wayout-egress", "event shop EgressPolicyApplied");
    assertThat(metrics.inSync()).isEqualTo(1);
  }

  @Test
  void restoresAnEditedPolicy() {
    cluster.namespaces.put("shop", Map.of("wayout.dev/egress", "enforced"));
    reconciler.reconcile("shop");
    NetworkPolicy edited =
        new NetworkPolicyBuilder(cluster.policies.get("shop/wayout-egress"))
            .editSpec()
            .withEgress(List.of())
            .endSpec()
            .build();
    cluster.policies.put("shop/wayout-egress", edited);

    assertThat(reconciler.reconcile("shop").restored()).containsExactly("wayout-egress");
    assertThat(
            PolicyComparison.same(
                cluster.policies.get("shop/wayout-egress"),
                DesiredNetworkPolicies.of(
                        "shop", Map.of("wayout.dev/egress", "enforced"), List.of(), CONFIG)
                    .get(0)))
        .isTrue();
  }

  @Test
  void ignoresLabelsSomeoneElseAdded() {
    cluster.namespaces.put("shop", Map.of("wayout.dev/egress", "enforced"));
    reconciler.reconcile("shop");
    cluster.policies.get("shop/wayout-egress").getMetadata().getLabels().put("team", "payments");

    assertThat(reconciler.reconcile("shop").changed()).isFalse();
  }

  @Test
  void prunesPolicyWhenLabelRemovedAndWhenNamespaceIsGone() {
    cluster.namespaces.put("shop", Map.of("wayout.dev/egress", "enforced"));
    reconciler.reconcile("shop");

    cluster.namespaces.put("shop", Map.of());
    assertThat(reconciler.reconcile("shop").deleted()).containsExactly("wayout-egress");
    assertThat(cluster.policies).isEmpty();
    assertThat(metrics.desired()).isZero();

    cluster.namespaces.put("gone", Map.of("wayout.dev/egress", "enforced"));
    reconciler.reconcile("gone");
    cluster.namespaces.remove("gone");
    assertThat(reconciler.reconcile("gone").deleted()).containsExactly("wayout-egress");
    assertThat(cluster.calls).doesNotContain("event gone EgressPolicyRemoved");
  }
}
