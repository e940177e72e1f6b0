package dev.wayout.webhook;

import dev.wayout.model.Cidr;
import dev.wayout.webhook.inject.InjectionConfig;
import dev.wayout.webhook.review.EgressAdmins;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How {@code /mutate/pods} builds the {@code wayout-init} init container: part of {@link
 * WebhookConfig}, present only when the cluster's ranges are configured.
 *
 * @param image the image of the init container (the wayout image: it carries iptables)
 * @param clusterCidrs pod and service ranges ({@code WAYOUT_CLUSTER_CIDRS})
 * @param waypointAddresses configured cluster IPs of the waypoint ({@code
 *     WAYOUT_WAYPOINT_ADDRESSES}); empty means: follow {@code waypointServiceNamespace/Name}
 * @param waypointServiceNamespace where the waypoint's Service lives ({@code
 *     WAYOUT_WAYPOINT_NAMESPACE})
 * @param waypointServiceName the waypoint's Service, whose cluster IPs the init container gets
 *     ({@code WAYOUT_WAYPOINT_SERVICE})
 */
public record PodInjectionConfig(
    String image,
    List<Cidr> clusterCidrs,
    List<InetAddress> waypointAddresses,
    String waypointServiceNamespace,
    String waypointServiceName) {

  public static final String DEFAULT_IMAGE = "wayout:0.1.0";

  /** In {@code WAYOUT_WAYPOINT_NAMESPACE}, as manifests/waypoint installs it. */
  public static final String DEFAULT_WAYPOINT_SERVICE = "wayout-waypoint";

  public PodInjectionConfig {
    Objects.requireNonNull(image, "image");
    clusterCidrs = List.copyOf(clusterCidrs);
    waypointAddresses = List.copyOf(waypointAddresses);
    if (clusterCidrs.isEmpty()) {
      throw new IllegalArgumentException("at least one cluster CIDR is needed");
    }
  }

  /** True when the waypoint's address comes from its Service rather than the configuration. */
  public boolean followsWaypointService() {
    return waypointAddresses.isEmpty();
  }

  /**
   * The pure mutation's settings; the egress admins may opt pods out, service accounts by the user
   * name the API server gives them.
   */
  public InjectionConfig injection(EgressAdmins admins) {
    Set<String> users = new HashSet<>(admins.users());
    for (String sa : admins.serviceAccounts()) {
      users.add("system:serviceaccount:" + sa.replace('/', ':'));
    }
    return new InjectionConfig(image, clusterCidrs, waypointAddresses, users, admins.groups());
  }

  /** For the startup log line. */
  public String describe() {
    return "image="
        + image
        + " clusterCidrs="
        + clusterCidrs.stream().map(Cidr::toString).collect(Collectors.joining(","))
        + " waypoint="
        + (followsWaypointService()
            ? "service " + waypointServiceNamespace + "/" + waypointServiceName
            : waypointAddresses.stream().map(Cidr::format).collect(Collectors.joining(",")));
  }
}
