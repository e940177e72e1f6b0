package dev.wayout.enforcer.desired;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which traces of Wayout's rules one family's tables hold, read from {@code iptables-save} output:
 * the chains that exist and how many jumps to our chain sit in {@code OUTPUT}. Lets the rendered
 * script add what is missing and remove what is there, so that applying twice changes nothing.
 */
public record IptablesState(Set<String> chains, Map<String, Integer> jumps) {

  public static final IptablesState EMPTY = new IptablesState(Set.of(), Map.of());

  public IptablesState {
    chains = Set.copyOf(chains);
    jumps = Map.copyOf(jumps);
  }

  /** Parses {@code iptables-save} (or {@code ip6tables-save}) output. */
  public static IptablesState parse(String saved) {
    Set<String> chains = new HashSet<>();
    Map<String, Integer> jumps = new HashMap<>();
    String table = "";
    for (String raw : saved.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("*")) {
        table = line.substring(1);
      } else if (line.startsWith(":")) {
        int space = line.indexOf(' ');
        chains.add(key(table, line.substring(1, space < 0 ? line.length() : space)));
      } else if (line.equals("-A OUTPUT -j " + IptablesRules.CHAIN)) {
        jumps.merge(table, 1, Integer::sum);
      }
    }
    return new IptablesState(chains, jumps);
  }

  /** The state right after our rules were applied to a fresh namespace. */
  public static IptablesState applied() {
    Set<String> chains = new HashSet<>();
    Map<String, Integer> jumps = new HashMap<>();
    for (String table : IptablesRules.TABLES) {
      chains.add(key(table, IptablesRules.CHAIN));
      jumps.put(table, 1);
    }
    return new IptablesState(chains, jumps);
  }

  public boolean hasChain(String table, String chain) {
    return chains.contains(key(table, chain));
  }

  public int jumps(String table) {
    return jumps.getOrDefault(table, 0);
  }

  /** True when no table holds our chain or a jump to it. */
  public boolean isClean() {
    return IptablesRules.TABLES.stream()
        .noneMatch(t -> hasChain(t, IptablesRules.CHAIN) || jumps(t) > 0);
  }

  private static String key(String table, String chain) {
    return table + "/" + chain;
  }
}
