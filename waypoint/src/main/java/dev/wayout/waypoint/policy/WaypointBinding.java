package dev.wayout.waypoint.policy;

import dev.wayout.model.KubeNamespace;
import dev.wayout.model.Labels;
import dev.wayout.model.WaypointBindings;
import dev.wayout.model.WaypointRef;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which resources this waypoint serves and which its peers do, after Istio ambient's {@code
 * istio.io/use-waypoint} and {@code istio.io/use-waypoint-namespace} ({@link WaypointBindings}): an
 * entry is served by the waypoint it names (by namespace and name) when that waypoint exists, else
 * by the default waypoint when the name is the default's. In a directory of YAML ({@code wayout
 * run}, {@code wayout waypoint --config}) the namespace labels are those of the Namespace objects
 * in the files, and a resource that neither it nor its namespace binds to any waypoint is served by
 * the default local waypoint (the one a laptop's traffic reaches without a Gateway).
 *
 * @param self this waypoint
 * @param defaultWaypoint the fixed default waypoint (this one, when it is the default), or null
 * @param namespaceLabels each namespace's labels
 * @param everyNamespace whether unbound resources are served by the default waypoint (directory
 *     mode)
 * @param peers the other waypoints that exist, with their ready addresses
 */
public record WaypointBinding(
    WaypointRef self,
    WaypointRef defaultWaypoint,
    Map<String, Map<String, String>> namespaceLabels,
    boolean everyNamespace,
    Map<WaypointRef, PeerAddresses> peers) {

  /** In directory mode the waypoint has no namespace of its own. */
  public static final String ANY_NAMESPACE = "*";

  public WaypointBinding {
    namespaceLabels = Map.copyOf(namespaceLabels);
    peers = Map.copyOf(peers);
  }

  /** For a directory of YAML: every resource is served unless it names another waypoint. */
  public static WaypointBinding everything(String waypointName) {
    WaypointRef self = new WaypointRef(ANY_NAMESPACE, waypointName);
    return new WaypointBinding(self, self, Map.of(), true, Map.of());
  }

  /**
   * For one of several local waypoints serving a directory ({@code wayout run} with Gateways): this
   * one, the default local waypoint that serves what nothing binds, and the others with the
   * addresses they listen on.
   */
  public static WaypointBinding directory(
      WaypointRef self, WaypointRef defaultWaypoint, Map<WaypointRef, PeerAddresses> peers) {
    return new WaypointBinding(self, defaultWaypoint, Map.of(), true, peers);
  }

  /**
   * In directory mode, this binding with the labels of these Namespaces (read from the same files
   * as the resources); in a cluster the namespaces come from the API server and this is a no-op.
   */
  public WaypointBinding withNamespaces(List<KubeNamespace> namespaces) {
    if (!everyNamespace || namespaces.isEmpty()) {
      return this;
    }
    Map<String, Map<String, String>> labels = new HashMap<>(namespaceLabels);
    namespaces.forEach(ns -> labels.put(ns.name(), ns.labels()));
    return new WaypointBinding(self, defaultWaypoint, labels, true, peers);
  }

  /** The default waypoint {@code wayout-system/NAME}, with these namespaces labelled for it. */
  public static WaypointBinding namespaces(String waypointName, Set<String> boundNamespaces) {
    WaypointRef self = new WaypointRef("wayout-system", waypointName);
    Map<String, Map<String, String>> labels = new HashMap<>();
    boundNamespaces.forEach(ns -> labels.put(ns, Map.of(Labels.USE_WAYPOINT, waypointName)));
    return new WaypointBinding(self, self, labels, false, Map.of());
  }

  /** The waypoint that serves a resource of {@code namespace} with {@code labels}, if any. */
  public Optional<WaypointRef> serverOf(String namespace, Map<String, String> labels) {
    Map<String, String> nsLabels = namespaceLabels.getOrDefault(namespace, Map.of());
    Optional<WaypointRef> requested;
    if (everyNamespace && !bindsWaypoint(labels) && !bindsWaypoint(nsLabels)) {
      requested = Optional.of(defaultWaypoint);
    } else {
      requested = WaypointBindings.requested(namespace, labels, nsLabels);
    }
    Set<WaypointRef> existing = new HashSet<>(peers.keySet());
    existing.add(self);
    return WaypointBindings.server(requested, existing, defaultWaypoint);
  }

  private static boolean bindsWaypoint(Map<String, String> labels) {
    return labels != null && labels.containsKey(Labels.USE_WAYPOINT);
  }

  public boolean binds(String namespace, Map<String, String> labels) {
    return serverOf(namespace, labels).map(self::equals).orElse(false);
  }
}
