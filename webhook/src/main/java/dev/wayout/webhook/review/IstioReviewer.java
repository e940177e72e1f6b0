package dev.wayout.webhook.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wayout.model.DestinationRule;
import dev.wayout.model.InvalidResourceException;
import dev.wayout.model.Registry;
import dev.wayout.model.RegistryValidator;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.Validation;
import dev.wayout.model.VirtualService;
import dev.wayout.model.VirtualServiceValidator;
import dev.wayout.webhook.admission.AdmissionRequest;
import dev.wayout.webhook.admission.AdmissionResponse;
import java.util.List;
import java.util.function.Supplier;

/**
 * Validating: ServiceEntries, DestinationRules and VirtualServices on CREATE and UPDATE, through
 * the one validator in {@code dev.wayout.model}, against the registry of the other objects
 * (informer caches) for the cross-object checks. Every error is reported, joined with "; ";
 * warnings go back as warnings.
 */
public final class IstioReviewer implements Reviewer {

  private final Supplier<Registry> registry;
  private final WaypointWarnings waypoints;

  /**
   * @param registry the ServiceEntries and DestinationRules in the cluster, read per review
   */
  public IstioReviewer(Supplier<Registry> registry) {
    this(registry, null);
  }

  /**
   * @param waypoints the waypoint checks for ServiceEntries; null without a cluster to look in
   */
  public IstioReviewer(Supplier<Registry> registry, WaypointWarnings waypoints) {
    this.registry = registry;
    this.waypoints = waypoints;
  }

  @Override
  public AdmissionResponse review(AdmissionRequest request) {
    if (!request.isCreateOrUpdate() || request.object() == null) {
      return AdmissionResponse.allow();
    }
    JsonNode object = withNamespace(request.object(), request.namespace());
    Validation validation;
    try {
      validation =
          switch (request.kind()) {
            case ServiceEntry.KIND -> serviceEntry(ServiceEntry.from(object));
            case DestinationRule.KIND ->
                RegistryValidator.validate(DestinationRule.from(object), registry.get());
            case VirtualService.KIND ->
                VirtualServiceValidator.validate(VirtualService.from(object));
            default -> Validation.OK;
          };
    } catch (InvalidResourceException e) {
      validation = Validation.ofErrors(e.errors());
    }
    return answer(validation);
  }

  private Validation serviceEntry(ServiceEntry entry) {
    Validation validation = RegistryValidator.validate(entry, registry.get());
    if (waypoints == null) {
      return validation;
    }
    return validation.plus(new Validation(List.of(), waypoints.serviceEntry(entry)));
  }

  static AdmissionResponse answer(Validation validation) {
    if (validation.valid()) {
      return AdmissionResponse.allow(validation.warningMessages());
    }
    return AdmissionResponse.deny(validation.errorMessage(), validation.warningMessages());
  }

  /**
   * The object with {@code metadata.namespace} filled in from the request: on CREATE through {@code
   * kubectl apply -n}, the object itself may not name its namespace.
   */
  static JsonNode withNamespace(JsonNode object, String namespace) {
    JsonNode metadata = object.get("metadata");
    if (namespace.isEmpty()
        || metadata == null
        || !metadata.isObject()
        || metadata.path("namespace").asText("").equals(namespace)) {
      return object;
    }
    if (metadata.has("namespace") && !metadata.get("namespace").isTextual()) {
      return object; // a wrong type: let the reader name it
    }
    ObjectNode copy = object.deepCopy();
    ((ObjectNode) copy.get("metadata")).put("namespace", namespace);
    return copy;
  }
}
