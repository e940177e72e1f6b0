package dev.wayout.webhook.inject;

import dev.wayout.model.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the init container needs and who may opt a pod out.
 *
 * @param image the wayout image (it carries iptables)
 * @param clusterCidrs pod and service ranges, left untouched by the rules
 * @param waypointAddresses the waypoint Service's cluster IPs (one per family); empty while unknown
 * @param optOutUsers user names whose pods may carry the opt-out annotation (service accounts as
 *     {@code system:serviceaccount:<namespace>:<name>})
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

  /** The same settings with the waypoint's current addresses (they follow its Service). */
  public InjectionConfig withWaypointAddresses(List<InetAddress> addresses) {
    return new InjectionConfig(image, clusterCidrs, addresses, optOutUsers, optOutGroups);
  }

  public boolean mayOptOut(Requester requester) {
    return optOutUsers.contains(requester.username())
        || requester.groups().stream().anyMatch(optOutGroups::contains);
  }
}
