package dev.wayout.waypoint.policy;

import dev.wayout.model.Labels;
import java.util.Map;
import java.util.Set;

/**
 * Which resources this waypoint serves, after {@code istio.io/use-waypoint}: those labelled with
 * its name, and those in namespaces labelled with its name unless they name another waypoint
 * themselves. A directory of YAML has no namespace labels: there every namespace counts as bound.
 */
public record WaypointBinding(
    String waypointName, Set<String> boundNamespaces, boolean allNamespaces) {

  public WaypointBinding {
    boundNamespaces = Set.copyOf(boundNamespaces);
  }

  /** For a directory of YAML: every resource is served unless it names another waypoint. */
  public static WaypointBinding everything(String waypointName) {
    return new WaypointBinding(waypointName, Set.of(), true);
  }

  public static WaypointBinding namespaces(String waypointName, Set<String> boundNamespaces) {
    return new WaypointBinding(waypointName, boundNamespaces, false);
  }

  public boolean binds(String namespace, Map<String, String> labels) {
    String own = labels.get(Labels.USE_WAYPOINT);
    if (own != null) {
      return own.equals(waypointName);
    }
    return allNamespaces || boundNamespaces.contains(namespace);
  }
}
