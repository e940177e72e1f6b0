package dev.wayout.waypoint.routing;

import dev.wayout.model.ExportTo;
import dev.wayout.waypoint.policy.Route;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The VirtualServices of a snapshot, compiled per registered host and port (per {@link Route}): for
 * each, the routers of the VirtualServices whose hosts cover it, in order (namespace, then name); a
 * request uses the first one exported to its client's namespace. Looked up by the route's identity,
 * so a snapshot without VirtualServices costs the request path nothing.
 */
public final class VirtualRoutes {

  public static final VirtualRoutes NONE = new VirtualRoutes(new IdentityHashMap<>(), 0);

  /** A compiled router and the exportTo of the VirtualService it came from. */
  record Candidate(HttpRouter router, List<String> exportTo, String namespace) {}

  private final Map<Route, Candidate[]> http;
  private final int virtualServices;

  VirtualRoutes(IdentityHashMap<Route, Candidate[]> http, int virtualServices) {
    this.http = http;
    this.virtualServices = virtualServices;
  }

  public boolean isEmpty() {
    return http.isEmpty();
  }

  /** How many VirtualServices were applied, for the snapshot's summary. */
  public int size() {
    return virtualServices;
  }

  /**
   * The router for requests through {@code route} from {@code clientNamespace} (null: unknown,
   * every VirtualService visible), or null when no VirtualService routes the host.
   */
  public HttpRouter http(Route route, String clientNamespace) {
    if (http.isEmpty()) {
      return null;
    }
    Candidate[] candidates = http.get(route);
    if (candidates == null) {
      return null;
    }
    for (Candidate c : candidates) {
      if (clientNamespace == null
          || ExportTo.visibleTo(c.exportTo(), c.namespace(), clientNamespace)) {
        return c.router();
      }
    }
    return null;
  }
}
