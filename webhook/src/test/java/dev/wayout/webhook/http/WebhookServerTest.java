package dev.wayout.webhook.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wayout.certs.ServingCertificate;
import dev.wayout.webhook.Fixtures;
import dev.wayout.webhook.TestWebhook;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real HTTPS server on an ephemeral port, AdmissionReview fixtures posted over TLS. */
class WebhookServerTest {

  private static TestWebhook server;
  private static HttpClient client;

  @BeforeAll
  static void start() {
    server = new TestWebhook();
    client = server.client();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static JsonNode response(HttpResponse<String> http) throws Exception {
    JsonNode review = Fixtures.JSON.readTree(http.body());
    assertThat(review.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(review.path("kind").asText()).isEqualTo("AdmissionReview");
    return review.path("response");
  }

  private static HttpResponse<String> post(String path, ObjectNode review) {
    return server.post(client, path, "application/json", Fixtures.bytes(review));
  }

  @Test
  void allowsTheSeedServiceEntryEchoingTheUid() throws Exception {
    ObjectNode review = Fixtures.review("CREATE", Fixtures.object("seed-serviceentry.yaml"));

    HttpResponse<String> http = post("/validate", review);

    assertThat(http.statusCode()).isEqualTo(200);
    assertThat(http.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    JsonNode response = response(http);
    assertThat(response.path("uid").asText())
        .isEqualTo(review.path("request").path("uid").asText());
    assertThat(response.path("allowed").asBoolean()).isTrue();
  }

  @Test
  void deniesAnInvalidServiceEntryWith403AndTheFieldPath() throws Exception {
    JsonNode response =
        response(
            post(
                "/validate",
                Fixtures.review("CREATE", Fixtures.object("no-hosts-serviceentry.yaml"))));

    assertThat(response.path("allowed").asBoolean()).isFalse();
    assertThat(response.path("status").path("code").asInt()).isEqualTo(403);
    assertThat(response.path("status").path("message").asText()).startsWith("spec.hosts: ");
  }

  @Test
  void warnsAboutPlainTextSentTo443() throws Exception {
    // the seed's ServiceEntry maps 80 to 443; without its DestinationRule nothing originates TLS
    JsonNode response =
        response(
            post(
                "/validate", Fixtures.review("CREATE", Fixtures.object("seed-serviceentry.yaml"))));

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.path("warnings").toString()).contains("spec.ports[0].targetPort");
  }

  @Test
  void refusesAliceExemptingANamespace() throws Exception {
    ObjectNode ns = Fixtures.object("namespace.yaml");
    ObjectNode exempt = ns.deepCopy();
    exempt.with("metadata").with("labels").put("wayout.dev/egress", "exempt");

    JsonNode response =
        response(post("/validate", Fixtures.review("UPDATE", exempt, ns, Fixtures.ALICE)));

    assertThat(response.path("allowed").asBoolean()).isFalse();
    assertThat(response.path("status").path("message").asText())
        .contains("\"alice\"")
        .contains("system:masters");
  }

  @Test
  void labelsANewNamespaceThroughAJsonPatch() throws Exception {
    JsonNode response =
        response(
            post(
                "/mutate/namespaces",
                Fixtures.review("CREATE", Fixtures.object("namespace.yaml"))));

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
    String patch =
        new String(
            Base64.getDecoder().decode(response.path("patch").asText()), StandardCharsets.UTF_8);
    assertThat(patch)
        .isEqualTo(
            "[{\"op\":\"add\",\"path\":\"/metadata/labels/wayout.dev~1egress\",\"value\":\"enforced\"}]");
  }

  @Test
  void letsPodsThroughUnchangedWhenNothingInjects() throws Exception {
    ObjectNode pod =
        Fixtures.yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: sleep, namespace: shop}
            spec:
              containers: [{name: sleep, image: curl}]
            """);

    JsonNode response = response(post("/mutate/pods", Fixtures.review("CREATE", pod)));

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
  }

  @Test
  void answersAWrongContentTypeWith415AndAReview() throws Exception {
    HttpResponse<String> http =
        server.post(
            client,
            "/validate",
            "text/plain",
            Fixtures.bytes(Fixtures.review("CREATE", Fixtures.object("namespace.yaml"))));

    assertThat(http.statusCode()).isEqualTo(415);
    assertThat(response(http).path("status").path("message").asText())
        .isEqualTo(
            "Content-Type \"text/plain\" is not supported; send the AdmissionReview as application/json");
  }

  @Test
  void answersAnEmptyBodyWith400() throws Exception {
    HttpResponse<String> http = server.post(client, "/validate", "application/json", new byte[0]);

    assertThat(http.statusCode()).isEqualTo(400);
    assertThat(response(http).path("status").path("message").asText())
        .startsWith("the request body is empty");
  }

  @Test
  void answersAnOversizedBodyWith413() throws Exception {
    byte[] body = new byte[4 * 1024 * 1024];
    java.util.Arrays.fill(body, (byte) ' ');

    HttpResponse<String> http = server.post(client, "/validate", "application/json", body);

    assertThat(http.statusCode()).isEqualTo(413);
    assertThat(response(http).path("status").path("message").asText()).contains("over 3 MiB");
  }

  @Test
  void servesHealthReadinessAndMetrics() {
    post("/validate", Fixtures.review("CREATE", Fixtures.object("seed-destinationrule.yaml")));

    assertThat(server.get(client, "/healthz").statusCode()).isEqualTo(200);
    assertThat(server.get(client, "/readyz").statusCode()).isEqualTo(200);
    HttpResponse<String> metrics = server.get(client, "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains(
            "wayout_webhook_reviews_total{kind=\"DestinationRule\",operation=\"CREATE\",result=\"allowed\"}")
        .contains("wayout_webhook_review_duration_seconds_bucket{kind=\"DestinationRule\"");
  }

  @Test
  void swapsTheServingCertificateWithoutFailingRequests() throws Exception {
    X509Certificate before = peer(server.client());
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    AtomicReference<Throwable> error = new AtomicReference<>();
    HttpClient keepAlive = server.client();
    Thread load =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted() && answered.get() < 400) {
                try {
                  HttpResponse<String> r =
                      server.post(
                          keepAlive,
                          "/validate",
                          "application/json",
                          Fixtures.bytes(
                              Fixtures.review(
                                  "CREATE", Fixtures.object("seed-destinationrule.yaml"))));
                  (r.statusCode() == 200 ? answered : failures).incrementAndGet();
                } catch (RuntimeException e) {
                  error.set(e);
                  failures.incrementAndGet();
                }
              }
            });
    load.start();
    for (int i = 0; i < 5; i++) {
      ServingCertificate next = server.serving();
      server.keys.onKeyMaterial(next);
      server.post(
          server.client(),
          "/validate",
          "application/json",
          Fixtures.bytes(Fixtures.review("CREATE", Fixtures.object("namespace.yaml"))));
    }
    load.join(60_000);
    X509Certificate after = peer(server.client());

    assertThat(error.get()).isNull();
    assertThat(failures.get()).isZero();
    assertThat(answered.get()).isEqualTo(400);
    assertThat(after.getSerialNumber()).isNotEqualTo(before.getSerialNumber());
    assertThat(after).isEqualTo(server.keys.current().leaf());
  }

  private static X509Certificate peer(HttpClient fresh) throws Exception {
    HttpResponse<String> r = server.get(fresh, "/healthz");
    return (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
  }
}
