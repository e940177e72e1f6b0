package dev.wayout.webhook.review;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.model.FieldError;
import dev.wayout.model.Gateway;
import dev.wayout.model.InvalidResourceException;
import dev.wayout.model.KubeNamespace;
import dev.wayout.model.Registry;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.WaypointChecks;
import dev.wayout.model.WaypointRef;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The admission warnings about waypoints that will not be there ({@link WaypointChecks}) for a
 * ServiceEntry, a Gateway or a Namespace, looked up in the cluster. Never refuses anything: a
 * missing waypoint may be created next.
 */
public final class WaypointWarnings {

  private final WaypointView cluster;
  private final Supplier<Registry> registry;
  private final WaypointRef defaultWaypoint;

  /**
   * @param defaultWaypoint the fixed default waypoint (counts as existing)
   */
  public WaypointWarnings(
      WaypointView cluster, Supplier<Registry> registry, WaypointRef defaultWaypoint) {
    this.cluster = cluster;
    this.registry = registry;
    this.defaultWaypoint = defaultWaypoint;
  }

  public List<FieldError> serviceEntry(ServiceEntry entry) {
    return WaypointChecks.serviceEntry(
            entry, cluster.namespaceLabels(entry.namespace()), cluster, defaultWaypoint)
        .all();
  }

  /** For a Namespace object as it is being written. */
  public List<FieldError> namespace(JsonNode object) {
    KubeNamespace ns;
    try {
      ns = KubeNamespace.from(object);
    } catch (InvalidResourceException e) {
      return List.of(); // the API server has checked the types already
    }
    return WaypointChecks.namespace(ns, cluster, defaultWaypoint).all();
  }

  /** For a Gateway object as it is being written (its namespace filled in). */
  public List<FieldError> gateway(JsonNode object) {
    Gateway gateway;
    try {
      gateway = Gateway.from(object);
    } catch (InvalidResourceException e) {
      return List.of();
    }
    List<KubeNamespace> namespaces = cluster.namespaces();
    Map<String, Map<String, String>> labels = new HashMap<>();
    namespaces.forEach(n -> labels.put(n.name(), n.labels()));
    List<String> boundBy =
        WaypointChecks.boundTo(
            gateway,
            namespaces,
            registry.get().serviceEntries(),
            ns -> labels.getOrDefault(ns, Map.of()));
    return WaypointChecks.gateway(gateway, boundBy, cluster).all();
  }
}
