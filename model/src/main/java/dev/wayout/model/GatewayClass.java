package dev.wayout.model;

import com.fasterxml.jackson.databind.JsonNode;

/** A Gateway API {@code GatewayClass}: its name and the controller that serves its Gateways. */
public record GatewayClass(String name, String controllerName) {

  public static final String KIND = "GatewayClass";

  public GatewayClass {
    controllerName = controllerName == null ? "" : controllerName;
  }

  /**
   * @throws InvalidResourceException listing every field of the wrong type
   */
  public static GatewayClass from(JsonNode object) {
    SpecReader r = SpecReader.collecting();
    JsonNode meta = r.object(object, "metadata", "metadata");
    JsonNode spec = r.object(object, "spec", "spec");
    GatewayClass cls =
        new GatewayClass(
            r.string(meta, "name", "metadata.name"),
            r.string(spec, "controllerName", "spec.controllerName"));
    r.throwIfErrors();
    return cls;
  }
}
