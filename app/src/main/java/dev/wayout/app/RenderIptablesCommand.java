package dev.wayout.app;

import dev.wayout.enforcer.ConfigException;
import dev.wayout.enforcer.desired.IptablesPolicy;
import dev.wayout.enforcer.desired.IptablesRules;
import dev.wayout.enforcer.desired.IptablesRules.Family;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wayout render iptables}: the iptables-restore text that captures a pod's egress. */
@Command(
    name = "iptables",
    mixinStandardHelpOptions = true,
    description = {
      "Print the iptables-restore (and ip6tables-restore) text that sends a pod's outbound port 80"
          + " to the waypoint's 15001, 443 to 15443, and rejects every other non-cluster destination.",
      "Apply with: iptables-restore --noflush < file (wayout init does it idempotently)."
    })
final class RenderIptablesCommand implements Callable<Integer> {

  /** Which family to print; both by default, each under its own header comment. */
  enum Families {
    ipv4,
    ipv6,
    both
  }

  @Mixin CaptureOptions capture = new CaptureOptions();

  @Option(names = "--family", description = "ipv4, ipv6 or both (default: ${DEFAULT-VALUE}).")
  Families family = Families.both;

  @Option(names = "--cleanup", description = "Print the script that removes every trace instead.")
  boolean cleanup;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<Family> families =
        switch (family) {
          case ipv4 -> List.of(Family.IPV4);
          case ipv6 -> List.of(Family.IPV6);
          case both -> List.of(Family.IPV4, Family.IPV6);
        };
    if (cleanup) {
      families.forEach(f -> out.print(IptablesRules.cleanup(f)));
      out.flush();
      return 0;
    }
    IptablesPolicy policy;
    try {
      policy = capture.policy(System.getenv());
    } catch (ConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return 2;
    }
    families.forEach(f -> out.print(IptablesRules.render(policy, f)));
    out.flush();
    return 0;
  }
}
