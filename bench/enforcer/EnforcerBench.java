// Enforcer benchmark: time from a change to all NetworkPolicies in sync, and the enforcer's memory.
// Run with bench/enforcer/run.sh; it prints figures and asserts nothing.

import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.WayoutProcess;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

public class EnforcerBench {

  static final Duration LIMIT = Duration.ofMinutes(5);

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    for (String a : args) {
      sizes.add(Integer.parseInt(a));
    }
    if (sizes.isEmpty()) {
      sizes = List.of(100, 1000);
    }
    try (KubeApiServer api = KubeApiServer.start()) {
      api.installIstioCrds();
      for (int n : sizes) {
        run(api, n);
      }
    }
  }

  static void run(KubeApiServer api, int n) throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 5);
    String system = "wayout-" + run;
    String waypoint = "egress-" + run;
    KubernetesClient client = api.client();
    create(client, system, Map.of());
    create(client, waypoint, Map.of());

    Map<String, String> env = new HashMap<>(api.clientEnvironment());
    env.put("WAYOUT_CLUSTER_CIDRS", "10.244.0.0/16,10.96.0.0/12");
    env.put("WAYOUT_NAMESPACE", system);
    env.put("WAYOUT_WAYPOINT_NAMESPACE", waypoint);
    env.put("WAYOUT_METRICS_PORT", "0");
    env.put("POD_NAME", "bench-" + run);
    env.put("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -Xmx256m");

    SharedIndexInformer<NetworkPolicy> policies =
        client.network().v1().networkPolicies().inAnyNamespace()
            .withLabel("app.kubernetes.io/managed-by", "wayout").inform();
    try (WayoutProcess enforcer = WayoutProcess.start("enforcer", List.of("enforcer"), env)) {
      enforcer.awaitStderr(l -> l.contains("is the leader"), Duration.ofSeconds(120));
      long pid = enforcerPid(run);
      long base = policies.getStore().list().size();

      // 1. n new enforced namespaces: time until every one holds its policy
      List<String> names = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        names.add("b" + run + "-" + i);
      }
      long start = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<?>> created = new ArrayList<>();
      for (String name : names) {
        created.add(pool.submit(() -> create(client, name, Map.of("wayout.dev/egress", "enforced"))));
      }
      for (Future<?> f : created) {
        f.get();
      }
      long allCreated = System.nanoTime();
      await(() -> count(policies, run) >= n);
      long synced = System.nanoTime();
      System.out.printf(
          "%5d namespaces: created in %6d ms; all policies in sync %6d ms after the last create"
              + " (%d ms after the first); enforcer RSS %d MiB%n",
          n, ms(allCreated - start), ms(synced - allCreated), ms(synced - start), rssMiB(pid));

      // 2. a ServiceEntry on a new port: the waypoint's policy follows
      start = System.nanoTime();
      api.applyYaml(
          """
          apiVersion: networking.istio.io/v1
          kind: ServiceEntry
          metadata: {name: bench, namespace: %s}
          spec:
            hosts: [bench.example.com]
            location: MESH_EXTERNAL
            ports: [{number: 8443, name: https, protocol: HTTPS}]
            resolution: DNS
          """.formatted(waypoint));
      await(() -> {
        NetworkPolicy p = policies.getStore().getByKey(waypoint + "/wayout-waypoint-egress");
        return p != null && p.getSpec().getEgress().get(0).getPorts().stream()
            .anyMatch(port -> port.getPort().getIntVal() == 8443);
      });
      System.out.printf(
          "%5d namespaces: ServiceEntry change -> waypoint policy in sync in %6d ms%n",
          n, ms(System.nanoTime() - start));

      // 3. every policy of the run deleted at once: time until all are restored (new uids)
      java.util.Set<String> before = new java.util.HashSet<>();
      policies.getStore().list().forEach(p -> before.add(p.getMetadata().getUid()));
      start = System.nanoTime();
      List<Future<?>> deletes = new ArrayList<>();
      for (String name : names) {
        deletes.add(pool.submit(() -> client.network().v1().networkPolicies().inNamespace(name)
            .withName("wayout-egress").delete()));
      }
      for (Future<?> f : deletes) {
        f.get();
      }
      long allDeleted = System.nanoTime();
      pool.shutdown();
      await(() -> policies.getStore().list().stream()
          .filter(p -> p.getMetadata().getNamespace().startsWith("b" + run + "-"))
          .filter(p -> !before.contains(p.getMetadata().getUid()))
          .count() >= n);
      long restored = System.nanoTime();
      System.out.printf(
          "%5d namespaces: all policies deleted (in %d ms) -> all restored %6d ms after the last"
              + " delete; enforcer RSS %d MiB%n",
          n, ms(allDeleted - start), ms(restored - allDeleted), rssMiB(pid));
      enforcer.stop();
    }

    // 4. a configuration change that touches every policy: a new cluster range, enforcer restarted
    env.put("WAYOUT_CLUSTER_CIDRS", "10.244.0.0/16,10.96.0.0/12,10.100.0.0/16");
    long start = System.nanoTime();
    try (WayoutProcess enforcer = WayoutProcess.start("enforcer", List.of("enforcer"), env)) {
      enforcer.awaitStderr(l -> l.contains("is the leader"), Duration.ofSeconds(120));
      long leading = System.nanoTime();
      await(() -> policies.getStore().list().stream()
          .filter(p -> p.getMetadata().getNamespace().startsWith("b" + run + "-"))
          .filter(p -> p.getSpec().getEgress().get(0).getTo().stream()
              .anyMatch(to -> to.getIpBlock() != null
                  && "10.100.0.0/16".equals(to.getIpBlock().getCidr())))
          .count() >= n);
      long synced = System.nanoTime();
      System.out.printf(
          "%5d namespaces: new cluster range -> all %d policies updated %6d ms after the new"
              + " leader was elected (%d ms after process start); enforcer RSS %d MiB%n",
          n, n, ms(synced - leading), ms(synced - start), rssMiB(enforcerPid(run)));
      enforcer.stop();

    } finally {
      policies.close();
    }
  }

  static long count(SharedIndexInformer<NetworkPolicy> policies, String run) {
    return policies.getStore().list().stream()
        .filter(p -> p.getMetadata().getNamespace().startsWith("b" + run + "-"))
        .count();
  }

  static void create(KubernetesClient client, String name, Map<String, String> labels) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
        .withLabels(labels).endMetadata().build()).create();
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not in sync within " + LIMIT);
      }
      Thread.sleep(10);
    }
  }

  /** The enforcer's pid: the java process whose environment carries this run's POD_NAME. */
  static long enforcerPid(String run) throws Exception {
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String environ = Files.readString(p.resolve("environ"));
          if (environ.contains("POD_NAME=bench-" + run)) {
            return Long.parseLong(p.getFileName().toString());
          }
        } catch (Exception e) {
          // gone, or not ours to read
        }
      }
    }
    throw new IllegalStateException("enforcer process not found");
  }

  static long rssMiB(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    return -1;
  }

  static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
