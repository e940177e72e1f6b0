package dev.wayout.webhook.inject;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation, canonical (no host bits set), as the init container's
 * {@code --cluster-cidrs} takes it. Parsing never touches DNS: only address literals are accepted.
 * (The enforcer has a fuller twin; the webhook may not depend on the enforcer.)
 */
public record Cidr(InetAddress address, int prefix) {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

  public Cidr {
    int bits = address.getAddress().length * 8;
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("prefix " + prefix + " is not in 0-" + bits);
    }
  }

  /**
   * Parses {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a host route (/32, /128).
   *
   * @throws IllegalArgumentException whose message says what is wrong and what to write instead
   */
  public static Cidr parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    InetAddress address = literal(slash < 0 ? s : s.substring(0, slash), text);
    int bits = address.getAddress().length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String digits = s.substring(slash + 1);
      prefix = digits.matches("\\d{1,3}") ? Integer.parseInt(digits) : -1;
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException(
            "the prefix length of \"" + text + "\" must be from 0 to " + bits);
      }
    }
    InetAddress network = network(address, prefix);
    if (!network.equals(address)) {
      throw new IllegalArgumentException(
          "\"" + text + "\" has host bits set; write " + format(network) + "/" + prefix);
    }
    return new Cidr(address, prefix);
  }

  /** Parses an IPv4 or IPv6 address literal without any DNS lookup. */
  public static InetAddress address(String text) {
    return literal(text.trim(), text);
  }

  @Override
  public String toString() {
    return format(address) + "/" + prefix;
  }

  /** The address as people write it: dotted quad, or IPv6 with the longest zero run as "::". */
  public static String format(InetAddress address) {
    byte[] b = address.getAddress();
    if (b.length == 4) {
      return address.getHostAddress();
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = Math.max(i + 1, j);
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }

  private static InetAddress network(InetAddress address, int prefix) {
    byte[] bytes = address.getAddress();
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - 8 * i));
      bytes[i] &= (byte) (0xff << (8 - keep));
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InetAddress literal(String host, String original) {
    boolean v4 = IPV4.matcher(host).matches();
    boolean v6 = host.contains(":") && IPV6.matcher(host).matches();
    if (!v4 && !v6) {
      throw new IllegalArgumentException(
          "\""
              + original
              + "\" is not an IPv4 or IPv6 address; write e.g. 10.96.0.0/12 or fd00::/108");
    }
    try {
      // a literal: InetAddress does not resolve it
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "\"" + original + "\" is not a valid IP address; write e.g. 10.96.0.0/12 or fd00::/108");
    }
  }
}
