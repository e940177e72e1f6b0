package dev.wayout.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** A Kubernetes Namespace with its labels, which bind its ServiceEntries to a waypoint. */
public record KubeNamespace(String name, Map<String, String> labels) {

  public static final String KIND = "Namespace";

  public KubeNamespace {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /**
   * @throws InvalidResourceException listing every field of the wrong type
   */
  public static KubeNamespace from(JsonNode object) {
    SpecReader r = SpecReader.collecting();
    JsonNode meta = r.object(object, "metadata", "metadata");
    KubeNamespace ns =
        new KubeNamespace(
            r.string(meta, "name", "metadata.name"),
            r.stringMap(meta, "labels", "metadata.labels"));
    r.throwIfErrors();
    return ns;
  }
}
