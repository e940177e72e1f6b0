package dev.wayout.enforcer.desired;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the {@code v1 Namespace} objects (name and labels) out of YAML or JSON text, for rendering
 * policies offline from a directory. Other kinds are skipped; Istio objects are read by {@link
 * dev.wayout.model.IstioDocuments}.
 */
public final class NamespaceDocuments {

  private static final YAMLMapper YAML = new YAMLMapper();

  private NamespaceDocuments() {}

  /**
   * @return namespace name to its labels, in document order
   * @throws IllegalArgumentException naming {@code source} when the text is not YAML
   */
  public static Map<String, Map<String, String>> parse(String text, String source) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNextValue()) {
        collect(it.nextValue(), out);
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          source + ": not valid YAML or JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static void collect(JsonNode doc, Map<String, Map<String, String>> out) {
    if (doc == null || !doc.isObject()) {
      return;
    }
    if ("List".equals(doc.path("kind").asText()) && doc.path("items").isArray()) {
      doc.get("items").forEach(item -> collect(item, out));
      return;
    }
    if (!"v1".equals(doc.path("apiVersion").asText())
        || !"Namespace".equals(doc.path("kind").asText())) {
      return;
    }
    String name = doc.path("metadata").path("name").asText("");
    if (name.isEmpty()) {
      return;
    }
    Map<String, String> labels = new TreeMap<>();
    doc.path("metadata")
        .path("labels")
        .fields()
        .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    out.put(name, Map.copyOf(labels));
  }
}
