package dev.wayout.model;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

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

  private static final Pattern SECRET_NAME = Pattern.compile(KubeLabels.DNS_SUBDOMAIN);
  private static final String KUBERNETES = "kubernetes://";

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

  /**
   * The Secret a {@code credentialName} names, as Istio reads it ({@code name} or {@code
   * kubernetes://name}), or null when it cannot name a Secret (not a DNS-1123 subdomain, another
   * namespace, a ConfigMap). A name this returns is also a safe folder name: no '/', no "..".
   */
  public static String secretName(String credentialName) {
    if (credentialName == null) {
      return null;
    }
    String name =
        credentialName.startsWith(KUBERNETES)
            ? credentialName.substring(KUBERNETES.length())
            : credentialName;
    return name.length() <= 253 && SECRET_NAME.matcher(name).matches() ? name : null;
  }
}
