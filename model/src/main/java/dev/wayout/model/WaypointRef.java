package dev.wayout.model;

/**
 * A waypoint by namespace and name, as {@code istio.io/use-waypoint} (and its namespace) name it.
 */
public record WaypointRef(String namespace, String name) {

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
