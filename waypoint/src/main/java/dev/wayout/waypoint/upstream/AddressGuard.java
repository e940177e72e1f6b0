package dev.wayout.waypoint.upstream;

import dev.wayout.model.Cidr;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether the waypoint may dial an address for an external host: never loopback, link-local
 * (cloud metadata lives at 169.254.169.254), unspecified, multicast or the cluster's own ranges,
 * whatever DNS or a ServiceEntry says (SSRF, DNS rebinding). Every resolved address is checked and
 * only a checked address is dialled.
 */
public final class AddressGuard {

  private static final Cidr THIS_NETWORK = Cidr.parse("0.0.0.0/8");

  private final List<Cidr> clusterCidrs;
  private final boolean allowLoopback;

  public AddressGuard(List<Cidr> clusterCidrs, boolean allowLoopback) {
    this.clusterCidrs = List.copyOf(clusterCidrs);
    this.allowLoopback = allowLoopback;
  }

  /** Empty if the address may be dialled, else why not, e.g. "169.254.169.254 is link-local". */
  public Optional<String> check(InetAddress address) {
    InetAddress a = unmapped(address);
    String ip = a.getHostAddress();
    if (a.isLoopbackAddress()) {
      return allowLoopback ? Optional.empty() : Optional.of(ip + " is a loopback address");
    }
    if (a.isLinkLocalAddress()) {
      return Optional.of(ip + " is link-local (cloud metadata and node-local services live there)");
    }
    if (a.isAnyLocalAddress() || THIS_NETWORK.contains(a)) {
      return Optional.of(ip + " is an unspecified address");
    }
    if (a.isMulticastAddress()) {
      return Optional.of(ip + " is a multicast address");
    }
    for (Cidr cidr : clusterCidrs) {
      if (cidr.contains(a)) {
        return Optional.of(ip + " is inside the cluster range " + cidr);
      }
    }
    return Optional.empty();
  }

  /** ::ffff:a.b.c.d is checked as a.b.c.d, so a mapped address cannot slip through. */
  private static InetAddress unmapped(InetAddress address) {
    if (address instanceof Inet6Address) {
      byte[] b = address.getAddress();
      boolean mapped = true;
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
      if (mapped) {
        try {
          return Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (java.net.UnknownHostException e) {
          return address;
        }
      }
    }
    return address;
  }
}
