package dev.wayout.model;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which waypoint serves a ServiceEntry (or DestinationRule), exactly as Istio ambient reads it: the
 * resource's own {@code istio.io/use-waypoint} label, else its namespace's; {@code none} means no
 * waypoint; the waypoint's namespace is {@code istio.io/use-waypoint-namespace} from the same
 * object, else that object's namespace. Wayout adds one rule for its fixed default waypoint: a
 * request for a waypoint that does not exist, with the default's name, is served by the default (so
 * {@code istio.io/use-waypoint=waypoint} works without any Gateway, as before Gateways). Pure; the
 * waypoint, the enforcer, the webhook and {@code wayout validate} all decide with it.
 */
public final class WaypointBindings {

  private WaypointBindings() {}

  /**
   * The waypoint a resource asks for, or empty when it asks for none.
   *
   * @param namespaceLabels its namespace's labels (empty when unknown)
   */
  public static Optional<WaypointRef> requested(
      String namespace, Map<String, String> labels, Map<String, String> namespaceLabels) {
    Map<String, String> own = labels == null ? Map.of() : labels;
    if (own.containsKey(Labels.USE_WAYPOINT)) {
      return ref(namespace, own);
    }
    return ref(namespace, namespaceLabels == null ? Map.of() : namespaceLabels);
  }

  private static Optional<WaypointRef> ref(String namespace, Map<String, String> labels) {
    String name = labels.get(Labels.USE_WAYPOINT);
    if (name == null || name.isEmpty() || name.equals(Labels.USE_WAYPOINT_NONE)) {
      return Optional.empty();
    }
    String ns = labels.getOrDefault(Labels.USE_WAYPOINT_NAMESPACE, namespace);
    return Optional.of(new WaypointRef(ns == null || ns.isEmpty() ? namespace : ns, name));
  }

  /**
   * The waypoint that serves a request: the requested one when it exists, else the default when it
   * has the requested name, else the requested one all the same (it does not exist: traffic for it
   * is refused with its name, and validation warns).
   *
   * @param existing the waypoints that exist (from Gateways, or waypoint Services)
   * @param defaultWaypoint the fixed default waypoint, or null when there is none
   */
  public static Optional<WaypointRef> server(
      Optional<WaypointRef> requested, Set<WaypointRef> existing, WaypointRef defaultWaypoint) {
    if (requested.isEmpty()) {
      return requested;
    }
    WaypointRef want = requested.get();
    if (existing.contains(want) || defaultWaypoint == null) {
      return requested;
    }
    if (defaultWaypoint.name().equals(want.name())) {
      return Optional.of(defaultWaypoint);
    }
    return requested;
  }
}
