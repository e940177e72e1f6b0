package dev.wayout.enforcer.desired;

import dev.wayout.model.Cidr;
import java.net.InetAddress;
import java.util.List;

/**
 * Renders a pod's capture rules as {@code iptables-restore} / {@code ip6tables-restore} text. Pure:
 * {@link dev.wayout.enforcer.iptables.RuleApplier} feeds the text to the tools.
 *
 * <p>Everything lives in our own chain {@value #CHAIN}, in {@code nat} (DNAT of 80 and 443 to the
 * waypoint) and in {@code filter} (REJECT of every other new connection to a non-cluster address),
 * each reached by one jump from {@code OUTPUT}. The script is meant for {@code --noflush}:
 * declaring the chain flushes it, so re-applying replaces our rules and leaves everyone else's
 * alone; the jump is added only when {@link IptablesState} shows it missing.
 */
public final class IptablesRules {

  public static final String CHAIN = "WAYOUT_OUTPUT";
  public static final List<String> TABLES = List.of("nat", "filter");

  /** Ports captured for the waypoint: plain HTTP and TLS. */
  public static final int HTTP = 80;

  public static final int HTTPS = 443;

  /** The two address families, each with its own tools and constants. */
  public enum Family {
    IPV4("iptables", "127.0.0.0/8", "icmp-port-unreachable"),
    IPV6("ip6tables", "::1/128", "icmp6-port-unreachable");

    private final String command;
    private final String loopback;
    private final String rejectWith;

    Family(String command, String loopback, String rejectWith) {
      this.command = command;
      this.loopback = loopback;
      this.rejectWith = rejectWith;
    }

    /** {@code iptables} or {@code ip6tables}; the tools are this plus -restore / -save. */
    public String command() {
      return command;
    }

    boolean matches(Cidr cidr) {
      return cidr.isIpv6() == (this == IPV6);
    }
  }

  private IptablesRules() {}

  /** The script for a namespace that holds none of our rules yet (what an init container runs). */
  public static String render(IptablesPolicy policy, Family family) {
    return render(policy, family, IptablesState.EMPTY);
  }

  /**
   * The script that brings tables in {@code current} state to exactly our rules: chains declared
   * (so flushed) and filled, one jump from OUTPUT (extra ones deleted).
   */
  public static String render(IptablesPolicy policy, Family family, IptablesState current) {
    InetAddress waypoint = family == Family.IPV4 ? policy.waypointIpv4() : policy.waypointIpv6();
    StringBuilder out = new StringBuilder();
    out.append("# Wayout egress capture (").append(family.command).append("-restore --noflush)\n");

    out.append("*nat\n");
    out.append(':').append(CHAIN).append(" - [0:0]\n");
    untouched(out, policy, family);
    if (waypoint != null) {
      String target =
          family == Family.IPV6 ? "[" + Cidr.format(waypoint) + "]" : Cidr.format(waypoint);
      dnat(out, HTTP, target + ":" + policy.httpPort());
      dnat(out, HTTPS, target + ":" + policy.tlsPort());
    }
    jump(out, current.jumps("nat"));
    out.append("COMMIT\n");

    out.append("*filter\n");
    out.append(':').append(CHAIN).append(" - [0:0]\n");
    untouched(out, policy, family);
    // replies to connections that came in (from a load balancer keeping the client's address)
    rule(out, "-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN");
    if (waypoint != null) {
      String host = Cidr.format(waypoint) + (family == Family.IPV6 ? "/128" : "/32");
      rule(out, "-d " + host + " -p tcp -m tcp --dport " + policy.httpPort() + " -j RETURN");
      rule(out, "-d " + host + " -p tcp -m tcp --dport " + policy.tlsPort() + " -j RETURN");
    }
    rule(out, "-p tcp -j REJECT --reject-with tcp-reset");
    rule(out, "-j REJECT --reject-with " + family.rejectWith);
    jump(out, current.jumps("filter"));
    out.append("COMMIT\n");
    return out.toString();
  }

  /** The script that removes every trace from a namespace where the rules are applied. */
  public static String cleanup(Family family) {
    return cleanup(family, IptablesState.applied());
  }

  /**
   * The script that removes every trace found in {@code current}; "" when there is none (an empty
   * restore would still be a change on some kernels, so the applier skips it).
   */
  public static String cleanup(Family family, IptablesState current) {
    if (current.isClean()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    out.append("# Wayout egress capture: cleanup (")
        .append(family.command)
        .append("-restore --noflush)\n");
    for (String table : TABLES) {
      if (!current.hasChain(table, CHAIN) && current.jumps(table) == 0) {
        continue;
      }
      out.append('*').append(table).append('\n');
      for (int i = 0; i < current.jumps(table); i++) {
        out.append("-D OUTPUT -j ").append(CHAIN).append('\n');
      }
      if (current.hasChain(table, CHAIN)) {
        out.append("-F ").append(CHAIN).append('\n');
        out.append("-X ").append(CHAIN).append('\n');
      }
      out.append("COMMIT\n");
    }
    return out.toString();
  }

  /** Loopback and the cluster's ranges go their usual way in both tables. */
  private static void untouched(StringBuilder out, IptablesPolicy policy, Family family) {
    rule(out, "-o lo -j RETURN");
    rule(out, "-d " + family.loopback + " -j RETURN");
    for (Cidr cidr : policy.clusterCidrs()) {
      if (family.matches(cidr)) {
        rule(out, "-d " + cidr + " -j RETURN");
      }
    }
  }

  private static void dnat(StringBuilder out, int port, String target) {
    rule(out, "-p tcp -m tcp --dport " + port + " -j DNAT --to-destination " + target);
  }

  /** Exactly one jump, first in OUTPUT, whatever was there before. */
  private static void jump(StringBuilder out, int present) {
    if (present == 0) {
      out.append("-I OUTPUT 1 -j ").append(CHAIN).append('\n');
    }
    for (int i = 1; i < present; i++) {
      out.append("-D OUTPUT -j ").append(CHAIN).append('\n');
    }
  }

  private static void rule(StringBuilder out, String spec) {
    out.append("-A ").append(CHAIN).append(' ').append(spec).append('\n');
  }
}
