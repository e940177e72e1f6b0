package dev.wayout.waypoint.policy;

import dev.wayout.model.ExportTo;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.ServicePort;
import dev.wayout.model.WaypointRef;
import dev.wayout.waypoint.upstream.ClusterEndpoint;
import dev.wayout.waypoint.upstream.UpstreamCluster;
import dev.wayout.waypoint.upstream.UpstreamTls;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where one registered host and port goes: the ServiceEntry that registers it and its upstream
 * clusters, one for the whole host ({@link #cluster()}, {@code outbound|80||host}) and one per
 * DestinationRule subset ({@link #cluster(String)}, {@code outbound|80|v1|host}), each with its
 * endpoints, TLS origination and merged traffic policy.
 *
 * @param host the ServiceEntry host, possibly a wildcard such as {@code *.example.com}
 * @param cluster the cluster for the whole host (no subset)
 * @param subsets the clusters of the DestinationRule's subsets, by subset name
 * @param serviceEntryName "namespace/name" of the entry, as the access log prints it
 * @param clusterName the default cluster's name, as Istio prints it in {@code upstream_cluster}
 * @param peer when another waypoint serves the entry: that waypoint, whose Service addresses are
 *     the endpoints (none when it does not exist); null for the waypoint's own routes
 */
public record Route(
    String host,
    ServicePort port,
    ServiceEntry entry,
    UpstreamCluster cluster,
    Map<String, UpstreamCluster> subsets,
    String serviceEntryName,
    String clusterName,
    WaypointRef peer) {

  public Route {
    subsets = Map.copyOf(subsets);
  }

  public Route(
      String host,
      ServicePort port,
      ServiceEntry entry,
      UpstreamCluster cluster,
      Map<String, UpstreamCluster> subsets) {
    this(
        host,
        port,
        entry,
        cluster,
        subsets,
        entry.namespace() + "/" + entry.name(),
        cluster.name(),
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
    String name =
        "outbound|" + peerPort + "||" + peer.name() + "." + peer.namespace() + ".svc.cluster.local";
    List<ClusterEndpoint> endpoints = new ArrayList<>();
    for (InetSocketAddress a : addresses) {
      endpoints.add(ClusterEndpoint.peer(a));
    }
    UpstreamCluster cluster =
        new UpstreamCluster(
            name,
            host,
            "",
            port,
            "STATIC",
            endpoints,
            null,
            new ClusterPolicy(limits, ClusterPolicy.Balancing.DEFAULT, null),
            peerMissing(host, port.number(), peer));
    return new Route(
        host, port, entry, cluster, Map.of(), entry.namespace() + "/" + entry.name(), name, peer);
  }

  /** What a request is told when the peer waypoint serving {@code host} has no ready endpoint. */
  public static String peerMissing(String host, int port, WaypointRef peer) {
    return "egress to "
        + host
        + ":"
        + port
        + " is served by waypoint "
        + peer
        + ", which does not exist or is not ready (no ready endpoint of a Service"
        + " labelled wayout.dev/waypoint="
        + peer.name()
        + " in namespace "
        + peer.namespace()
        + "); create its Gateway (kubectl get gateway -n "
        + peer.namespace()
        + "), or bind the ServiceEntry to a waypoint that exists";
  }

  public boolean toPeer() {
    return peer != null;
  }

  /**
   * The cluster for a route destination's subset: the whole host's for null or "", else the
   * DestinationRule subset's, or null when no DestinationRule of this host defines that subset
   * (Envoy then has no such cluster).
   */
  public UpstreamCluster cluster(String subset) {
    return subset == null || subset.isEmpty() ? cluster : subsets.get(subset);
  }

  public String resolution() {
    return cluster.resolution();
  }

  public UpstreamTls tls() {
    return cluster.tls();
  }

  public UpstreamLimits limits() {
    return cluster.limits();
  }

  public int upstreamPort() {
    return port.upstreamPort();
  }

  public boolean isStatic() {
    return resolution().equals("STATIC");
  }

  /** For {@code STATIC}: the endpoint addresses with their ports resolved. */
  public List<InetSocketAddress> staticEndpoints() {
    List<InetSocketAddress> out = new ArrayList<>();
    for (ClusterEndpoint e : cluster.endpoints()) {
      if (e.socket() != null) {
        out.add(e.socket());
      }
    }
    return out;
  }

  /** Honours {@code exportTo}; an unknown client namespace (null) sees every entry. */
  public boolean visibleTo(String clientNamespace) {
    return clientNamespace == null || ExportTo.visibleTo(entry, clientNamespace);
  }
}
