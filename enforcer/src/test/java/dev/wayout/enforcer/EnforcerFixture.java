package dev.wayout.enforcer;

import dev.wayout.testing.KubeApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Starts enforcer replicas against the test API server, each with a client of its own. */
final class EnforcerFixture {

  static final String CLUSTER_CIDRS = "10.244.0.0/16,10.96.0.0/12";

  final KubeApiServer api;
  final String suffix = UUID.randomUUID().toString().substring(0, 6);
  final String system = "wayout-" + suffix;
  final String waypointNamespace = "egress-" + suffix;

  EnforcerFixture(KubeApiServer api) {
    this.api = api;
    api.installIstioCrds();
    createNamespace(system, Map.of());
    createNamespace(waypointNamespace, Map.of());
  }

  /** A running replica and what it owns. */
  record Replica(Enforcer enforcer, KubernetesClient client, SimpleMeterRegistry registry)
      implements AutoCloseable {
    @Override
    public void close() {
      enforcer.close();
      client.close();
    }
  }

  Map<String, String> env(String identity) {
    Map<String, String> env = new HashMap<>();
    env.put("WAYOUT_CLUSTER_CIDRS", CLUSTER_CIDRS);
    env.put("WAYOUT_WAYPOINT_NAMESPACE", waypointNamespace);
    env.put("POD_NAMESPACE", system);
    env.put("POD_NAME", identity);
    env.put("WAYOUT_LEASE_DURATION", "4s");
    env.put("WAYOUT_LEASE_RENEW_DEADLINE", "3s");
    env.put("WAYOUT_LEASE_RETRY_PERIOD", "500ms");
    env.put("WAYOUT_RESYNC_PERIOD", "1m");
    return env;
  }

  Replica start(String identity) {
    KubernetesClient client = api.newClient();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Enforcer enforcer = Enforcer.start(client, EnforcerConfig.fromEnv(env(identity)), registry);
    return new Replica(enforcer, client, registry);
  }

  EnforcerConfig config() {
    return EnforcerConfig.fromEnv(env("test"));
  }

  String createNamespace(String name, Map<String, String> labels) {
    api.client()
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
    return name;
  }

  String newNamespace(String prefix, Map<String, String> labels) {
    return createNamespace(prefix + "-" + UUID.randomUUID().toString().substring(0, 6), labels);
  }

  NetworkPolicy policy(String namespace, String name) {
    return api.client()
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(namespace)
        .withName(name)
        .get();
  }
}
