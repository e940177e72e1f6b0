package dev.wayout.webhook.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wayout.model.Cidr;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import dev.wayout.webhook.inject.InjectionConfig;
import dev.wayout.webhook.inject.PodMutation;
import dev.wayout.webhook.inject.Requester;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The waypoint Service's cluster IP, as the API server allocates it, reaches the init container.
 */
@ExtendWith(KubeApiServerExtension.class)
class WaypointAddressesIT {

  @Test
  void followsTheWaypointServiceIntoTheInitContainer(KubeApiServer api) {
    String ns = "wp-" + UUID.randomUUID().toString().substring(0, 6);
    assertThat(api.kubectl("create", "namespace", ns).succeeded()).isTrue();
    try (WaypointAddresses addresses = new WaypointAddresses(api.client(), ns, "wayout-waypoint")) {
      assertThat(addresses.current()).isEmpty();

      var created =
          api.applyYaml(
              """
              apiVersion: v1
              kind: Service
              metadata: {name: wayout-waypoint, namespace: %s}
              spec:
                selector: {app.kubernetes.io/name: wayout-waypoint}
                ports:
                - {name: http, port: 15001}
                - {name: tls, port: 15443}
              """
                  .formatted(ns));
      assertThat(created.succeeded()).as(created.toString()).isTrue();
      String clusterIp =
          api.kubectl(
                  "get", "service", "wayout-waypoint", "-n", ns, "-o", "jsonpath={.spec.clusterIP}")
              .stdout()
              .strip();

      await().atMost(Duration.ofSeconds(10)).until(() -> !addresses.current().isEmpty());
      InjectionConfig config =
          new InjectionConfig(
              "wayout:0.1.0",
              List.of(Cidr.parse("10.0.0.0/8")),
              addresses.current(),
              Set.of(),
              Set.of());
      String patch =
          PodMutation.mutate(
                  "{\"spec\":{\"containers\":[{\"name\":\"app\"}]}}",
                  new Requester("alice", List.of()),
                  config)
              .patchJson();
      assertThat(patch).contains("\"--waypoint\",\"" + clusterIp + "\"");
    }
  }
}
