package dev.wayout.waypoint.upstream;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** IP literals with an optional port, read without any name lookup. */
public final class IpLiterals {

  private IpLiterals() {}

  /**
   * Parses {@code IP}, {@code IP:port} or {@code [IPv6]:port} without any name lookup; null when
   * the text is not an IP literal.
   */
  public static InetSocketAddress socketAddress(String text, int defaultPort) {
    String host = text;
    int port = defaultPort;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = text.substring(1, close);
      if (close + 1 < text.length()) {
        if (text.charAt(close + 1) != ':') {
          return null;
        }
        port = parsePort(text.substring(close + 2));
      }
    } else if (text.indexOf(':') == text.lastIndexOf(':') && text.indexOf(':') > 0) {
      host = text.substring(0, text.indexOf(':'));
      port = parsePort(text.substring(text.indexOf(':') + 1));
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
    if (bytes == null || port < 0) {
      return null;
    }
    try {
      return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static int parsePort(String text) {
    try {
      int port = Integer.parseInt(text);
      return port >= 1 && port <= 65535 ? port : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
