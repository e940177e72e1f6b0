package dev.wayout.app;

import dev.wayout.model.Gateway;
import dev.wayout.model.ResourceFiles;
import dev.wayout.model.ResourceSet;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wayout run --config DIR}: Wayout on a laptop or a VM, no cluster needed. Validates the
 * folder with the webhook's rules, prints the NetworkPolicies and iptables rules it implies, then
 * serves the waypoint from the same files on 127.0.0.1: one local waypoint per Gateway of the
 * folder whose class Wayout serves, besides the default one, each on its own ports ({@link
 * LocalWaypoints}).
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Validate a folder of ServiceEntries and DestinationRules, print the NetworkPolicies and"
          + " iptables rules they imply, and serve the waypoint from them:",
      "  curl -x 127.0.0.1:15001 http://<registered host>/ goes out through it; any other host"
          + " is refused with 403.",
      "Each Gateway of the folder of class istio-waypoint or wayout-waypoint gets a local waypoint"
          + " of its own (ports from --gateway-ports), bound by istio.io/use-waypoint as in the"
          + " cluster.",
      "Waypoint settings: WAYOUT_WAYPOINT_* environment variables, as for `wayout waypoint`."
    })
final class RunCommand implements Callable<Integer> {

  @Option(
      names = "--config",
      paramLabel = "DIR",
      required = true,
      description = "File or folder of YAML/JSON (searched recursively, watched for changes).")
  Path config;

  @Option(
      names = {"-n", "--namespace"},
      defaultValue = "default",
      description =
          "Namespace for objects that name none, as kubectl -n (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--cluster-cidrs",
      defaultValue = "10.244.0.0/16,10.96.0.0/12",
      paramLabel = "CIDRS",
      description = "Cluster ranges for the printed rules (default: ${DEFAULT-VALUE}).")
  String clusterCidrs;

  @Option(
      names = "--waypoint-ip",
      defaultValue = "10.96.0.15",
      paramLabel = "IP",
      description =
          "The waypoint Service's IP for the printed iptables rules (default: ${DEFAULT-VALUE}).")
  String waypointIp;

  @Option(
      names = "--listen",
      defaultValue = "127.0.0.1",
      paramLabel = "ADDRESS",
      description =
          "Address the waypoint listens on, unless WAYOUT_WAYPOINT_BIND_ADDRESS is set"
              + " (default: ${DEFAULT-VALUE}).")
  String listen;

  @Option(
      names = "--gateway-ports",
      defaultValue = "15100",
      paramLabel = "PORT",
      description =
          "First port of the waypoints of the folder's Gateways (class istio-waypoint or"
              + " wayout-waypoint): the n-th Gateway (from 0, by namespace/name) takes PORT+10n"
              + " (http), +1 (tls), +2 (metrics), +3 (health); 0 lets the kernel pick each"
              + " (default: ${DEFAULT-VALUE}).")
  int gatewayPorts;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();

    out.println("== 1/3 validate " + config + " (the admission webhook's rules)");
    int validation = sub(new ValidateCommand(), "-f", config.toString(), "-n", namespace);
    if (validation != ValidateCommand.OK) {
      err.println("wayout run: fix the errors above, then run again");
      return validation;
    }

    out.println();
    out.println("== 2/3 what the enforcer would write (cluster ranges " + clusterCidrs + ")");
    out.println("# NetworkPolicies");
    int policies =
        sub(
            new RenderNetworkPoliciesCommand(),
            "--config",
            config.toString(),
            "--cluster-cidrs",
            clusterCidrs,
            "--enforced",
            namespace);
    out.println(
        "# iptables rules for pods of enforced namespaces (waypoint at " + waypointIp + ")");
    int rules =
        sub(
            new RenderIptablesCommand(),
            "--family",
            "ipv4",
            "--cluster-cidrs",
            clusterCidrs,
            "--waypoint",
            waypointIp);
    if (policies != 0 || rules != 0) {
      return 2;
    }

    Map<String, String> env = new HashMap<>(System.getenv());
    env.putIfAbsent("WAYOUT_WAYPOINT_BIND_ADDRESS", listen);
    String http = env.getOrDefault("WAYOUT_WAYPOINT_HTTP_PORT", "15001");
    ResourceSet resources = ResourceFiles.read(config, namespace);
    List<Gateway> gateways = LocalWaypoints.served(resources);
    if (!gateways.isEmpty()) {
      Optional<String> ports = LocalWaypoints.checkPortBase(gatewayPorts, gateways.size());
      if (ports.isPresent()) {
        err.println("wayout run: " + ports.get());
        return 2;
      }
      out.println();
      out.println(
          "== 3/3 waypoints serving "
              + config
              + ": the default one and one per Gateway, bound as in the cluster"
              + " (istio.io/use-waypoint)");
      out.flush();
      return LocalWaypointsRunner.serve(env, config, namespace, resources, gatewayPorts, out);
    }
    out.println();
    out.println("== 3/3 waypoint serving " + config + " on " + listen + ":" + http);
    out.println("   try: curl -x " + listen + ":" + http + " -sI http://<registered host>/");
    out.println("   access log: one JSON line per request below; Ctrl-C stops");
    out.flush();
    return WaypointCommand.serve(env, config, namespace);
  }

  private int sub(Object command, String... args) {
    return new CommandLine(command)
        .setOut(spec.commandLine().getOut())
        .setErr(spec.commandLine().getErr())
        .execute(args);
  }
}
