package dev.wayout.app;

import dev.wayout.enforcer.ConfigException;
import dev.wayout.enforcer.desired.IptablesPolicy;
import dev.wayout.enforcer.desired.IptablesRules.Family;
import dev.wayout.enforcer.iptables.RuleApplier;
import dev.wayout.enforcer.iptables.RuleApplier.IptablesException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code wayout init}: applies the capture rules in its own network namespace. It is the command of
 * the init container that the mutating webhook injects into pods of enforced namespaces; it needs
 * NET_ADMIN and NET_RAW, and runs once before the pod's other containers start.
 */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Apply Wayout's iptables rules in this network namespace (the pod's init container).",
      "Idempotent: running it again changes nothing. --cleanup removes every trace."
    })
final class InitCommand implements Callable<Integer> {

  @Mixin CaptureOptions capture = new CaptureOptions();

  @Option(names = "--cleanup", description = "Remove Wayout's chains and jumps instead.")
  boolean cleanup;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Family> families = new ArrayList<>(List.of(Family.IPV4));
    // with IPv6 disabled in the kernel there is no IPv6 egress to close, and no ip6tables tables
    if (Files.exists(Path.of("/proc/net/if_inet6"))) {
      families.add(Family.IPV6);
    }
    RuleApplier applier = new RuleApplier();
    try {
      List<RuleApplier.Outcome> outcomes;
      if (cleanup) {
        outcomes = applier.cleanup(families);
      } else {
        IptablesPolicy policy = capture.policy(System.getenv());
        outcomes = applier.apply(policy, families);
      }
      for (RuleApplier.Outcome o : outcomes) {
        out.println(
            o.family().command()
                + ": "
                + (cleanup
                    ? (o.changed() ? "removed" : "nothing to remove")
                    : (o.changed() ? "applied" : "already in place")));
      }
      out.flush();
      return 0;
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 2;
    } catch (IptablesException e) {
      err.println(e.getMessage());
      return 1;
    }
  }
}
