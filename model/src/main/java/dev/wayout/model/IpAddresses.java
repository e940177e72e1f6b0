package dev.wayout.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Strict, pure parsing of IP address and CIDR literals, as Go's {@code net/netip} accepts them (no
 * leading zeros in IPv4, at most one "::" in IPv6). Never resolves names: the JDK's {@code
 * InetAddress.getByName} would query DNS for anything that is not a literal.
 */
final class IpAddresses {

  private IpAddresses() {}

  static boolean isIp(String text) {
    return isIpv4(text) || isIpv6(text, true);
  }

  /** "10.0.0.0/8", "2001:db8::/32": an address without zone and a prefix length that fits. */
  static boolean isCidr(String text) {
    int slash = text.indexOf('/');
    if (slash < 0 || slash != text.lastIndexOf('/')) {
      return false;
    }
    String address = text.substring(0, slash);
    String bits = text.substring(slash + 1);
    if (bits.isEmpty() || bits.length() > 3 || !isDecimal(bits)) {
      return false;
    }
    if (bits.length() > 1 && bits.charAt(0) == '0') {
      return false;
    }
    int prefix = Integer.parseInt(bits);
    if (isIpv4(address)) {
      return prefix <= 32;
    }
    return isIpv6(address, false) && prefix <= 128;
  }

  /**
   * Loopback (127.0.0.0/8, ::1), link-local (169.254.0.0/16, fe80::/10, home of cloud metadata
   * services) or unspecified (0.0.0.0, ::), also as IPv4-mapped IPv6: addresses an egress proxy
   * must never dial for an external host. False for anything that is not an IP literal.
   */
  static boolean isLocal(String text) {
    if (isIpv4(text)) {
      String[] octets = text.split("\\.");
      return octets[0].equals("127")
          || text.equals("0.0.0.0")
          || (octets[0].equals("169") && octets[1].equals("254"));
    }
    if (!isIpv6(text, true)) {
      return false;
    }
    int[] g = ipv6Groups(text.contains("%") ? text.substring(0, text.indexOf('%')) : text);
    boolean zeroPrefix = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0;
    if (zeroPrefix && g[5] == 0xffff) {
      return isLocal((g[6] >> 8) + "." + (g[6] & 0xff) + "." + (g[7] >> 8) + "." + (g[7] & 0xff));
    }
    boolean unspecifiedOrLoopback =
        zeroPrefix && g[5] == 0 && g[6] == 0 && (g[7] == 0 || g[7] == 1);
    return unspecifiedOrLoopback || (g[0] & 0xffc0) == 0xfe80;
  }

  /** The eight 16-bit groups of a valid IPv6 literal without zone. */
  private static int[] ipv6Groups(String address) {
    List<Integer> head = new ArrayList<>();
    List<Integer> tail = new ArrayList<>();
    int ellipsis = address.indexOf("::");
    parseGroups(ellipsis < 0 ? address : address.substring(0, ellipsis), head);
    if (ellipsis >= 0) {
      parseGroups(address.substring(ellipsis + 2), tail);
    }
    int[] groups = new int[8];
    for (int i = 0; i < head.size(); i++) {
      groups[i] = head.get(i);
    }
    for (int i = 0; i < tail.size(); i++) {
      groups[8 - tail.size() + i] = tail.get(i);
    }
    return groups;
  }

  private static void parseGroups(String part, List<Integer> out) {
    if (part.isEmpty()) {
      return;
    }
    for (String group : part.split(":")) {
      if (group.contains(".")) {
        String[] octets = group.split("\\.");
        out.add(Integer.parseInt(octets[0]) << 8 | Integer.parseInt(octets[1]));
        out.add(Integer.parseInt(octets[2]) << 8 | Integer.parseInt(octets[3]));
      } else {
        out.add(Integer.parseInt(group, 16));
      }
    }
  }

  static boolean isIpv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !isDecimal(part)) {
        return false;
      }
      if (part.length() > 1 && part.charAt(0) == '0') {
        return false;
      }
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  static boolean isIpv6(String text, boolean zoneAllowed) {
    String address = text;
    int percent = text.indexOf('%');
    if (percent >= 0) {
      if (!zoneAllowed || percent == text.length() - 1) {
        return false;
      }
      address = text.substring(0, percent);
    }
    if (!address.contains(":")) {
      return false;
    }
    int groups = 0;
    String rest = address;
    // an embedded IPv4 address may end the text (::ffff:192.0.2.1) and counts for two groups
    int lastColon = rest.lastIndexOf(':');
    String tail = rest.substring(lastColon + 1);
    if (tail.contains(".")) {
      if (!isIpv4(tail)) {
        return false;
      }
      groups += 2;
      rest = rest.substring(0, lastColon + 1) + "0";
      groups -= 1; // the placeholder group added above is counted below
    }
    int ellipsis = rest.indexOf("::");
    if (ellipsis >= 0 && rest.indexOf("::", ellipsis + 1) >= 0) {
      return false;
    }
    String[] sides =
        ellipsis >= 0
            ? new String[] {rest.substring(0, ellipsis), rest.substring(ellipsis + 2)}
            : new String[] {rest};
    for (String side : sides) {
      if (side.isEmpty()) {
        continue;
      }
      for (String group : side.split(":", -1)) {
        if (group.isEmpty() || group.length() > 4 || !isHex(group)) {
          return false;
        }
        groups++;
      }
    }
    return ellipsis >= 0 ? groups < 8 : groups == 8;
  }

  private static boolean isHex(String group) {
    return group
        .chars()
        .allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
  }

  private static boolean isDecimal(String text) {
    return text.chars().allMatch(c -> c >= '0' && c <= '9');
  }
}
