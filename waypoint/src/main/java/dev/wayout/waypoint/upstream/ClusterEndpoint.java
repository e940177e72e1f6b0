package dev.wayout.waypoint.upstream;

import dev.wayout.waypoint.access.AccessLogEntry;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint of an {@link UpstreamCluster}: an IP and port (STATIC, or a DNS endpoint given as an
 * IP), a host name that DNS resolves (a DNS endpoint), or the requested host itself (a ServiceEntry
 * without endpoints). It carries what load balancing and outlier detection keep per endpoint:
 * requests in flight and consecutive errors, shared by the event loops as atomics.
 */
public final class ClusterEndpoint {

  /** The endpoint's IP and port, or null when a name is resolved at dial time. */
  final InetSocketAddress socket;

  /** The host name DNS resolves for this endpoint, or null: the IP, or the requested host. */
  final String hostName;

  final int port;
  final Map<String, String> labels;
  final String text;

  /** A peer waypoint's Service address: the one cluster address ever dialled, never refused. */
  boolean trusted;

  final AtomicInteger active = new AtomicInteger();
  final AtomicInteger consecutive5xx = new AtomicInteger();
  final AtomicInteger consecutiveGateway = new AtomicInteger();
  final AtomicInteger consecutiveLocal = new AtomicInteger();

  /** When an ejection ends (System.nanoTime), or 0 while the endpoint is in the pool. */
  volatile long ejectedUntil;

  private static final VarHandle EJECTED_UNTIL;

  static {
    try {
      EJECTED_UNTIL =
          MethodHandles.lookup().findVarHandle(ClusterEndpoint.class, "ejectedUntil", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Ends the ejection that ends at {@code until}; false if another loop did it first. */
  boolean returnFromEjection(long until) {
    return EJECTED_UNTIL.compareAndSet(this, until, 0L);
  }

  /** Ejections so far: each lasts baseEjectionTime times this (guarded by the cluster). */
  int ejections;

  private ClusterEndpoint(
      InetSocketAddress socket, String hostName, int port, Map<String, String> labels) {
    this.socket = socket;
    this.hostName = hostName;
    this.port = port;
    this.labels = Map.copyOf(labels);
    this.text =
        socket != null
            ? AccessLogEntry.address(socket)
            : hostName != null ? hostName + ":" + port : "(requested host):" + port;
  }

  /** An endpoint at a known address. */
  public static ClusterEndpoint at(InetSocketAddress socket, Map<String, String> labels) {
    return new ClusterEndpoint(socket, null, socket.getPort(), labels);
  }

  /** A peer waypoint's Service address (a cluster address the address guard lets through). */
  public static ClusterEndpoint peer(InetSocketAddress socket) {
    ClusterEndpoint e = new ClusterEndpoint(socket, null, socket.getPort(), Map.of());
    e.trusted = true;
    return e;
  }

  /** An endpoint whose name DNS resolves when it is dialled. */
  public static ClusterEndpoint named(String hostName, int port, Map<String, String> labels) {
    return new ClusterEndpoint(null, hostName, port, labels);
  }

  /** The requested host, resolved when dialled (a ServiceEntry without endpoints). */
  public static ClusterEndpoint requestedHost(int port) {
    return new ClusterEndpoint(null, null, port, Map.of());
  }

  /** The endpoint's IP and port, or null when it is a name resolved when dialled. */
  public InetSocketAddress socket() {
    return socket;
  }

  public Map<String, String> labels() {
    return labels;
  }

  /** Whether the endpoint's labels include all of {@code selector} (a subset's labels). */
  public boolean matches(Map<String, String> selector) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  boolean ejected() {
    return ejectedUntil != 0;
  }

  @Override
  public String toString() {
    return text;
  }
}
