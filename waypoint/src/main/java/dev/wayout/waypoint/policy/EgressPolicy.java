package dev.wayout.waypoint.policy;

import dev.wayout.waypoint.routing.VirtualRoutes;
import java.util.List;
import java.util.Map;

/**
 * The waypoint's routing table: an immutable snapshot of the registered hosts and ports, built from
 * the ServiceEntries and DestinationRules bound to this waypoint. The serving path reads it from an
 * {@code AtomicReference}; an update replaces it whole, so a request always sees one consistent
 * table and connections survive reloads.
 *
 * @param exact routes by exact host name
 * @param wildcards wildcard routes, the longest suffix first (the most specific wins)
 */
public record EgressPolicy(
    Map<String, List<Route>> exact,
    List<Route> wildcards,
    String summary,
    VirtualRoutes virtualRoutes) {

  public static final EgressPolicy EMPTY =
      new EgressPolicy(Map.of(), List.of(), "no ServiceEntries");

  public EgressPolicy {
    exact = Map.copyOf(exact);
    wildcards = List.copyOf(wildcards);
    virtualRoutes = virtualRoutes == null ? VirtualRoutes.NONE : virtualRoutes;
  }

  public EgressPolicy(Map<String, List<Route>> exact, List<Route> wildcards, String summary) {
    this(exact, wildcards, summary, VirtualRoutes.NONE);
  }

  /** This table with the VirtualServices compiled against it. */
  public EgressPolicy withVirtualRoutes(VirtualRoutes routes, String summary) {
    return new EgressPolicy(exact, wildcards, summary, routes);
  }

  /**
   * The route for a requested host (normalised) and port, or null when no ServiceEntry visible to
   * the client's namespace registers them for this kind of listener.
   *
   * @param clientNamespace the client's namespace, or null when unknown (exportTo not applied)
   */
  public Route route(String host, int port, Listener listener, String clientNamespace) {
    List<Route> candidates = exact.get(host);
    if (candidates != null) {
      Route r = pick(candidates, host, port, listener, clientNamespace);
      if (r != null) {
        return r;
      }
    }
    return wildcards.isEmpty() ? null : pick(wildcards, host, port, listener, clientNamespace);
  }

  /**
   * The upstream cluster of a route destination, as a VirtualService names one: the ServiceEntry
   * route for {@code host} (normalised here) and {@code port} as an HTTP listener sees it, then its
   * cluster for {@code subset} (null or "" for the whole host). Null when no visible ServiceEntry
   * registers the host and port, or no DestinationRule of the host defines the subset.
   */
  public dev.wayout.waypoint.upstream.UpstreamCluster cluster(
      String host, String subset, int port, String clientNamespace) {
    Route r = route(HostNames.normalize(host), port, Listener.HTTP, clientNamespace);
    return r == null ? null : r.cluster(subset);
  }

  private static Route pick(
      List<Route> routes, String host, int port, Listener listener, String clientNamespace) {
    for (int i = 0; i < routes.size(); i++) {
      Route r = routes.get(i);
      if (r.port().number() == port
          && listener.accepts(r.port())
          && HostNames.matches(r.host(), host)
          && r.visibleTo(clientNamespace)) {
        return r;
      }
    }
    return null;
  }

  public int size() {
    return exact.values().stream().mapToInt(List::size).sum() + wildcards.size();
  }
}
