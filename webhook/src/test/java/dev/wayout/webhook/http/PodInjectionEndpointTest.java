package dev.wayout.webhook.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wayout.webhook.Fixtures;
import dev.wayout.webhook.TestWebhook;
import dev.wayout.webhook.admission.UserInfo;
import io.fabric8.zjsonpatch.JsonPatch;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;

/** {@code POST /mutate/pods} on the real HTTPS server: AdmissionReview in, JSON Patch out. */
class PodInjectionEndpointTest {

  private static final ObjectMapper JACKSON3 = new ObjectMapper();

  private static TestWebhook server;
  private static HttpClient client;

  @BeforeAll
  static void start() {
    server =
        new TestWebhook(
            Map.of(
                "WAYOUT_CLUSTER_CIDRS", "10.244.0.0/16, 10.96.0.0/12",
                "WAYOUT_WAYPOINT_ADDRESSES", "10.96.0.50",
                "WAYOUT_INIT_IMAGE", "registry.example.com/wayout:0.1.0",
                "WAYOUT_EGRESS_ADMIN_USERS", "ops",
                "WAYOUT_EGRESS_ADMIN_SERVICE_ACCOUNTS", "argocd/controller"),
            null);
    client = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static ObjectNode pod(String annotations) {
    return Fixtures.yaml(
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: sleep
          namespace: shop
          annotations: {%s}
        spec:
          containers:
          - {name: sleep, image: curl}
        """
            .formatted(annotations));
  }

  private static JsonNode post(ObjectNode review) throws Exception {
    HttpResponse<String> http =
        server.post(client, "/mutate/pods", "application/json", Fixtures.bytes(review));
    assertThat(http.statusCode()).isEqualTo(200);
    JsonNode response = Fixtures.JSON.readTree(http.body()).path("response");
    assertThat(response.path("uid").asText())
        .isEqualTo(review.path("request").path("uid").asText());
    assertThat(response.path("allowed").asBoolean()).isTrue();
    return response;
  }

  /** The pod as the API server stores it after applying the response's patch. */
  private static tools.jackson.databind.JsonNode patched(ObjectNode pod, JsonNode response) {
    byte[] patch = Base64.getDecoder().decode(response.path("patch").asText());
    return JsonPatch.apply(JACKSON3.readTree(patch), JACKSON3.readTree(pod.toString()));
  }

  @Test
  void addsTheInitContainerWithNetAdminAndTheWaypointAddress() throws Exception {
    ObjectNode pod = pod("");

    JsonNode response = post(Fixtures.review("CREATE", pod, null, Fixtures.ALICE));

    assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
    tools.jackson.databind.JsonNode init = patched(pod, response).at("/spec/initContainers/0");
    assertThat(init.path("name").asString()).isEqualTo("wayout-init");
    assertThat(init.path("image").asString()).isEqualTo("registry.example.com/wayout:0.1.0");
    assertThat(init.path("args").toString())
        .isEqualTo(
            "[\"init\",\"--cluster-cidrs\",\"10.244.0.0/16,10.96.0.0/12\","
                + "\"--waypoint\",\"10.96.0.50\"]");
    assertThat(init.at("/securityContext/capabilities/add").toString()).contains("\"NET_ADMIN\"");
    assertThat(response.has("warnings")).isFalse();
  }

  @Test
  void honoursTheOptOutFromAnEgressAdmin() throws Exception {
    for (UserInfo admin :
        List.of(
            new UserInfo("ops", List.of("system:authenticated")),
            new UserInfo("carol", List.of("system:masters")),
            new UserInfo("system:serviceaccount:argocd:controller", List.of()))) {
      JsonNode response =
          post(Fixtures.review("CREATE", pod("wayout.dev/egress-capture: disabled"), null, admin));

      assertThat(response.has("patch")).as(admin.toString()).isFalse();
      assertThat(response.has("warnings")).as(admin.toString()).isFalse();
    }
  }

  @Test
  void injectsAnywayWhenSomeoneElseOptsOutAndSaysWhoMay() throws Exception {
    ObjectNode pod = pod("wayout.dev/egress-capture: disabled");

    JsonNode response = post(Fixtures.review("CREATE", pod, null, Fixtures.ALICE));

    assertThat(patched(pod, response).at("/spec/initContainers/0/name").asString())
        .isEqualTo("wayout-init");
    assertThat(response.path("warnings").get(0).asText())
        .startsWith(
            "metadata.annotations[\"wayout.dev/egress-capture\"]: \"disabled\" is ignored for"
                + " alice; only users ops, system:serviceaccount:argocd:controller and members of"
                + " groups system:masters may");
  }

  @Test
  void leavesAPodThatAlreadyHasTheInitContainerAlone() throws Exception {
    ObjectNode pod = pod("");
    ObjectNode injected =
        (ObjectNode)
            Fixtures.JSON.readTree(
                patched(pod, post(Fixtures.review("CREATE", pod, null, Fixtures.ALICE)))
                    .toString());

    JsonNode again = post(Fixtures.review("CREATE", injected, null, Fixtures.ALICE));

    assertThat(again.has("patch")).isFalse();
  }

  @Test
  void letsUpdatesThroughUnchanged() throws Exception {
    JsonNode response = post(Fixtures.review("UPDATE", pod(""), pod(""), Fixtures.ALICE));

    assertThat(response.has("patch")).isFalse();
  }

  @Test
  void answersAMalformedReviewWith400() {
    HttpResponse<String> http =
        server.post(client, "/mutate/pods", "application/json", "{\"kind\":".getBytes());

    assertThat(http.statusCode()).isEqualTo(400);
    assertThat(http.body()).contains("AdmissionReview");
  }
}
