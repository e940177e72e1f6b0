package dev.wayout.model;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 network in CIDR notation, canonical (no host bits set). Parsing never touches
 * DNS: only address literals are accepted.
 */
public record Cidr(InetAddress address, int prefix) {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

  /** IPv4 link-local, where cloud metadata services live (169.254.169.254). */
  public static final Cidr LINK_LOCAL_V4 = parse("169.254.0.0/16");

  public static final Cidr LINK_LOCAL_V6 = parse("fe80::/10");
  public static final Cidr ANY_V4 = parse("0.0.0.0/0");
  public static final Cidr ANY_V6 = parse("::/0");
  public static final Cidr LOOPBACK_V4 = parse("127.0.0.0/8");
  public static final Cidr LOOPBACK_V6 = parse("::1/128");

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
    String host = slash < 0 ? s : s.substring(0, slash);
    InetAddress address = literal(host, text);
    int bits = address.getAddress().length * 8;
    int prefix;
    if (slash < 0) {
      prefix = bits;
    } else {
      try {
        prefix = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException(
            "the prefix length of \"" + text + "\" must be from 0 to " + bits);
      }
    }
    Cidr cidr = new Cidr(address, prefix);
    if (!cidr.network().equals(address)) {
      throw new IllegalArgumentException(
          "\"" + text + "\" has host bits set; write " + format(cidr.network()) + "/" + prefix);
    }
    return cidr;
  }

  /** Parses an IPv4 or IPv6 address literal without any DNS lookup. */
  public static InetAddress address(String text) {
    return literal(text.trim(), text);
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

  public boolean isIpv6() {
    return address.getAddress().length == 16;
  }

  /** The first address of the network. */
  public InetAddress network() {
    byte[] bytes = address.getAddress();
    int bits = bytes.length * 8;
    BigInteger value = new BigInteger(1, bytes);
    BigInteger mask =
        BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(prefix).not();
    byte[] masked = value.and(mask).toByteArray();
    byte[] out = new byte[bytes.length];
    int copy = Math.min(masked.length, out.length);
    System.arraycopy(masked, masked.length - copy, out, out.length - copy, copy);
    try {
      return InetAddress.getByAddress(out);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Byte-wise, without allocating: the waypoint checks every address it dials against these. */
  public boolean contains(InetAddress other) {
    byte[] network = address.getAddress();
    byte[] candidate = other.getAddress();
    if (network.length != candidate.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (candidate[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (candidate[full] & mask) == (network[full] & mask);
  }

  /** True when every address of {@code other} is in this network. */
  public boolean covers(Cidr other) {
    return other.isIpv6() == isIpv6() && other.prefix >= prefix && contains(other.address);
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
    for (int i = 0; i < 8; i++) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = Math.max(i, j);
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
}
