package dev.wayout.waypoint.policy;

import dev.wayout.model.ExportTo;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.ServicePort;
import dev.wayout.model.WaypointRef;
import dev.wayout.waypoint.upstream.UpstreamTls;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Where one registered host and port goes: the ServiceEntry that registers it, how its upstream is
 * found ({@code DNS}, {@code STATIC} endpoints, or the asked-for name for {@code NONE} and {@code
 * DYNAMIC_DNS}), the port dialled ({@code targetPort}), TLS origination, and limits.
 *
 * @param host the ServiceEntry host, possibly a wildcard such as {@code *.example.com}
 * @param staticEndpoints for {@code STATIC}: the endpoint addresses with their ports resolved
 * @param tls null when the waypoint speaks plain HTTP to the upstream
 * @param serviceEntryName "namespace/name" of the entry, as the access log prints it
 * @param clusterName Envoy's cluster name for the route, as Istio prints it in {@code
 *     upstream_cluster}
 * @param peer when another waypoint serves the entry: that waypoint, whose Service addresses are
 *     the static endpoints (none when it does not exist); null for the waypoint's own routes
 */
public record Route(
    String host,
    ServicePort port,
    ServiceEntry entry,
    String resolution,
    List<InetSocketAddress> staticEndpoints,
    UpstreamTls tls,
    UpstreamLimits limits,
    String serviceEntryName,
    String clusterName,
    WaypointRef peer) {

  public Route {
    staticEndpoints = List.copyOf(staticEndpoints);
  }

  public Route(
      String host,
      ServicePort port,
      ServiceEntry entry,
      String resolution,
      List<InetSocketAddress> staticEndpoints,
      UpstreamTls tls,
      UpstreamLimits limits,
      String serviceEntryName,
      String clusterName) {
    this(
        host,
        port,
        entry,
        resolution,
        staticEndpoints,
        tls,
        limits,
        serviceEntryName,
        clusterName,
        null);
  }

  /**
   * A route to the peer waypoint that serves the entry: plain HTTP to its 15001 for HTTP ports, the
   * TLS bytes to its 15443 for TLS ports; never out to the internet from here.
   *
   * @param addresses the peer Service's addresses with the port already chosen; empty when the peer
   *     does not exist
   */
  public static Route toPeer(
      String host,
      ServicePort port,
      ServiceEntry entry,
      WaypointRef peer,
      List<InetSocketAddress> addresses,
      UpstreamLimits limits) {
    int peerPort = port.isTls() ? 15443 : 15001;
    return new Route(
        host,
        port,
        entry,
        "STATIC",
        addresses,
        null,
        limits,
        entry.namespace() + "/" + entry.name(),
        "outbound|" + peerPort + "||" + peer.name() + "." + peer.namespace() + ".svc.cluster.local",
        peer);
  }

  public boolean toPeer() {
    return peer != null;
  }

  /** A route with its names derived once (the access log prints them for every request). */
  public Route(
      String host,
      ServicePort port,
      ServiceEntry entry,
      String resolution,
      List<InetSocketAddress> staticEndpoints,
      UpstreamTls tls,
      UpstreamLimits limits) {
    this(
        host,
        port,
        entry,
        resolution,
        staticEndpoints,
        tls,
        limits,
        entry.namespace() + "/" + entry.name(),
        "outbound|" + port.number() + "||" + host);
  }

  public int upstreamPort() {
    return port.upstreamPort();
  }

  public boolean isStatic() {
    return resolution.equals("STATIC");
  }

  /** Honours {@code exportTo}; an unknown client namespace (null) sees every entry. */
  public boolean visibleTo(String clientNamespace) {
    return clientNamespace == null || ExportTo.visibleTo(entry, clientNamespace);
  }
}
