package dev.wayout.enforcer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.testing.CommandResult;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import dev.wayout.testing.TestAssets;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * manifests/enforcer applied to the real API server: every object accepted, the Deployment's
 * settings accepted by the enforcer's own config parser, and RBAC granting only what it uses.
 */
@ExtendWith(KubeApiServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManifestsIT {

  private static final Path DIR = TestAssets.repositoryRoot().resolve("manifests/enforcer");
  private static final String SA = "system:serviceaccount:wayout-system:wayout-enforcer";

  private KubeApiServer api;

  /** Applied once: the tests only read what was installed. */
  @BeforeAll
  void install(KubeApiServer api) {
    this.api = api;
    api.installIstioCrds();
    api.installGatewayApiCrds(); // so that can-i knows the gateways resource
    api.kubectl("create", "namespace", "wayout-system");
    CommandResult applied = api.kubectl("apply", "-k", DIR.toString());
    assertThat(applied.succeeded()).as(applied.toString()).isTrue();
  }

  @Test
  void everyObjectIsAcceptedAndTheDeploymentConfigParses() {
    Deployment deployment =
        api.client()
            .apps()
            .deployments()
            .inNamespace("wayout-system")
            .withName("wayout-enforcer")
            .get();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    Map<String, String> env = new HashMap<>();
    for (EnvVar var :
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      env.put(
          var.getName(),
          var.getValueFrom() != null ? "from-field" : var.getValue() == null ? "" : var.getValue());
    }
    EnforcerConfig config = EnforcerConfig.fromEnv(env);
    assertThat(config.policy().waypointNamespace()).isEqualTo("wayout-system");
    assertThat(config.metricsPort()).isEqualTo(15020);
  }

  @ParameterizedTest
  @CsvSource({
    "list, namespaces, '', yes",
    "watch, serviceentries.networking.istio.io, shop, yes",
    "patch, networkpolicies.networking.k8s.io, shop, yes",
    "create, networkpolicies.networking.k8s.io, shop, yes",
    "delete, networkpolicies.networking.k8s.io, shop, yes",
    "create, events, shop, yes",
    "update, leases.coordination.k8s.io/wayout-enforcer, wayout-system, yes",
    "patch, leases.coordination.k8s.io/wayout-enforcer, wayout-system, yes",
    "update, leases.coordination.k8s.io/someone-else, wayout-system, no",
    "update, leases.coordination.k8s.io/wayout-enforcer, shop, no",
    "get, secrets, shop, no",
    "delete, namespaces, '', no",
    "patch, serviceentries.networking.istio.io, shop, no",
    "create, pods, shop, no",
    "watch, gateways.gateway.networking.k8s.io, shop, yes",
    "update, gateways.gateway.networking.k8s.io, shop, no",
    "patch, deployments.apps, shop, yes",
    "create, clusterrolebindings.rbac.authorization.k8s.io, '', yes",
    "bind, clusterroles.rbac.authorization.k8s.io/wayout-waypoint, '', yes",
    "bind, clusterroles.rbac.authorization.k8s.io/cluster-admin, '', no",
    "escalate, clusterroles.rbac.authorization.k8s.io, '', no",
    "get, configmaps, shop, yes",
    "list, configmaps, shop, no",
  })
  void rbacGrantsOnlyWhatTheEnforcerReadsAndWrites(
      String verb, String resource, String namespace, String expected) {
    assertThat(api.canI(SA, verb, resource, namespace))
        .as("can %s %s %s in '%s'", SA, verb, resource, namespace)
        .isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"gateways, yes", "gatewayclasses, yes"})
  void theEnforcerMayWriteTheStatusOfGatewaysAndClassesOnly(String resource, String expected) {
    CommandResult status =
        api.kubectl(
            "auth",
            "can-i",
            "update",
            resource + ".gateway.networking.k8s.io",
            "--subresource=status",
            "-n",
            "shop",
            "--as=" + SA);
    assertThat(status.stdout().strip()).isEqualTo(expected);
  }
}
