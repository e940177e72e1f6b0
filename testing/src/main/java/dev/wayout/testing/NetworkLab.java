package dev.wayout.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * A small network of Linux network namespaces for tests (root required): every host is a network
 * namespace with one veth leg on a bridge that lives in a switch namespace of its own, so hosts on
 * the lab's subnets reach each other directly and nothing touches the root namespace. Use only
 * addresses from the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24).
 */
public final class NetworkLab implements AutoCloseable {

  /** One host of the lab: its namespace name and address (without prefix length). */
  public record Host(String netns, String address) {

    /** Runs a command inside the host's namespace and waits for it. */
    public CommandResult exec(String... command) {
      return exec(Duration.ofSeconds(30), command);
    }

    public CommandResult exec(Duration timeout, String... command) {
      List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
      full.addAll(List.of(command));
      return Commands.run(full, null, timeout);
    }

    /** Starts a long-running process inside the host's namespace; output goes to {@code log}. */
    public Process start(List<String> command, Map<String, String> environment, Path log) {
      List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
      full.addAll(command);
      try {
        ProcessBuilder builder =
            new ProcessBuilder(full)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        return process;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start " + command + " in " + netns, e);
      }
    }

    /**
     * Gives the host an /etc/hosts of its own ({@code ip netns exec} mounts /etc/netns/NS/hosts
     * over /etc/hosts), e.g. so that {@code aliyun.com} resolves to a lab address.
     */
    public void writeHosts(Map<String, String> namesToAddresses) {
      Path dir = Path.of("/etc/netns", netns);
      String hosts =
          "127.0.0.1 localhost\n"
              + namesToAddresses.entrySet().stream()
                  .map(e -> e.getValue() + " " + e.getKey())
                  .collect(Collectors.joining("\n", "", "\n"));
      try {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("hosts"), hosts);
        // DNS stays inside the namespace: nothing may be sent to real name servers
        Files.writeString(dir.resolve("resolv.conf"), "nameserver 127.0.0.1\n");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final String id;
  private final String switchNetns;
  private final List<Host> hosts = Collections.synchronizedList(new ArrayList<>());
  private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());

  private NetworkLab(String id) {
    this.id = id;
    this.switchNetns = "wl" + id + "-sw";
  }

  /** Creates the switch namespace and its bridge. */
  public static NetworkLab create() {
    String id = Integer.toString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff), 36);
    NetworkLab lab = new NetworkLab(id);
    lab.sh("ip netns add " + lab.switchNetns);
    lab.sh("ip -n " + lab.switchNetns + " link add br0 type bridge");
    lab.sh("ip -n " + lab.switchNetns + " link set br0 up");
    return lab;
  }

  /**
   * Adds a host with {@code address} (CIDR form, e.g. {@code 192.0.2.10/24}); every other lab
   * subnet in {@code onLinkSubnets} is routed on the same link, so hosts of different documentation
   * ranges talk without a router.
   */
  public Host addHost(String role, String cidrAddress, List<String> onLinkSubnets) {
    String netns = "wl" + id + "-" + role;
    String outside = "wl" + id + shortId();
    sh("ip netns add " + netns);
    sh("ip -n " + netns + " link set lo up");
    sh("ip link add " + outside + " type veth peer name eth0 netns " + netns);
    sh("ip link set " + outside + " netns " + switchNetns);
    sh("ip -n " + switchNetns + " link set " + outside + " master br0 up");
    sh("ip -n " + netns + " addr add " + cidrAddress + " dev eth0");
    sh("ip -n " + netns + " link set eth0 up");
    for (String subnet : onLinkSubnets) {
      sh("ip -n " + netns + " route add " + subnet + " dev eth0");
    }
    Host host = new Host(netns, cidrAddress.substring(0, cidrAddress.indexOf('/')));
    hosts.add(host);
    return host;
  }

  /**
   * Makes {@code 127.0.0.1:port} of the root namespace (e.g. the test API server) reachable as
   * {@code 127.0.0.1:port} inside {@code host}, so the same kubeconfig works there.
   */
  public void forwardLoopbackPort(Host host, int port) {
    Path script = extract("netns-loopback-forward.py");
    try {
      Process forwarder =
          new ProcessBuilder("python3", script.toString(), host.netns(), Integer.toString(port))
              .redirectErrorStream(true)
              .start();
      processes.add(forwarder);
      InputStream out = forwarder.getInputStream();
      byte[] ready = out.readNBytes("ready\n".length());
      if (!new String(ready, StandardCharsets.US_ASCII).equals("ready\n")) {
        throw new IllegalStateException(
            "loopback forwarder did not start: " + new String(ready, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A process to stop with the lab. */
  public Process track(Process process) {
    processes.add(process);
    return process;
  }

  @Override
  public void close() {
    processes.forEach(Process::destroyForcibly);
    for (Host host : hosts) {
      Commands.run("ip", "netns", "delete", host.netns());
      deleteEtcDir(host.netns());
    }
    Commands.run("ip", "netns", "delete", switchNetns);
  }

  private static void deleteEtcDir(String netns) {
    Path dir = Path.of("/etc/netns", netns);
    try {
      Files.deleteIfExists(dir.resolve("hosts"));
      Files.deleteIfExists(dir.resolve("resolv.conf"));
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // nothing else reads that directory once the namespace is gone
    }
  }

  private Path extract(String resource) {
    try (InputStream in = NetworkLab.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      Path file = Files.createTempFile("wayout-", "-" + resource);
      Files.write(file, in.readAllBytes());
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String shortId() {
    return UUID.randomUUID().toString().substring(0, 6);
  }

  private void sh(String command) {
    CommandResult result = Commands.run(List.of("sh", "-c", command), null, Duration.ofSeconds(20));
    if (!result.succeeded()) {
      throw new IllegalStateException("network set-up failed: " + command + "\n" + result);
    }
  }
}
