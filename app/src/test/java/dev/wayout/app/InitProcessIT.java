package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.testing.CommandResult;
import dev.wayout.testing.NetworkLab;
import dev.wayout.testing.WayoutProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code wayout init}, as the init container runs it, inside a network namespace of its own. */
class InitProcessIT {

  private static final List<String> ARGS =
      List.of("init", "--cluster-cidrs", "192.0.2.0/24", "--waypoint", "192.0.2.20");

  private static List<String> run(NetworkLab.Host host, List<String> args) {
    try (WayoutProcess init = WayoutProcess.startIn(host, "init", args, Map.of())) {
      init.awaitStdout(l -> l.startsWith("ip6tables:"), Duration.ofSeconds(60));
      assertThat(init.stop()).as(init.printed()).isZero();
      return init.stdout();
    }
  }

  @Test
  void appliesOnceThenFindsTheRulesInPlaceAndCleansUp() {
    try (NetworkLab lab = NetworkLab.create()) {
      NetworkLab.Host app = lab.addHost("init", "192.0.2.10/24", List.of());

      assertThat(run(app, ARGS)).containsExactly("iptables: applied", "ip6tables: applied");
      CommandResult saved = app.exec("iptables-save", "-t", "nat");
      assertThat(saved.stdout())
          .contains("-A OUTPUT -j WAYOUT_OUTPUT")
          .contains("--dport 80 -j DNAT --to-destination 192.0.2.20:15001");

      assertThat(run(app, ARGS))
          .containsExactly("iptables: already in place", "ip6tables: already in place");

      assertThat(run(app, List.of("init", "--cleanup")))
          .containsExactly("iptables: removed", "ip6tables: removed");
      assertThat(app.exec("iptables-save").stdout()).doesNotContain("WAYOUT");
    }
  }
}
