package dev.wayout.enforcer.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wayout.enforcer.desired.IptablesPolicy;
import dev.wayout.enforcer.desired.IptablesRules.Family;
import dev.wayout.model.Cidr;
import dev.wayout.testing.CommandResult;
import dev.wayout.testing.NetworkLab;
import dev.wayout.testing.NetworkLab.Host;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The rendered rules enforced for real, in Linux network namespaces (root): an app host with the
 * rules, a control host without them, a waypoint outside the cluster ranges and an external host,
 * all on documentation addresses. Steps run in order: apply, probe, re-apply, clean up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class IptablesCaptureIT {

  private static final List<String> LAB_RANGES =
      List.of("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24");

  /** A rule and a chain that someone else put there: ours must leave them alone. */
  private static final String FOREIGN_RULES =
      "*filter\n:OTHER_CHAIN - [0:0]\n-A OUTPUT -p udp -m udp --dport 9 -j ACCEPT\nCOMMIT\n";

  private NetworkLab lab;
  private Host app;
  private Host control;
  private Host waypoint;
  private Host external;
  private Path probe;
  private RuleApplier applier;
  private IptablesPolicy policy;
  private String original;
  private String afterFirstApply;

  @BeforeAll
  void startLab() throws Exception {
    probe = extract("tcp-probe.py");
    lab = NetworkLab.create();
    app = lab.addHost("app", "192.0.2.10/24", others("192.0.2.0/24"));
    control = lab.addHost("ctl", "192.0.2.11/24", others("192.0.2.0/24"));
    waypoint = lab.addHost("wp", "198.51.100.20/24", others("198.51.100.0/24"));
    external = lab.addHost("ext", "203.0.113.10/24", others("203.0.113.0/24"));
    serve(waypoint, "waypoint", 15001, 15443);
    serve(external, "external", 80, 443, 8080, 22);
    serve(control, "cluster", 8080);

    applier = new RuleApplier(List.of("ip", "netns", "exec", app.netns()));
    // the cluster is 192.0.2.0/24; the waypoint deliberately sits outside it
    policy =
        IptablesPolicy.of(
            List.of(Cidr.parse("192.0.2.0/24")), List.of(Cidr.address(waypoint.address())));
    CommandResult foreign =
        dev.wayout.testing.Commands.run(
            List.of("ip", "netns", "exec", app.netns(), "iptables-restore", "--noflush"),
            FOREIGN_RULES,
            Duration.ofSeconds(10));
    assertThat(foreign.succeeded()).as(foreign.toString()).isTrue();
    original = RuleApplier.normalize(applier.save(Family.IPV4));
  }

  @AfterAll
  void closeLab() {
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  @Order(1)
  void withoutRulesEveryHostReachesTheExternalHost() {
    assertThat(connect(app, external, 8080)).isEqualTo("external 8080");
    assertThat(connect(control, external, 80)).isEqualTo("external 80");
  }

  @Test
  @Order(2)
  void firstApplyChangesTheTables() {
    List<RuleApplier.Outcome> outcomes = applier.apply(policy, List.of(Family.IPV4, Family.IPV6));

    assertThat(outcomes).allMatch(RuleApplier.Outcome::changed);
    afterFirstApply = RuleApplier.normalize(applier.save(Family.IPV4));
    assertThat(afterFirstApply)
        .contains("-A OUTPUT -j WAYOUT_OUTPUT")
        .contains("-A OUTPUT -p udp -m udp --dport 9 -j ACCEPT")
        .contains(":OTHER_CHAIN - [0:0]");
  }

  @Test
  @Order(3)
  void appTrafficToPort80And443IsRedirectedToTheWaypoint() {
    assertThat(connect(app, external, 80)).isEqualTo("waypoint 15001");
    assertThat(connect(app, external, 443)).isEqualTo("waypoint 15443");
  }

  @Test
  @Order(4)
  void appTrafficToOtherExternalPortsIsRejected() {
    assertThat(connect(app, external, 8080)).isEqualTo("refused");
    assertThat(connect(app, external, 22)).isEqualTo("refused");
  }

  @Test
  @Order(5)
  void clusterTrafficIsUntouched() {
    assertThat(connect(app, control, 8080)).isEqualTo("cluster 8080");
    assertThat(connect(app, waypoint, 15001)).isEqualTo("waypoint 15001");
  }

  @Test
  @Order(6)
  void theWaypointAndTheControlHostStillReachTheExternalHost() {
    assertThat(connect(waypoint, external, 80)).isEqualTo("external 80");
    assertThat(connect(control, external, 80)).isEqualTo("external 80");
    assertThat(connect(control, external, 8080)).isEqualTo("external 8080");
  }

  @Test
  @Order(7)
  void secondApplyIsANoOp() {
    String v6Before = RuleApplier.normalize(applier.save(Family.IPV6));

    List<RuleApplier.Outcome> outcomes = applier.apply(policy, List.of(Family.IPV4, Family.IPV6));

    assertThat(outcomes).noneMatch(RuleApplier.Outcome::changed);
    assertThat(RuleApplier.normalize(applier.save(Family.IPV4))).isEqualTo(afterFirstApply);
    assertThat(RuleApplier.normalize(applier.save(Family.IPV6))).isEqualTo(v6Before);
    assertThat(connect(app, external, 80)).isEqualTo("waypoint 15001");
  }

  @Test
  @Order(8)
  void cleanupRestoresTheOriginalTables() {
    List<RuleApplier.Outcome> outcomes = applier.cleanup(List.of(Family.IPV4, Family.IPV6));

    assertThat(outcomes).allMatch(RuleApplier.Outcome::changed);
    assertThat(significant(applier.save(Family.IPV4))).isEqualTo(significant(original));
    assertThat(significant(applier.save(Family.IPV6))).isEmpty();
    assertThat(connect(app, external, 8080)).isEqualTo("external 8080");
    assertThat(connect(app, external, 80)).isEqualTo("external 80");
    assertThat(applier.cleanup(List.of(Family.IPV4))).noneMatch(RuleApplier.Outcome::changed);
  }

  /** Rules and user chains; empty built-in tables that iptables-nft creates on first use aside. */
  private static String significant(String saved) {
    return saved
        .lines()
        .filter(l -> l.startsWith("-A ") || (l.startsWith(":") && l.contains(" - [")))
        .sorted()
        .collect(Collectors.joining("\n"));
  }

  private static List<String> others(String own) {
    return LAB_RANGES.stream().filter(r -> !r.equals(own)).toList();
  }

  private String connect(Host from, Host to, int port) {
    CommandResult result =
        from.exec(
            Duration.ofSeconds(15),
            "python3",
            probe.toString(),
            "connect",
            to.address(),
            Integer.toString(port));
    assertThat(result.succeeded()).as(result.toString()).isTrue();
    return result.stdout().strip();
  }

  private void serve(Host host, String name, Integer... ports) throws IOException {
    Path log = Files.createTempFile("wayout-probe-" + name, ".log");
    log.toFile().deleteOnExit();
    List<String> command =
        new java.util.ArrayList<>(
            List.of("python3", probe.toString(), "serve", name, host.address()));
    for (int port : ports) {
      command.add(Integer.toString(port));
    }
    lab.track(host.start(command, Map.of(), log));
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> Files.readString(log).contains("ready"));
  }

  private static Path extract(String resource) throws IOException {
    try (InputStream in = IptablesCaptureIT.class.getResourceAsStream(resource)) {
      Path file = Files.createTempFile("wayout-", "-" + resource);
      Files.write(file, in.readAllBytes());
      file.toFile().deleteOnExit();
      return file;
    }
  }
}
