package dev.wayout.enforcer.kube;

import dev.wayout.enforcer.desired.PolicyConfig;
import dev.wayout.model.Cidr;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API server's own addresses, from the {@code default/kubernetes} Endpoints, added to the
 * ranges a waypoint may reach on 443/6443. Every waypoint watches the API; on a cluster whose CNI
 * enforces egress policies, a waypoint policy without its address cuts the waypoint off (found on
 * the real test node, where the API server sits at the node's address).
 */
public final class ApiServerEndpoints {

  private static final Logger LOG = LoggerFactory.getLogger(ApiServerEndpoints.class);

  private ApiServerEndpoints() {}

  /** {@code policy} with the API server's addresses among its API server ranges. */
  public static PolicyConfig addTo(PolicyConfig policy, KubernetesClient client) {
    Set<Cidr> cidrs = new LinkedHashSet<>(policy.apiServerCidrs());
    try {
      Endpoints endpoints = client.endpoints().inNamespace("default").withName("kubernetes").get();
      if (endpoints != null && endpoints.getSubsets() != null) {
        for (EndpointSubset subset : endpoints.getSubsets()) {
          for (EndpointAddress address : subset.getAddresses()) {
            cidrs.add(host(address.getIp()));
          }
        }
      }
    } catch (KubernetesClientException | IllegalArgumentException e) {
      LOG.warn(
          "cannot read the API server's addresses (default/kubernetes Endpoints): {}; waypoints"
              + " reach it only through WAYOUT_API_SERVER_CIDRS",
          e.getMessage());
    }
    if (cidrs.size() == policy.apiServerCidrs().size()) {
      return policy;
    }
    LOG.info("waypoints may reach the API server at {}", cidrs);
    return new PolicyConfig(
        policy.clusterCidrs(),
        policy.waypointNamespace(),
        policy.waypointPodLabels(),
        policy.dnsNamespace(),
        policy.dnsPodLabels(),
        List.copyOf(cidrs));
  }

  private static Cidr host(String ip) {
    return Cidr.parse(ip + (ip.contains(":") ? "/128" : "/32"));
  }
}
