package dev.wayout.app;

import dev.wayout.enforcer.ConfigException;
import dev.wayout.enforcer.EnforcerConfig;
import dev.wayout.enforcer.EnvReader;
import dev.wayout.enforcer.desired.IptablesPolicy;
import dev.wayout.model.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options that decide a pod's capture rules, shared by {@code render iptables} and {@code
 * init}; each falls back to its environment variable so the init container can be configured either
 * way.
 */
final class CaptureOptions {

  @Option(
      names = "--cluster-cidrs",
      paramLabel = "CIDRS",
      description =
          "Pod and service ranges, comma-separated; traffic to them is left alone"
              + " (default: $WAYOUT_CLUSTER_CIDRS).")
  String clusterCidrs;

  @Option(
      names = "--waypoint",
      paramLabel = "ADDRESS",
      description =
          "The waypoint Service's cluster IP; give it twice for IPv4 and IPv6"
              + " (default: $WAYOUT_WAYPOINT_ADDRESSES, comma-separated).")
  List<String> waypoint = new ArrayList<>();

  /**
   * @throws ConfigException naming the option and value that are wrong
   */
  IptablesPolicy policy(Map<String, String> env) {
    EnvReader r =
        new EnvReader(
            Map.of(
                EnforcerConfig.CLUSTER_CIDRS,
                clusterCidrs != null
                    ? clusterCidrs
                    : env.getOrDefault(EnforcerConfig.CLUSTER_CIDRS, "")));
    List<Cidr> cidrs =
        r.cidrs(EnforcerConfig.CLUSTER_CIDRS, true, EnforcerConfig.CLUSTER_CIDRS_EXAMPLE);
    List<String> problems = new ArrayList<>(r.errors());
    List<String> given = new ArrayList<>(waypoint);
    if (given.isEmpty() && env.get("WAYOUT_WAYPOINT_ADDRESSES") != null) {
      given.addAll(List.of(env.get("WAYOUT_WAYPOINT_ADDRESSES").split(",")));
    }
    List<InetAddress> addresses = new ArrayList<>();
    for (String text : given) {
      if (text.isBlank()) {
        continue;
      }
      try {
        addresses.add(Cidr.address(text));
      } catch (IllegalArgumentException e) {
        problems.add(
            "--waypoint: \""
                + text.trim()
                + "\" (expected: the waypoint Service's cluster IP; "
                + e.getMessage()
                + ")");
      }
    }
    if (addresses.isEmpty() && problems.isEmpty()) {
      problems.add(
          "--waypoint: missing (expected: the waypoint Service's cluster IP, e.g. 10.96.0.50;"
              + " kubectl -n wayout-system get service wayout-waypoint -o jsonpath='{.spec.clusterIPs}')");
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return IptablesPolicy.of(cidrs, addresses);
  }
}
