package dev.wayout.app;

import dev.wayout.model.Gateway;
import dev.wayout.model.ResourceSet;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.WaypointChecks;
import dev.wayout.model.WaypointRef;
import dev.wayout.waypoint.policy.PeerAddresses;
import dev.wayout.waypoint.policy.WaypointBinding;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which local waypoints {@code wayout run --config DIR} starts, as the cluster would: the default
 * one (what no Gateway is bound to), and one per Gateway of the folder whose class Wayout serves,
 * each on its own ports; and the start-up listing of who serves which ServiceEntry. Pure: the
 * listeners are opened by {@link LocalWaypointsRunner}.
 */
final class LocalWaypoints {

  /** The classes Wayout's Gateway controller serves (enforcer's GatewayConfig, by default). */
  static final List<String> SERVED_CLASSES =
      List.of(WaypointChecks.ISTIO_CLASS, WaypointChecks.WAYOUT_CLASS);

  /** Ports a Gateway's waypoint takes from its base: http, tls, metrics, health. */
  static final int PORTS_PER_GATEWAY = 10;

  private LocalWaypoints() {}

  /** The Gateways of the folder that get a local waypoint, sorted by namespace and name. */
  static List<Gateway> served(ResourceSet resources) {
    return resources.gateways().stream()
        .filter(g -> SERVED_CLASSES.contains(g.gatewayClassName()))
        .sorted(Comparator.comparing(Gateway::namespace).thenComparing(Gateway::name))
        .toList();
  }

  /** The Gateways of the folder left without a local waypoint: their class is not Wayout's. */
  static List<Gateway> unserved(ResourceSet resources) {
    return resources.gateways().stream()
        .filter(g -> !SERVED_CLASSES.contains(g.gatewayClassName()))
        .sorted(Comparator.comparing(Gateway::namespace).thenComparing(Gateway::name))
        .toList();
  }

  /**
   * The {@code WAYOUT_WAYPOINT_*} settings of the {@code index}-th served Gateway's waypoint: the
   * default's, with the Gateway's name and namespace, and ports {@code base + 10 * index} (http),
   * {@code +1} (tls), {@code +2} (metrics), {@code +3} (health); all 0 (the kernel's choice) when
   * {@code base} is 0.
   */
  static Map<String, String> gatewayEnv(
      Map<String, String> env, Gateway gateway, int index, int base) {
    Map<String, String> out = new HashMap<>(env);
    out.put("WAYOUT_WAYPOINT_NAME", gateway.name());
    out.put("WAYOUT_WAYPOINT_NAMESPACE", gateway.namespace());
    out.put("WAYOUT_WAYPOINT_DEFAULT", "false");
    int first = base == 0 ? 0 : base + PORTS_PER_GATEWAY * index;
    out.put("WAYOUT_WAYPOINT_HTTP_PORT", port(first, 0));
    out.put("WAYOUT_WAYPOINT_TLS_PORT", port(first, 1));
    out.put("WAYOUT_WAYPOINT_METRICS_PORT", port(first, 2));
    out.put("WAYOUT_WAYPOINT_HEALTH_PORT", port(first, 3));
    return out;
  }

  /** A problem with {@code --gateway-ports} for this many Gateways, or empty. */
  static Optional<String> checkPortBase(int base, int gateways) {
    int last = base + PORTS_PER_GATEWAY * Math.max(gateways - 1, 0) + 3;
    if (base < 0 || base > 0 && (base < 1024 || last > 65535)) {
      return Optional.of(
          "--gateway-ports: "
              + base
              + " (expected: 0 for ports the kernel picks, or a first port from 1024 such that "
              + gateways
              + " Gateways times 10 ports fit below 65536, e.g. 15100)");
    }
    return Optional.empty();
  }

  private static String port(int first, int offset) {
    return Integer.toString(first == 0 ? 0 : first + offset);
  }

  /** A started local waypoint: who it is and where it listens. */
  record Running(
      WaypointRef ref,
      Gateway gateway,
      InetSocketAddress http,
      InetSocketAddress tls,
      InetSocketAddress metrics,
      InetSocketAddress health) {

    /** Where a peer dials it: loopback when it listens on every address. */
    PeerAddresses addresses() {
      return new PeerAddresses(List.of(dialable(http)), List.of(dialable(tls)));
    }
  }

  /** The binding of {@code self}: the others, at the addresses they listen on, are its peers. */
  static WaypointBinding binding(WaypointRef self, WaypointRef defaultRef, List<Running> all) {
    Map<WaypointRef, PeerAddresses> peers = new HashMap<>();
    for (Running r : all) {
      if (!r.ref().equals(self)) {
        peers.put(r.ref(), r.addresses());
      }
    }
    return WaypointBinding.directory(self, defaultRef, peers);
  }

  /**
   * The start-up listing: each waypoint with its ports and the ServiceEntries it serves, then the
   * entries bound to a waypoint that does not run here (refused, naming it), then the Gateways of
   * other classes.
   */
  static void print(
      PrintWriter out, ResourceSet resources, WaypointRef defaultRef, List<Running> all) {
    Map<WaypointRef, List<String>> served = new LinkedHashMap<>();
    all.forEach(r -> served.put(r.ref(), new ArrayList<>()));
    List<String> orphans = new ArrayList<>();
    WaypointBinding view =
        binding(defaultRef, defaultRef, all).withNamespaces(resources.namespaces());
    List<ServiceEntry> entries = new ArrayList<>(resources.serviceEntries());
    entries.sort(Comparator.comparing(ServiceEntry::namespace).thenComparing(ServiceEntry::name));
    for (ServiceEntry e : entries) {
      Optional<WaypointRef> server = view.serverOf(e.namespace(), e.labels());
      String line = "ServiceEntry " + e.ref() + " " + e.hosts();
      if (server.isEmpty()) {
        orphans.add(line + ": istio.io/use-waypoint is none, no waypoint serves it");
      } else if (served.containsKey(server.get())) {
        served.get(server.get()).add(line);
      } else {
        orphans.add(
            line
                + ": bound to waypoint "
                + server.get()
                + ", which no Gateway of the folder makes; requests for its hosts are refused"
                + " naming it");
      }
    }
    for (Running r : all) {
      String who =
          r.gateway() == null
              ? "default waypoint \"" + r.ref().name() + "\" (what no Gateway is bound to)"
              : "Gateway " + r.ref() + " (gatewayClassName " + r.gateway().gatewayClassName() + ")";
      out.println(
          "   "
              + who
              + ": http="
              + text(r.http())
              + " tls="
              + text(r.tls())
              + " metrics="
              + text(r.metrics())
              + " health="
              + text(r.health()));
      List<String> lines = served.get(r.ref());
      if (lines.isEmpty()) {
        out.println("     serves no ServiceEntry");
      }
      lines.forEach(l -> out.println("     serves " + l));
    }
    orphans.forEach(l -> out.println("   " + l));
    for (Gateway g : unserved(resources)) {
      out.println(
          "   Gateway "
              + g.ref()
              + ": gatewayClassName \""
              + g.gatewayClassName()
              + "\" is not a class Wayout serves ("
              + String.join(", ", SERVED_CLASSES)
              + "), so no local waypoint runs for it");
    }
  }

  static String text(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  private static InetSocketAddress dialable(InetSocketAddress a) {
    return a.getAddress().isAnyLocalAddress()
        ? new InetSocketAddress(InetAddress.getLoopbackAddress(), a.getPort())
        : a;
  }
}
