package dev.wayout.enforcer.desired;

import dev.wayout.model.ServiceEntry;
import dev.wayout.model.WaypointBindings;
import dev.wayout.model.WaypointRef;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the waypoints' egress policies read: every ServiceEntry, the waypoints that Gateways
 * provide, and the labels of the entries' namespaces (an entry is bound by its own {@code
 * istio.io/use-waypoint} label or its namespace's, as in {@link WaypointBindings}).
 *
 * @param entries every ServiceEntry in the cluster
 * @param gatewayWaypoints the waypoints of the Gateways Wayout serves
 * @param namespaceLabels namespace name to labels, for the namespaces the entries live in
 */
public record WaypointRegistry(
    List<ServiceEntry> entries,
    Set<WaypointRef> gatewayWaypoints,
    Map<String, Map<String, String>> namespaceLabels) {

  public WaypointRegistry {
    entries = List.copyOf(entries);
    gatewayWaypoints = Set.copyOf(gatewayWaypoints);
    namespaceLabels = Map.copyOf(namespaceLabels);
  }

  /** Only ServiceEntries: no Gateway waypoint exists. */
  public static WaypointRegistry of(List<ServiceEntry> entries) {
    return new WaypointRegistry(entries, Set.of(), Map.of());
  }

  /** The Gateway waypoints in {@code namespace}. */
  public List<WaypointRef> gatewayWaypointsIn(String namespace) {
    return gatewayWaypoints.stream()
        .filter(w -> w.namespace().equals(namespace))
        .sorted(java.util.Comparator.comparing(WaypointRef::name))
        .toList();
  }

  /** The ServiceEntries that Gateway waypoint {@code waypoint} serves, as it decides itself. */
  public List<ServiceEntry> servedBy(WaypointRef waypoint, WaypointRef defaultWaypoint) {
    return entries.stream()
        .filter(e -> server(e, defaultWaypoint).equals(Optional.of(waypoint)))
        .toList();
  }

  /**
   * The ServiceEntries the fixed default waypoint may go out for: every one that no Gateway
   * waypoint serves (as before Gateways, the default's policy does not read the bindings further).
   */
  public List<ServiceEntry> notServedByGateways(WaypointRef defaultWaypoint) {
    return entries.stream()
        .filter(
            e ->
                server(e, defaultWaypoint)
                    .filter(w -> !w.equals(defaultWaypoint) && gatewayWaypoints.contains(w))
                    .isEmpty())
        .toList();
  }

  private Optional<WaypointRef> server(ServiceEntry e, WaypointRef defaultWaypoint) {
    return WaypointBindings.server(
        WaypointBindings.requested(
            e.namespace(), e.labels(), namespaceLabels.getOrDefault(e.namespace(), Map.of())),
        gatewayWaypoints,
        defaultWaypoint);
  }
}
