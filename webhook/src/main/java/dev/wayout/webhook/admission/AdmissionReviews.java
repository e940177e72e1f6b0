package dev.wayout.webhook.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * Reads and writes {@code admission.k8s.io/v1} AdmissionReviews. Decoding checks the envelope and
 * throws {@link InvalidReviewException} (a 4xx with a message) for anything the API server would
 * never send; it does not look at the object itself. Pure and thread-safe.
 */
public final class AdmissionReviews {

  public static final String API_VERSION = "admission.k8s.io/v1";
  public static final String KIND = "AdmissionReview";

  /** The API server caps request bodies at 3 MiB; an AdmissionReview above that is not real. */
  public static final int MAX_BODY_BYTES = 3 * 1024 * 1024;

  private static final Set<String> OPERATIONS = Set.of("CREATE", "UPDATE", "DELETE", "CONNECT");
  private static final String EXPECTED =
      "expected an AdmissionReview (" + API_VERSION + ") as JSON, as the API server sends";

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private AdmissionReviews() {}

  /**
   * Decodes an HTTP body into the request it carries.
   *
   * @throws InvalidReviewException with status 400 or 413 and a message naming what is wrong
   */
  public static AdmissionRequest decode(byte[] body) {
    if (body.length > MAX_BODY_BYTES) {
      throw tooLarge();
    }
    if (isBlank(body)) {
      throw new InvalidReviewException(400, "the request body is empty; " + EXPECTED, null);
    }
    JsonNode review;
    try {
      review = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new InvalidReviewException(
          400, "the request body is not JSON (" + e.getOriginalMessage() + "); " + EXPECTED, null);
    } catch (IOException e) {
      throw new InvalidReviewException(
          400, "the request body could not be read (" + e.getMessage() + "); " + EXPECTED, null);
    }
    if (review == null || !review.isObject()) {
      throw new InvalidReviewException(
          400, "the request body is not a JSON object; " + EXPECTED, null);
    }
    JsonNode request = review.get("request");
    String uid =
        request != null && request.path("uid").isTextual() ? request.get("uid").asText() : "";
    if (!API_VERSION.equals(text(review, "apiVersion"))) {
      throw new InvalidReviewException(
          400,
          "apiVersion "
              + describe(review.get("apiVersion"))
              + "; expected \""
              + API_VERSION
              + "\" (set admissionReviewVersions: [\"v1\"] in the webhook configuration)",
          uid);
    }
    if (!KIND.equals(text(review, "kind"))) {
      throw new InvalidReviewException(
          400, "kind " + describe(review.get("kind")) + "; expected \"" + KIND + "\"", uid);
    }
    if (request == null || !request.isObject()) {
      throw new InvalidReviewException(
          400,
          "request is " + (request == null ? "missing" : "not an object") + "; " + EXPECTED,
          uid);
    }
    if (uid.isBlank()) {
      throw new InvalidReviewException(
          400,
          "request.uid "
              + describe(request.get("uid"))
              + "; the API server sets it on every review and expects it back",
          "");
    }
    return new AdmissionRequest(
        uid,
        optionalText(request.path("kind"), "group", "request.kind.group", uid),
        optionalText(request.path("kind"), "version", "request.kind.version", uid),
        requiredText(request.path("kind"), "kind", "request.kind.kind", uid),
        operation(request, uid),
        optionalText(request, "namespace", "request.namespace", uid),
        optionalText(request, "name", "request.name", uid),
        userInfo(request.get("userInfo"), uid),
        object(request, "object", uid),
        object(request, "oldObject", uid),
        dryRun(request, uid));
  }

  /** The AdmissionReview that answers a request with this uid. */
  public static byte[] encode(String uid, AdmissionResponse response) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", API_VERSION);
    review.put("kind", KIND);
    ObjectNode out = review.putObject("response");
    out.put("uid", uid == null ? "" : uid);
    out.put("allowed", response.allowed());
    if (!response.allowed() || !response.message().isEmpty()) {
      ObjectNode status = out.putObject("status");
      status.put("code", response.code());
      if (!response.message().isEmpty()) {
        status.put("message", response.message());
      }
    }
    if (!response.warnings().isEmpty()) {
      ArrayNode warnings = out.putArray("warnings");
      response.warnings().forEach(warnings::add);
    }
    if (response.hasPatch()) {
      out.put("patchType", "JSONPatch");
      out.put(
          "patch",
          Base64.getEncoder().encodeToString(response.patch().getBytes(StandardCharsets.UTF_8)));
    }
    try {
      return JSON.writeValueAsBytes(review);
    } catch (JsonProcessingException e) {
      // Only strings, booleans and numbers are written: this cannot happen.
      throw new IllegalStateException("could not write an AdmissionReview", e);
    }
  }

  public static InvalidReviewException tooLarge() {
    return new InvalidReviewException(
        413,
        "the request body is over 3 MiB ("
            + MAX_BODY_BYTES
            + " bytes), more than any AdmissionReview the API server sends; "
            + EXPECTED,
        null);
  }

  private static String operation(JsonNode request, String uid) {
    String operation = requiredText(request, "operation", "request.operation", uid);
    if (!OPERATIONS.contains(operation)) {
      throw new InvalidReviewException(
          400,
          "request.operation "
              + quote(operation)
              + " is not one of CREATE, UPDATE, DELETE, CONNECT",
          uid);
    }
    return operation;
  }

  private static UserInfo userInfo(JsonNode node, String uid) {
    if (node == null || node.isNull()) {
      return UserInfo.ANONYMOUS;
    }
    if (!node.isObject()) {
      throw new InvalidReviewException(400, "request.userInfo is not an object", uid);
    }
    String username = optionalText(node, "username", "request.userInfo.username", uid);
    JsonNode groups = node.get("groups");
    List<String> names = new ArrayList<>();
    if (groups != null && !groups.isNull()) {
      if (!groups.isArray()) {
        throw new InvalidReviewException(400, "request.userInfo.groups is not a list", uid);
      }
      for (int i = 0; i < groups.size(); i++) {
        if (!groups.get(i).isTextual()) {
          throw new InvalidReviewException(
              400, "request.userInfo.groups[" + i + "] is not a string", uid);
        }
        names.add(groups.get(i).asText());
      }
    }
    return new UserInfo(username, names);
  }

  private static JsonNode object(JsonNode request, String field, String uid) {
    JsonNode node = request.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new InvalidReviewException(
          400, "request." + field + " is not a Kubernetes object (a JSON object)", uid);
    }
    return node;
  }

  private static boolean dryRun(JsonNode request, String uid) {
    JsonNode node = request.get("dryRun");
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      throw new InvalidReviewException(400, "request.dryRun is not true or false", uid);
    }
    return node.asBoolean();
  }

  private static String requiredText(JsonNode parent, String field, String path, String uid) {
    String value = optionalText(parent, field, path, uid);
    if (value.isEmpty()) {
      throw new InvalidReviewException(400, path + " is missing", uid);
    }
    return value;
  }

  private static String optionalText(JsonNode parent, String field, String path, String uid) {
    JsonNode node = parent.get(field);
    if (node == null || node.isNull()) {
      return "";
    }
    if (!node.isTextual()) {
      throw new InvalidReviewException(400, path + " is not a string", uid);
    }
    return node.asText();
  }

  private static String text(JsonNode parent, String field) {
    JsonNode node = parent.get(field);
    return node != null && node.isTextual() ? node.asText() : null;
  }

  private static String describe(JsonNode node) {
    if (node == null || node.isNull()) {
      return "is missing";
    }
    return (node.isTextual() ? quote(node.asText()) : node.toString()) + " is not valid";
  }

  private static String quote(String s) {
    String shortened = s.length() > 80 ? s.substring(0, 80) + "..." : s;
    return '"' + shortened + '"';
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }
}
