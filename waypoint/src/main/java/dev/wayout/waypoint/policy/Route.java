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
 */
public record Route(
    String host,
    ServicePort port,
    ServiceEntry entry,
    String resolution,
    List<InetSocketAddress> staticEndpoints,
    UpstreamTls tls,
    UpstreamLimits limits) {

  public Route {
    staticEndpoints = List.copyOf(staticEndpoints);
  }

  public String serviceEntryName() {
    return entry.namespace() + "/" + entry.name();
  }

  /** Envoy's cluster name for the route, as Istio prints it in {@code upstream_cluster}. */
  public String clusterName() {
    return "outbound|" + port.number() + "||" + host;
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
