package dev.wayout.webhook.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wayout.webhook.Fixtures;
import dev.wayout.webhook.TestWebhook;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Thousands of mutated AdmissionReviews over HTTPS, from a fixed seed (override with {@code
 * -Dwayout.fuzz.seed=N}): every answer is a well-formed AdmissionReview, with HTTP 200 or a 4xx;
 * never a 500, never a crash of a reviewer.
 */
class AdmissionFuzzTest {

  private static final long SEED = Long.getLong("wayout.fuzz.seed", 20261127L);
  private static final int CASES = Integer.getInteger("wayout.fuzz.cases", 3000);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

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

  private static List<ObjectNode> seeds() {
    ObjectNode ns = Fixtures.object("namespace.yaml");
    ObjectNode exempt = ns.deepCopy();
    exempt.with("metadata").with("labels").put("wayout.dev/egress", "exempt");
    return List.of(
        Fixtures.review("CREATE", Fixtures.object("seed-serviceentry.yaml")),
        Fixtures.review(
            "UPDATE",
            Fixtures.object("seed-serviceentry.yaml"),
            Fixtures.object("seed-serviceentry.yaml"),
            Fixtures.ADMIN),
        Fixtures.review("CREATE", Fixtures.object("seed-destinationrule.yaml")),
        Fixtures.review("CREATE", Fixtures.object("no-hosts-serviceentry.yaml")),
        Fixtures.review("CREATE", Fixtures.object("wrong-types-serviceentry.yaml")),
        Fixtures.review("CREATE", ns),
        Fixtures.review("UPDATE", exempt, ns, Fixtures.ALICE),
        Fixtures.review("DELETE", null, ns, Fixtures.ADMIN));
  }

  @Test
  void answersEveryMutatedReviewWithAReviewOrA4xx() throws Exception {
    Random random = new Random(SEED);
    List<ObjectNode> seeds = seeds();
    int[] statuses = new int[600];
    for (int i = 0; i < CASES; i++) {
      ObjectNode review = seeds.get(random.nextInt(seeds.size())).deepCopy();
      int treeMutations = 1 + random.nextInt(4);
      for (int m = 0; m < treeMutations; m++) {
        mutateTree(review, random);
      }
      byte[] body = Fixtures.bytes(review);
      boolean bytesMutated = random.nextInt(5) == 0;
      if (bytesMutated) {
        body = mutateBytes(body, random);
      }
      String path = random.nextInt(3) == 0 ? "/mutate/namespaces" : "/validate";
      String contentType = random.nextInt(20) == 0 ? "text/yaml" : "application/json";
      HttpResponse<String> http = server.post(client, path, contentType, body);
      String where =
          "case " + i + " of seed " + SEED + ": " + http.statusCode() + " " + http.body();
      statuses[http.statusCode()]++;

      assertThat(http.statusCode()).as(where).isIn(200, 400, 413, 415);
      JsonNode answer = Fixtures.JSON.readTree(http.body());
      assertThat(answer.path("apiVersion").asText()).as(where).isEqualTo("admission.k8s.io/v1");
      assertThat(answer.path("kind").asText()).as(where).isEqualTo("AdmissionReview");
      JsonNode response = answer.path("response");
      assertThat(response.path("uid").isTextual()).as(where).isTrue();
      assertThat(response.path("allowed").isBoolean()).as(where).isTrue();
      if (!response.path("allowed").asBoolean()) {
        assertThat(response.path("status").path("message").asText()).as(where).isNotBlank();
        assertThat(response.path("status").path("message").asText())
            .as(where)
            .doesNotContain("bug in Wayout");
      }
      if (http.statusCode() == 200 && !bytesMutated) {
        assertThat(response.path("uid").asText())
            .as(where)
            .isEqualTo(review.path("request").path("uid").asText());
      }
    }
    // the mutations reach past the envelope: some reviews are decided, some are refused as
    // malformed
    assertThat(statuses[200]).isGreaterThan(CASES / 10);
    assertThat(statuses[400]).isGreaterThan(CASES / 10);
  }

  /** Replaces, removes or retypes one random node of the tree. */
  private static void mutateTree(ObjectNode root, Random random) {
    List<JsonNode> containers = new ArrayList<>();
    collect(root, containers);
    JsonNode target = containers.get(random.nextInt(containers.size()));
    if (target instanceof ObjectNode object && object.size() > 0) {
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      String name = names.get(random.nextInt(names.size()));
      switch (random.nextInt(3)) {
        case 0 -> object.remove(name);
        default -> object.set(name, randomValue(random));
      }
    } else if (target instanceof ArrayNode array) {
      if (array.size() > 0 && random.nextBoolean()) {
        array.set(random.nextInt(array.size()), randomValue(random));
      } else {
        array.add(randomValue(random));
      }
    }
  }

  private static void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      node.forEach(child -> collect(child, out));
    }
  }

  private static JsonNode randomValue(Random random) {
    return switch (random.nextInt(12)) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.booleanNode(random.nextBoolean());
      case 2 -> NODES.numberNode(random.nextInt());
      case 3 -> NODES.numberNode(random.nextDouble() * 1e12);
      case 4 -> NODES.textNode("");
      case 5 -> NODES.textNode("*");
      case 6 -> NODES.textNode("x".repeat(random.nextInt(5000)));
      case 7 -> NODES.textNode(new String(new char[] {'\u0000', '\uD800', 'é', '\n'}));
      case 8 -> NODES.arrayNode().add(NODES.textNode("a")).add(NODES.numberNode(70000));
      case 9 -> NODES.objectNode().put("number", "https").put("targetPort", -1);
      case 10 -> deep(random.nextInt(200));
      default ->
          NODES.textNode(
              List.of(
                      "CREATE",
                      "UPDATE",
                      "DNS",
                      "DYNAMIC_DNS",
                      "*.example.com",
                      "exempt",
                      "enforced",
                      "SIMPLE")
                  .get(random.nextInt(8)));
    };
  }

  private static JsonNode deep(int depth) {
    ObjectNode top = NODES.objectNode();
    ObjectNode node = top;
    for (int i = 0; i < depth; i++) {
      node = node.putObject("a");
    }
    return top;
  }

  /** Truncates, flips bytes or prepends garbage: what a broken client or proxy could send. */
  private static byte[] mutateBytes(byte[] body, Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> Arrays.copyOf(body, random.nextInt(body.length + 1));
      case 1 -> {
        byte[] copy = body.clone();
        for (int i = 0; i < 1 + random.nextInt(8); i++) {
          copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        }
        yield copy;
      }
      case 2 ->
          ("\uFEFF garbage" + new String(body, StandardCharsets.UTF_8))
              .getBytes(StandardCharsets.UTF_8);
      default -> (new String(body, StandardCharsets.UTF_8) + "{}").getBytes(StandardCharsets.UTF_8);
    };
  }
}
