package dev.wayout.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * An Istio {@code VirtualService} ({@code networking.istio.io} v1, v1beta1, v1alpha3): how requests
 * to its hosts are routed. The waypoint applies those on ServiceEntry hosts: {@code http} routes
 * for plain HTTP, {@code tls} routes by SNI and {@code tcp} routes for passthrough traffic.
 *
 * @param gateways empty, or containing {@code mesh}, for the waypoint to apply it
 */
public record VirtualService(
    String namespace,
    String name,
    Map<String, String> labels,
    List<String> hosts,
    List<String> gateways,
    List<HttpRoute> http,
    List<TlsRoute> tls,
    List<TcpRoute> tcp,
    List<String> exportTo,
    int nullRoutes) {

  public static final String KIND = "VirtualService";

  public VirtualService {
    namespace = namespace == null ? "" : namespace;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    hosts = hosts == null ? List.of() : List.copyOf(hosts);
    gateways = gateways == null ? List.of() : List.copyOf(gateways);
    http = http == null ? List.of() : List.copyOf(http);
    tls = tls == null ? List.of() : List.copyOf(tls);
    tcp = tcp == null ? List.of() : List.copyOf(tcp);
    exportTo = exportTo == null ? List.of() : List.copyOf(exportTo);
  }

  /**
   * Reads the object's metadata and spec; fields we do not use are ignored.
   *
   * @throws InvalidResourceException listing every field of the wrong type
   */
  public static VirtualService from(JsonNode object) {
    return VirtualServiceReader.virtualService(object);
  }

  public ObjectRef ref() {
    return new ObjectRef(namespace, name);
  }

  /** Whether it applies to mesh traffic (so to the waypoint): no gateways, or {@code mesh}. */
  public boolean appliesToMesh() {
    return gateways.isEmpty() || gateways.contains("mesh");
  }

  /** Where traffic goes: a host (a ServiceEntry's), a DestinationRule subset, a port. */
  public record Destination(String host, String subset, Integer port) {}

  /** A destination with its weight, for {@code tls} and {@code tcp} routes. */
  public record RouteDestination(Destination destination, Integer weight) {}

  /** A {@code tls} route: SNI matches and the destinations to pass the connection through to. */
  public record TlsRoute(List<L4Match> match, List<RouteDestination> route) {
    public TlsRoute {
      match = match == null ? List.of() : List.copyOf(match);
      route = route == null ? List.of() : List.copyOf(route);
    }
  }

  /** A {@code tcp} route: L4 matches and destinations. */
  public record TcpRoute(List<L4Match> match, List<RouteDestination> route) {
    public TcpRoute {
      match = match == null ? List.of() : List.copyOf(match);
      route = route == null ? List.of() : List.copyOf(route);
    }
  }

  /**
   * A {@code tls} ({@code TLSMatchAttributes}, with {@code sniHosts}) or {@code tcp} ({@code
   * L4MatchAttributes}, with {@code sourceSubnet}) match.
   */
  public record L4Match(
      List<String> sniHosts,
      List<String> destinationSubnets,
      Integer port,
      Map<String, String> sourceLabels,
      String sourceNamespace,
      String sourceSubnet,
      List<String> gateways) {
    public L4Match {
      sniHosts = sniHosts == null ? List.of() : List.copyOf(sniHosts);
      destinationSubnets = destinationSubnets == null ? List.of() : List.copyOf(destinationSubnets);
      sourceLabels = sourceLabels == null ? Map.of() : Map.copyOf(sourceLabels);
      gateways = gateways == null ? List.of() : List.copyOf(gateways);
    }
  }
}
