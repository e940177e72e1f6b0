package dev.wayout.enforcer.reconcile;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Iterator;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Decides whether an observed policy already is what we want, looking only at what we write: our
 * labels and the spec's podSelector, policyTypes and egress. Fields someone else added and we do
 * not own (an extra label) do not count as a difference, so they cause no write loop.
 */
public final class PolicyComparison {

  private PolicyComparison() {}

  public static boolean same(NetworkPolicy observed, NetworkPolicy desired) {
    Map<String, String> labels = observed.getMetadata().getLabels();
    for (Map.Entry<String, String> e : desired.getMetadata().getLabels().entrySet()) {
      if (labels == null || !e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    if (observed.getSpec() == null) {
      return false;
    }
    return tree(observed.getSpec().getPodSelector())
            .equals(tree(desired.getSpec().getPodSelector()))
        && tree(observed.getSpec().getPolicyTypes())
            .equals(tree(desired.getSpec().getPolicyTypes()))
        && tree(observed.getSpec().getEgress()).equals(tree(desired.getSpec().getEgress()));
  }

  /** JSON with nulls and empty arrays/objects removed: the API server omits them, we may not. */
  private static JsonNode tree(Object value) {
    return prune(Serialization.jsonMapper().valueToTree(value));
  }

  private static JsonNode prune(JsonNode node) {
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.properties().iterator();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        JsonNode pruned = prune(field.getValue());
        if (isEmpty(pruned)) {
          fields.remove();
        } else {
          field.setValue(pruned);
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        array.set(i, prune(array.get(i)));
      }
    }
    return node;
  }

  private static boolean isEmpty(JsonNode node) {
    return node == null
        || node.isNull()
        || node.isMissingNode()
        || ((node.isObject() || node.isArray()) && node.isEmpty());
  }
}
