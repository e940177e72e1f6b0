package dev.wayout.webhook.inject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.model.Cidr;
import dev.wayout.testing.CommandResult;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The real API server accepts a Pod with the injected init container, as the webhook returns it.
 */
@ExtendWith(KubeApiServerExtension.class)
class PodMutationIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theApiServerAcceptsTheMutatedPod(KubeApiServer api) {
    String ns = "inject-" + UUID.randomUUID().toString().substring(0, 6);
    assertThat(api.kubectl("create", "namespace", ns).succeeded()).isTrue();
    JsonNode pod =
        JSON.readTree(
            """
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "sleep", "namespace": "%s"},
             "spec": {"containers": [{"name": "sleep", "image": "curl:asm-sleep",
                                      "command": ["/bin/sleep", "infinity"]}]}}
            """
                .formatted(ns));
    InjectionConfig config =
        new InjectionConfig(
            "wayout:0.1.0",
            List.of(Cidr.parse("10.244.0.0/16"), Cidr.parse("10.96.0.0/12")),
            List.of(Cidr.address("10.96.0.50")),
            Set.of(),
            Set.of());

    JsonNode mutated =
        JsonPatch.apply(
            PodMutation.mutate(pod, new Requester("bob", List.of()), config).patch(), pod);
    CommandResult created = api.kubectlWithInput(mutated.toString(), "create", "-f", "-");

    assertThat(created.succeeded()).as(created.toString()).isTrue();
    CommandResult init =
        api.kubectl(
            "get",
            "pod",
            "sleep",
            "-n",
            ns,
            "-o",
            "jsonpath={.spec.initContainers[0].name} {.spec.initContainers[0].args}"
                + " {.spec.initContainers[0].securityContext.capabilities.add}");
    assertThat(init.stdout())
        .isEqualTo(
            "wayout-init [\"init\",\"--cluster-cidrs\",\"10.244.0.0/16,10.96.0.0/12\","
                + "\"--waypoint\",\"10.96.0.50\"] [\"NET_ADMIN\",\"NET_RAW\"]");
  }
}
