package dev.wayout.webhook.inject;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.model.Cidr;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

class PodMutationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final InjectionConfig CONFIG =
      new InjectionConfig(
          "ghcr.io/wayout/wayout:0.1.0",
          List.of(Cidr.parse("10.244.0.0/16"), Cidr.parse("10.96.0.0/12")),
          List.of(Cidr.address("10.96.0.50")),
          Set.of("alice"),
          Set.of("system:masters"));

  private static final Requester BOB = new Requester("bob", List.of("system:authenticated"));

  private static JsonNode pod(String json) throws Exception {
    return JSON.readTree(json);
  }

  @Test
  void addsTheInitContainerToAPodWithoutInitContainers() throws Exception {
    JsonNode pod =
        pod("{\"metadata\":{\"name\":\"sleep\"},\"spec\":{\"containers\":[{\"name\":\"sleep\"}]}}");

    PodMutation.Result result = PodMutation.mutate(pod, BOB, CONFIG);

    assertThat(result.skipped()).isEmpty();
    assertThat(result.patch())
        .isEqualTo(
            JSON.readTree(
                "[{\"op\":\"add\",\"path\":\"/spec/initContainers\",\"value\":["
                    + PodMutation.initContainer(CONFIG)
                    + "]}]"));
    JsonNode init = JsonPatch.apply(result.patch(), pod).at("/spec/initContainers/0");
    assertThat(init.get("name").asString()).isEqualTo("wayout-init");
    assertThat(init.get("args").toString())
        .isEqualTo(
            "[\"init\",\"--cluster-cidrs\",\"10.244.0.0/16,10.96.0.0/12\",\"--waypoint\",\"10.96.0.50\"]");
    assertThat(init.at("/securityContext/capabilities/add").toString())
        .isEqualTo("[\"NET_ADMIN\",\"NET_RAW\"]");
  }

  @Test
  void putsTheInitContainerBeforeExistingOnes() throws Exception {
    JsonNode pod =
        pod(
            "{\"spec\":{\"initContainers\":[{\"name\":\"migrate\"}],\"containers\":[{\"name\":\"app\"}]}}");

    JsonNode patched = JsonPatch.apply(PodMutation.mutate(pod, BOB, CONFIG).patch(), pod);

    assertThat(patched.at("/spec/initContainers/0/name").asString()).isEqualTo("wayout-init");
    assertThat(patched.at("/spec/initContainers/1/name").asString()).isEqualTo("migrate");
  }

  @Test
  void isIdempotent() throws Exception {
    JsonNode pod = pod("{\"spec\":{\"containers\":[{\"name\":\"app\"}]}}");
    JsonNode once = JsonPatch.apply(PodMutation.mutate(pod, BOB, CONFIG).patch(), pod);

    PodMutation.Result again = PodMutation.mutate(once, BOB, CONFIG);

    assertThat(again.changes()).isFalse();
    assertThat(again.skipped()).contains("the pod already has the wayout-init init container");
  }

  @Test
  void skipsHostNetworkPods() throws Exception {
    PodMutation.Result result =
        PodMutation.mutate(pod("{\"spec\":{\"hostNetwork\":true}}"), BOB, CONFIG);
    assertThat(result.changes()).isFalse();
    assertThat(result.skipped().orElseThrow()).contains("host's network");
  }

  @Test
  void honoursTheOptOutAnnotationOnlyFromConfiguredIdentities() throws Exception {
    JsonNode pod =
        pod(
            "{\"metadata\":{\"annotations\":{\"wayout.dev/egress-capture\":\"disabled\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\"}]}}");

    PodMutation.Result byAlice = PodMutation.mutate(pod, new Requester("alice", List.of()), CONFIG);
    PodMutation.Result byAdmin =
        PodMutation.mutate(pod, new Requester("carol", List.of("system:masters")), CONFIG);
    PodMutation.Result byBob = PodMutation.mutate(pod, BOB, CONFIG);

    assertThat(byAlice.changes()).isFalse();
    assertThat(byAdmin.changes()).isFalse();
    assertThat(byBob.changes()).isTrue();
    assertThat(byBob.warnings())
        .containsExactly(
            "metadata.annotations[\"wayout.dev/egress-capture\"]: \"disabled\" is ignored for bob;"
                + " only users alice and members of groups system:masters may opt a pod out of"
                + " egress capture");
  }

  @Test
  void skipsAGatewayWaypointsPodCreatedByTheReplicaSetControllerOnly() throws Exception {
    JsonNode pod =
        pod(
            "{\"metadata\":{\"labels\":{\"app.kubernetes.io/managed-by\":\"wayout\","
                + "\"gateway.networking.k8s.io/gateway-name\":\"waypoint\","
                + "\"wayout.dev/waypoint\":\"waypoint\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"waypoint\"}]}}");
    Requester rs =
        new Requester(
            "system:serviceaccount:kube-system:replicaset-controller",
            List.of("system:serviceaccounts"));

    PodMutation.Result byController = PodMutation.mutate(pod, rs, CONFIG);
    assertThat(byController.changes()).isFalse();
    assertThat(byController.skipped())
        .hasValue(
            "the pod is the waypoint of Gateway waypoint, created by"
                + " system:serviceaccount:kube-system:replicaset-controller");
    assertThat(PodMutation.mutate(pod, BOB, CONFIG).changes())
        .as("the same labels on a pod that bob creates do not skip capture")
        .isTrue();
  }
}
