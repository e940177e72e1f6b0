package dev.wayout.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real single-node Kubernetes cluster on this machine (tools/node/up.sh): kubelet, containerd,
 * kube-proxy, kube-router enforcing NetworkPolicies, CoreDNS, and one outside host, {@link
 * #OUTSIDE}, where aliyun.com resolves. Pods really run; {@code kubectl exec} and {@code kubectl
 * logs} really reach them. Started once per test run, stopped with tools/node/down.sh.
 */
public final class RealNode implements AutoCloseable {

  /** The outside host: a network namespace holding a documentation address. */
  public static final NetworkLab.Host OUTSIDE = new NetworkLab.Host("wo-ext", "203.0.113.10");

  /** Where the node's ranges are, as the manifests' WAYOUT_CLUSTER_CIDRS says. */
  public static final String CLUSTER_CIDRS = "10.244.0.0/16,10.96.0.0/12";

  private static final Duration START_TIMEOUT = Duration.ofMinutes(30);
  private final Path kubeconfig;
  private final NodeLock lock;
  private KubernetesClient client;

  private RealNode(Path kubeconfig, NodeLock lock) {
    this.kubeconfig = kubeconfig;
    this.lock = lock;
  }

  /**
   * Starts the node (building what is missing, the first time) and waits until it is Ready; waits
   * first for any other test run on this machine to be done with it.
   */
  public static RealNode start() {
    NodeLock lock = NodeLock.acquire(START_TIMEOUT);
    Path tools = TestAssets.repositoryRoot().resolve("tools/node");
    CommandResult up =
        Commands.run(List.of("bash", tools.resolve("up.sh").toString()), null, START_TIMEOUT);
    if (!up.succeeded()) {
      lock.close();
      throw new IllegalStateException("tools/node/up.sh failed:\n" + up.output());
    }
    String[] lines = up.stdout().strip().split("\n");
    return new RealNode(Path.of(lines[lines.length - 1]), lock);
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** A cluster-admin fabric8 client, shared; do not close it. */
  public synchronized KubernetesClient client() {
    if (client == null) {
      try {
        client =
            new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
                .build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return client;
  }

  /**
   * Runs the real kubectl against the node, e.g. {@code kubectl("exec", "deployment/sleep", ...)}.
   */
  public CommandResult kubectl(String... args) {
    return kubectl(Duration.ofSeconds(120), args);
  }

  public CommandResult kubectl(Duration timeout, String... args) {
    List<String> command = new ArrayList<>();
    command.add(TestAssets.binaries().resolve("kubectl").toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    return Commands.run(command, null, timeout);
  }

  /**
   * Runs a host command inside a pod's network namespace (nsenter), for what the pod's image has no
   * tool for: ping, a UDP datagram. The pod's own rules and the node's policies apply as to any of
   * its packets.
   */
  public CommandResult inPodNetwork(String namespace, String pod, String... command) {
    String containerId =
        kubectl(
                "-n",
                namespace,
                "get",
                "pod",
                pod,
                "-o",
                "jsonpath={.status.containerStatuses[0].containerID}")
            .stdout()
            .replace("containerd://", "")
            .strip();
    CommandResult tasks =
        Commands.run(
            "ctr", "--address", "/run/wayout-node/containerd.sock", "-n", "k8s.io", "tasks", "ls");
    String pid =
        tasks
            .stdout()
            .lines()
            .filter(l -> !containerId.isEmpty() && l.startsWith(containerId))
            .map(l -> l.trim().split("\\s+")[1])
            .findFirst()
            .orElseThrow(
                () -> new IllegalStateException("no task for pod " + namespace + "/" + pod));
    List<String> full = new ArrayList<>(List.of("nsenter", "-t", pid, "-n"));
    full.addAll(List.of(command));
    return Commands.run(full, null, Duration.ofSeconds(30));
  }

  /** The last lines of a node component's log (kubelet, containerd, kube-router, ...). */
  public static String componentLog(String component, int lines) {
    Path log = Path.of("/var/lib/wayout-node/logs", component + ".log");
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no " + log + ")";
    }
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
    }
    Path down = TestAssets.repositoryRoot().resolve("tools/node/down.sh");
    try {
      Commands.run(List.of("bash", down.toString()), null, Duration.ofMinutes(2));
    } finally {
      lock.close();
    }
  }
}
