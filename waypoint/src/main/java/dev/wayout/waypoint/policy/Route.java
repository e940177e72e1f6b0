package dev.wayout.waypoint.policy;

import dev.wayout.model.ExportTo;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.ServicePort;
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
    String clusterName) {

  public Route {
    staticEndpoints = List.copyOf(staticEndpoints);
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
