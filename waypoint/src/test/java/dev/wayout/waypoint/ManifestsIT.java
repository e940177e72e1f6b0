package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.testing.CommandResult;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import dev.wayout.testing.TestAssets;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * manifests/waypoint applied to the real API server: every object accepted, the Deployment's
 * settings accepted by the waypoint's own config parser and its JVM options by a JVM, and RBAC
 * granting only what the waypoint reads.
 */
@ExtendWith(KubeApiServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManifestsIT {

  private static final Path DIR = TestAssets.repositoryRoot().resolve("manifests/waypoint");
  private static final String NAMESPACE = "wayout-system";
  private static final String SA = "system:serviceaccount:wayout-system:wayout-waypoint";

  private KubeApiServer api;
  private Container waypoint;

  /** Applied once: the tests only read what was installed. */
  @BeforeAll
  void install(KubeApiServer api) {
    this.api = api;
    api.installIstioCrds();
    api.kubectl("create", "namespace", NAMESPACE);
    CommandResult applied = api.kubectl("apply", "-k", DIR.toString());
    assertThat(applied.succeeded()).as(applied.toString()).isTrue();
    Deployment deployment =
        api.client().apps().deployments().inNamespace(NAMESPACE).withName("wayout-waypoint").get();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    waypoint = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void everyObjectIsAcceptedAndTheDeploymentConfigParses() {
    WaypointConfig config = WaypointConfig.fromEnv(environment(waypoint));
    assertThat(config.namespace()).isEqualTo(NAMESPACE);
    assertThat(config.eventLoopThreads()).isEqualTo(2);
    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(config.clusterCidrs()).hasSize(4);
    assertThat(waypoint.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz/ready");
    assertThat(api.kubectl("get", "pdb", "wayout-waypoint", "-n", NAMESPACE).succeeded()).isTrue();
  }

  @Test
  void theJvmOptionsStartAJvm() throws Exception {
    String options = environment(waypoint).get("JAVA_TOOL_OPTIONS");
    assertThat(options).isNotBlank();

    // A misspelt option stops the JVM before the waypoint starts: every pod would crash-loop.
    ProcessBuilder java =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
            .redirectErrorStream(true);
    java.environment().put("JAVA_TOOL_OPTIONS", options);
    Process process = java.start();
    String output = read(process);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("Picked up JAVA_TOOL_OPTIONS").doesNotContain("Unrecognized");
  }

  @ParameterizedTest
  @CsvSource({
    "watch, serviceentries.networking.istio.io, shop, yes",
    "list, destinationrules.networking.istio.io, shop, yes",
    "watch, namespaces, '', yes",
    "list, pods, shop, yes",
    "get, secrets, wayout-system, yes",
    "get, secrets, shop, no",
    "list, secrets, wayout-system, no",
    "patch, serviceentries.networking.istio.io, shop, no",
    "create, pods, shop, no",
    "delete, pods, shop, no",
  })
  void rbacGrantsOnlyWhatTheWaypointReads(
      String verb, String resource, String namespace, String expected) {
    assertThat(api.canI(SA, verb, resource, namespace))
        .as("can %s %s %s in '%s'", SA, verb, resource, namespace)
        .isEqualTo(expected);
  }

  /** The container's environment as the kubelet would give it (the namespace from its field). */
  private static Map<String, String> environment(Container container) {
    Map<String, String> env = new HashMap<>();
    for (EnvVar var : container.getEnv()) {
      if (var.getValueFrom() != null) {
        String field = var.getValueFrom().getFieldRef().getFieldPath();
        assertThat(field).as(var.getName()).isEqualTo("metadata.namespace");
        env.put(var.getName(), NAMESPACE);
      } else {
        env.put(var.getName(), var.getValue() == null ? "" : var.getValue());
      }
    }
    return env;
  }

  private static String read(Process process) throws IOException {
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
