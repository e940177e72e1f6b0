package dev.wayout.app;

import dev.wayout.enforcer.ConfigException;
import dev.wayout.enforcer.EnforcerConfig;
import dev.wayout.enforcer.desired.DesiredNetworkPolicies;
import dev.wayout.enforcer.desired.NamespaceDocuments;
import dev.wayout.enforcer.desired.PolicyConfig;
import dev.wayout.model.IstioDocuments;
import dev.wayout.model.Labels;
import dev.wayout.model.ResourceSet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wayout render networkpolicies}: the NetworkPolicies a directory of YAML implies. */
@Command(
    name = "networkpolicies",
    mixinStandardHelpOptions = true,
    description = {
      "Print, as YAML for kubectl, the NetworkPolicies the enforcer would write for the Namespaces"
          + " and ServiceEntries in a directory: wayout-egress in each enforced namespace,"
          + " wayout-waypoint-egress in the waypoint's.",
      "Settings come from the same WAYOUT_* variables as the enforcer's."
    })
final class RenderNetworkPoliciesCommand implements Callable<Integer> {

  @Option(
      names = "--config",
      paramLabel = "DIR",
      required = true,
      description = "Directory of YAML/JSON files (searched recursively).")
  Path config;

  @Option(
      names = "--cluster-cidrs",
      paramLabel = "CIDRS",
      description = "Pod and service ranges (default: $WAYOUT_CLUSTER_CIDRS).")
  String clusterCidrs;

  @Option(
      names = "--enforced",
      paramLabel = "NAMESPACE",
      split = ",",
      description =
          "Namespaces to treat as labelled wayout.dev/egress=enforced, besides those in DIR.")
  List<String> enforced = new ArrayList<>();

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> env = new HashMap<>(System.getenv());
    if (clusterCidrs != null) {
      env.put(EnforcerConfig.CLUSTER_CIDRS, clusterCidrs);
    }
    PolicyConfig policyConfig;
    try {
      policyConfig = EnforcerConfig.policyFromEnv(env);
    } catch (ConfigException e) {
      err.println(
          e.getMessage()
              .replace(
                  EnforcerConfig.CLUSTER_CIDRS + ":",
                  "--cluster-cidrs / " + EnforcerConfig.CLUSTER_CIDRS + ":"));
      return 2;
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(config)) {
      files = walk.filter(RenderNetworkPoliciesCommand::isManifest).sorted().toList();
    } catch (IOException e) {
      err.println(
          "--config: \""
              + config
              + "\" cannot be read ("
              + e.getMessage()
              + "); give a directory of YAML files");
      return 2;
    }
    ResourceSet resources = ResourceSet.EMPTY;
    Map<String, Map<String, String>> namespaces = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Path file : files) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        problems.add(file + ": cannot be read: " + e.getMessage());
        continue;
      }
      resources = resources.plus(IstioDocuments.parse(text, file.toString(), "default"));
      try {
        namespaces.putAll(NamespaceDocuments.parse(text, file.toString()));
      } catch (IllegalArgumentException e) {
        // IstioDocuments already reported the same syntax problem
      }
    }
    resources.problems().forEach(p -> problems.add(p.message()));
    if (!problems.isEmpty()) {
      problems.forEach(err::println);
      return 1;
    }
    for (String ns : enforced) {
      Map<String, String> labels = new HashMap<>(namespaces.getOrDefault(ns, Map.of()));
      labels.put(Labels.EGRESS, Labels.EGRESS_ENFORCED);
      namespaces.put(ns, Map.copyOf(labels));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(
        DesiredNetworkPolicies.yaml(
            DesiredNetworkPolicies.forAll(namespaces, resources.serviceEntries(), policyConfig)));
    out.flush();
    return 0;
  }

  private static boolean isManifest(Path path) {
    String name = path.getFileName().toString();
    return Files.isRegularFile(path)
        && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
  }
}
