package dev.wayout.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.wayout.webhook.admission.AdmissionRequest;
import dev.wayout.webhook.admission.UserInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;

/** AdmissionReview fixtures: objects from YAML in src/test/resources, wrapped in a review. */
public final class Fixtures {

  public static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new YAMLMapper();

  private Fixtures() {}

  /** A Kubernetes object from a YAML resource under /objects. */
  public static ObjectNode object(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/objects/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource /objects/" + name);
      }
      return (ObjectNode) YAML.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ObjectNode yaml(String text) {
    try {
      return (ObjectNode) YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An AdmissionReview (admission.k8s.io/v1) around the object, as the API server sends it. */
  public static ObjectNode review(
      String operation, JsonNode object, JsonNode oldObject, UserInfo user) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    ObjectNode request = review.putObject("request");
    request.put("uid", UUID.randomUUID().toString());
    JsonNode source = object != null ? object : oldObject;
    String apiVersion = source.path("apiVersion").asText();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    String kind = source.path("kind").asText();
    request.putObject("kind").put("group", group).put("version", version).put("kind", kind);
    request
        .putObject("resource")
        .put("group", group)
        .put("version", version)
        .put("resource", kind.toLowerCase() + "s");
    request.put("operation", operation);
    String namespace = source.path("metadata").path("namespace").asText("");
    if (!namespace.isEmpty()) {
      request.put("namespace", namespace);
    }
    request.put("name", source.path("metadata").path("name").asText(""));
    ObjectNode userInfo = request.putObject("userInfo");
    userInfo.put("username", user.username());
    user.groups().forEach(userInfo.putArray("groups")::add);
    if (object != null) {
      request.set("object", object);
    }
    if (oldObject != null) {
      request.set("oldObject", oldObject);
    }
    request.put("dryRun", false);
    return review;
  }

  public static ObjectNode review(String operation, JsonNode object) {
    return review(operation, object, null, ADMIN);
  }

  public static final UserInfo ADMIN =
      new UserInfo("admin", List.of("system:masters", "system:authenticated"));
  public static final UserInfo ALICE = new UserInfo("alice", List.of("system:authenticated"));

  public static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static AdmissionRequest request(JsonNode review) {
    return dev.wayout.webhook.admission.AdmissionReviews.decode(bytes(review));
  }
}
