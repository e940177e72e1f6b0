package dev.wayout.waypoint.routing;

import dev.wayout.model.SourceIdentity;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One {@code tls} or {@code tcp} route of a VirtualService, compiled for one registered host and
 * port: its matches (ORed; none is the implicit match of every connection) and its weighted
 * destinations, already resolved to ServiceEntry routes. A connection it takes goes to one
 * destination, drawn by weight, for its whole life (Envoy's tcp_proxy weighted clusters).
 *
 * @param name what the access log's {@code route_name} prints: {@code namespace/name.tls[0]}
 */
public record ConnectionRule(
    String name, ConnectionMatch[] matches, Target[] targets, int totalWeight) {

  boolean matches(String sni, int port, SourceIdentity source) {
    for (ConnectionMatch m : matches) {
      if (m.matches(sni, port, source)) {
        return true;
      }
    }
    return false;
  }

  /** A destination drawn by weight; a lone destination whatever its weight. */
  public Target pick() {
    if (targets.length == 1) {
      return targets[0];
    }
    int draw = ThreadLocalRandom.current().nextInt(totalWeight);
    for (Target t : targets) {
      draw -= t.weight();
      if (draw < 0) {
        return t;
      }
    }
    return targets[targets.length - 1];
  }
}
