package dev.wayout.waypoint.policy;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Where a peer waypoint takes forwarded traffic: the ready endpoints of its Service's {@code http}
 * port (captured HTTP, 15001) and {@code tls} port (captured TLS, 15443). Empty lists: it exists
 * but nothing of it is ready.
 */
public record PeerAddresses(List<InetSocketAddress> http, List<InetSocketAddress> tls) {

  public static final PeerAddresses NONE = new PeerAddresses(List.of(), List.of());

  public PeerAddresses {
    http = List.copyOf(http);
    tls = List.copyOf(tls);
  }
}
