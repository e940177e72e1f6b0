package dev.wayout.enforcer.inject;

import dev.wayout.enforcer.desired.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the init container needs and who may opt a pod out.
 *
 * @param image the wayout image (it carries iptables)
 * @param clusterCidrs pod and service ranges, left untouched by the rules
 * @param waypointAddresses the waypoint Service's cluster IPs (one per family)
 * @param optOutUsers user names whose pods may carry the opt-out annotation
 * @param optOutGroups groups whose members' pods may carry the opt-out annotation
 */
public record InjectionConfig(
    String image,
    List<Cidr> clusterCidrs,
    List<InetAddress> waypointAddresses,
    Set<String> optOutUsers,
    Set<String> optOutGroups) {

  public InjectionConfig {
    Objects.requireNonNull(image, "image");
    clusterCidrs = List.copyOf(clusterCidrs);
    waypointAddresses = List.copyOf(waypointAddresses);
    optOutUsers = Set.copyOf(optOutUsers);
    optOutGroups = Set.copyOf(optOutGroups);
    if (clusterCidrs.isEmpty()) {
      throw new IllegalArgumentException("at least one cluster CIDR is needed");
    }
  }

  public boolean mayOptOut(Requester requester) {
    return optOutUsers.contains(requester.username())
        || requester.groups().stream().anyMatch(optOutGroups::contains);
  }
}
