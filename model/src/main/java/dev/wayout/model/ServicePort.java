package dev.wayout.model;

import java.util.Locale;

/**
 * One entry of {@code spec.ports} of a ServiceEntry. {@code targetPort} is null when absent: the
 * upstream is then dialled on {@code number}.
 */
public record ServicePort(int number, String protocol, String name, Integer targetPort) {

  /** The protocol in upper case, as Istio compares it; "" when absent. */
  public String protocolName() {
    return protocol == null ? "" : protocol.toUpperCase(Locale.ROOT);
  }

  /** The port the waypoint dials upstream. */
  public int upstreamPort() {
    return targetPort == null || targetPort == 0 ? number : targetPort;
  }

  /** HTTP-family protocols, where the waypoint sees requests and can apply L7 policy. */
  public boolean isHttp() {
    return switch (protocolName()) {
      case "HTTP", "HTTP2", "HTTP_PROXY", "GRPC", "GRPC-WEB" -> true;
      default -> false;
    };
  }

  /** Protocols the waypoint can only pass through by SNI. */
  public boolean isTls() {
    return switch (protocolName()) {
      case "HTTPS", "TLS" -> true;
      default -> false;
    };
  }
}
