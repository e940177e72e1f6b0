package dev.wayout.waypoint.routing;

import dev.wayout.model.ExportTo;
import dev.wayout.model.SourceIdentity;
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

  public static final VirtualRoutes NONE =
      new VirtualRoutes(new IdentityHashMap<>(), new IdentityHashMap<>(), 0);

  /** A compiled router and the exportTo of the VirtualService it came from. */
  record Candidate(HttpRouter router, List<String> exportTo, String namespace) {}

  /** The tls and tcp routes of one VirtualService for one host and port, and its exportTo. */
  record ConnectionCandidate(
      ConnectionRule[] tls, ConnectionRule[] tcp, List<String> exportTo, String namespace) {}

  private final Map<Route, Candidate[]> http;
  private final Map<Route, ConnectionCandidate[]> connections;
  private final int virtualServices;

  VirtualRoutes(
      IdentityHashMap<Route, Candidate[]> http,
      IdentityHashMap<Route, ConnectionCandidate[]> connections,
      int virtualServices) {
    this.http = http;
    this.connections = connections;
    this.virtualServices = virtualServices;
  }

  public boolean isEmpty() {
    return http.isEmpty() && connections.isEmpty();
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

  /**
   * The tls or tcp route that takes a connection through {@code route} (a tunnel: SNI passthrough
   * or CONNECT), or null for the default (the ServiceEntry host itself), as Istio's waypoint picks
   * it: of the VirtualServices exported to the client, in order, the first tls route that matches,
   * then the first tcp route that matches (Gateway API's order: TLS routes before TCP routes).
   *
   * @param sni the SNI (or the CONNECT host of a TLS port), normalised; null for plain TCP, which
   *     tls routes never take
   */
  public ConnectionRule connection(
      Route route, String clientNamespace, String sni, int port, SourceIdentity source) {
    if (connections.isEmpty()) {
      return null;
    }
    ConnectionCandidate[] candidates = connections.get(route);
    if (candidates == null) {
      return null;
    }
    if (sni != null) {
      for (ConnectionCandidate c : candidates) {
        if (visible(c, clientNamespace)) {
          for (ConnectionRule r : c.tls()) {
            if (r.matches(sni, port, source)) {
              return r;
            }
          }
        }
      }
    }
    for (ConnectionCandidate c : candidates) {
      if (visible(c, clientNamespace)) {
        for (ConnectionRule r : c.tcp()) {
          if (r.matches(null, port, source)) {
            return r;
          }
        }
      }
    }
    return null;
  }

  private static boolean visible(ConnectionCandidate c, String clientNamespace) {
    return clientNamespace == null
        || ExportTo.visibleTo(c.exportTo(), c.namespace(), clientNamespace);
  }
}
