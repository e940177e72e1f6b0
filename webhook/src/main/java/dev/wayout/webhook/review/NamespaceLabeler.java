package dev.wayout.webhook.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wayout.model.Labels;
import dev.wayout.webhook.admission.AdmissionRequest;
import dev.wayout.webhook.admission.AdmissionResponse;
import io.fabric8.zjsonpatch.JsonDiff;
import java.util.Set;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Mutating: a new namespace gets {@code wayout.dev/egress=enforced} unless it is excluded or
 * already carries the label. The patch is the diff of the object against its labelled copy, so it
 * is exactly one RFC 6902 operation and never touches anything else.
 */
public final class NamespaceLabeler implements Reviewer {

  // zjsonpatch speaks Jackson 3; the rest of Wayout reads Jackson 2 trees.
  private static final ObjectMapper JACKSON3 = JsonMapper.builder().build();
  private static final com.fasterxml.jackson.databind.ObjectMapper JACKSON2 =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final Set<String> excluded;

  /**
   * @param excluded namespaces that are never labelled (kube-system, Wayout's own, ...)
   */
  public NamespaceLabeler(Set<String> excluded) {
    this.excluded = Set.copyOf(excluded);
  }

  @Override
  public AdmissionResponse review(AdmissionRequest request) {
    JsonNode object = request.object();
    if (!request.operation().equals("CREATE") || object == null) {
      return AdmissionResponse.allow();
    }
    JsonNode metadata = object.get("metadata");
    if (metadata == null || !metadata.isObject()) {
      return AdmissionResponse.allow();
    }
    String name = metadata.path("name").asText(request.name());
    JsonNode labels = metadata.get("labels");
    if (excluded.contains(name)
        || (labels != null && !labels.isNull() && !labels.isObject())
        || (labels != null && labels.has(Labels.EGRESS))) {
      return AdmissionResponse.allow();
    }
    ObjectNode labelled = (ObjectNode) object.deepCopy();
    ObjectNode labelledMetadata = (ObjectNode) labelled.get("metadata");
    if (labels != null && labels.isNull()) {
      labelledMetadata.remove("labels");
    }
    labelledMetadata.withObjectProperty("labels").put(Labels.EGRESS, Labels.EGRESS_ENFORCED);
    return AdmissionResponse.patch(diff(object, labelled));
  }

  /** The RFC 6902 patch that turns {@code from} into {@code to}, as JSON text. */
  static String diff(JsonNode from, JsonNode to) {
    try {
      return JsonDiff.asJson(
              JACKSON3.readTree(JACKSON2.writeValueAsBytes(from)),
              JACKSON3.readTree(JACKSON2.writeValueAsBytes(to)))
          .toString();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written as JSON", e);
    }
  }
}
