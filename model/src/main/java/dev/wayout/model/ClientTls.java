package dev.wayout.model;

import java.util.List;
import java.util.Locale;

/**
 * {@code trafficPolicy.tls} of a DestinationRule (Istio's ClientTLSSettings): how the waypoint
 * talks TLS to the upstream. {@code mode} stays as written; "" when absent (DISABLE).
 */
public record ClientTls(
    String mode,
    String clientCertificate,
    String privateKey,
    String caCertificates,
    String credentialName,
    List<String> subjectAltNames,
    String sni,
    Boolean insecureSkipVerify,
    String caCrl) {

  public ClientTls {
    mode = mode == null ? "" : mode;
    subjectAltNames = subjectAltNames == null ? List.of() : List.copyOf(subjectAltNames);
  }

  public String modeName() {
    return mode.isEmpty() ? "DISABLE" : mode.toUpperCase(Locale.ROOT);
  }

  /** SIMPLE or MUTUAL: the waypoint originates TLS to the upstream. */
  public boolean originatesTls() {
    return switch (modeName()) {
      case "SIMPLE", "MUTUAL" -> true;
      default -> false;
    };
  }

  public boolean skipsVerification() {
    return Boolean.TRUE.equals(insecureSkipVerify);
  }
}
