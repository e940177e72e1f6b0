package dev.wayout.enforcer.desired;

import dev.wayout.model.Cidr;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * What a pod's iptables rules depend on: the cluster's ranges (left alone) and the waypoint's
 * address per family (DNAT target). A family without a waypoint address gets no DNAT: all its
 * traffic to the outside is rejected, so egress fails closed.
 *
 * @param clusterCidrs pod and service ranges of both families
 * @param waypointIpv4 the waypoint Service's IPv4 address, or null
 * @param waypointIpv6 the waypoint Service's IPv6 address, or null
 * @param httpPort the waypoint's captured-HTTP port (15001)
 * @param tlsPort the waypoint's captured-TLS port (15443)
 */
public record IptablesPolicy(
    List<Cidr> clusterCidrs,
    InetAddress waypointIpv4,
    InetAddress waypointIpv6,
    int httpPort,
    int tlsPort) {

  public static final int WAYPOINT_HTTP_PORT = 15001;
  public static final int WAYPOINT_TLS_PORT = 15443;

  public IptablesPolicy {
    clusterCidrs = List.copyOf(clusterCidrs);
    if (waypointIpv4 != null && !(waypointIpv4 instanceof Inet4Address)) {
      throw new IllegalArgumentException(waypointIpv4 + " is not an IPv4 address");
    }
    if (waypointIpv6 != null && !(waypointIpv6 instanceof Inet6Address)) {
      throw new IllegalArgumentException(waypointIpv6 + " is not an IPv6 address");
    }
  }

  /** The waypoint at the given addresses (IPv4 and/or IPv6 literals), Istio's ports. */
  public static IptablesPolicy of(List<Cidr> clusterCidrs, List<InetAddress> waypointAddresses) {
    InetAddress v4 = null;
    InetAddress v6 = null;
    for (InetAddress address : waypointAddresses) {
      if (address instanceof Inet4Address && v4 == null) {
        v4 = address;
      } else if (address instanceof Inet6Address && v6 == null) {
        v6 = address;
      }
    }
    return new IptablesPolicy(clusterCidrs, v4, v6, WAYPOINT_HTTP_PORT, WAYPOINT_TLS_PORT);
  }
}
