package dev.wayout.enforcer.desired;

import dev.wayout.model.Cidr;
import java.util.List;
import java.util.Map;

/**
 * What the desired NetworkPolicies depend on besides namespaces and ServiceEntries: the cluster's
 * own ranges, where the waypoint and cluster DNS run, and where the API server is.
 *
 * @param clusterCidrs the pod and service ranges; traffic to them never leaves the cluster
 * @param waypointNamespace the namespace of the waypoint pods
 * @param waypointPodLabels labels that select the waypoint pods
 * @param dnsNamespace the namespace of cluster DNS
 * @param dnsPodLabels labels that select the cluster DNS pods
 * @param apiServerCidrs where the waypoint may reach the API server (it watches ServiceEntries);
 *     empty when the API server is inside the cluster ranges
 */
public record PolicyConfig(
    List<Cidr> clusterCidrs,
    String waypointNamespace,
    Map<String, String> waypointPodLabels,
    String dnsNamespace,
    Map<String, String> dnsPodLabels,
    List<Cidr> apiServerCidrs) {

  public static final String DEFAULT_WAYPOINT_NAMESPACE = "wayout-system";
  public static final Map<String, String> DEFAULT_WAYPOINT_LABELS =
      Map.of("app.kubernetes.io/name", "wayout-waypoint");
  public static final String DEFAULT_DNS_NAMESPACE = "kube-system";
  public static final Map<String, String> DEFAULT_DNS_LABELS = Map.of("k8s-app", "kube-dns");

  public PolicyConfig {
    clusterCidrs = List.copyOf(clusterCidrs);
    waypointPodLabels = Map.copyOf(waypointPodLabels);
    dnsPodLabels = Map.copyOf(dnsPodLabels);
    apiServerCidrs = List.copyOf(apiServerCidrs);
    if (clusterCidrs.isEmpty()) {
      throw new IllegalArgumentException("at least one cluster CIDR is needed");
    }
  }

  /** Defaults for everything but the cluster ranges, which have no safe default. */
  public static PolicyConfig withClusterCidrs(List<Cidr> clusterCidrs) {
    return new PolicyConfig(
        clusterCidrs,
        DEFAULT_WAYPOINT_NAMESPACE,
        DEFAULT_WAYPOINT_LABELS,
        DEFAULT_DNS_NAMESPACE,
        DEFAULT_DNS_LABELS,
        List.of());
  }
}
