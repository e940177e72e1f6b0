package dev.wayout.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A Gateway API {@code Gateway} ({@code gateway.networking.k8s.io} v1, v1beta1) with only what the
 * waypoint checks read: where it is, its labels and its {@code spec.gatewayClassName}.
 */
public record Gateway(
    String namespace, String name, Map<String, String> labels, String gatewayClassName) {

  public static final String KIND = "Gateway";
  public static final String GROUP = "gateway.networking.k8s.io";

  public Gateway {
    namespace = namespace == null ? "" : namespace;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    gatewayClassName = gatewayClassName == null ? "" : gatewayClassName;
  }

  /**
   * @throws InvalidResourceException listing every field of the wrong type
   */
  public static Gateway from(JsonNode object) {
    SpecReader r = SpecReader.collecting();
    JsonNode meta = r.object(object, "metadata", "metadata");
    JsonNode spec = r.object(object, "spec", "spec");
    Gateway gateway =
        new Gateway(
            r.string(meta, "namespace", "metadata.namespace"),
            r.string(meta, "name", "metadata.name"),
            r.stringMap(meta, "labels", "metadata.labels"),
            r.string(spec, "gatewayClassName", "spec.gatewayClassName"));
    r.throwIfErrors();
    return gateway;
  }

  /** The waypoint this Gateway is, as {@code istio.io/use-waypoint} names it. */
  public WaypointRef ref() {
    return new WaypointRef(namespace, name);
  }
}
