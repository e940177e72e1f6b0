package dev.wayout.model;

import static dev.wayout.model.Findings.quote;
import static dev.wayout.model.PolicyChecks.blank;

import java.util.Set;

/**
 * Istio's ValidateTLS (pkg/config/validation/agent) for a DestinationRule's {@code tls}, with the
 * CRD's mode enum, plus Wayout's warnings about origination that does not verify the upstream and
 * about fields the waypoint cannot honour.
 */
final class ClientTlsValidator {

  static final Set<String> MODES = Set.of("DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL");
  private static final String CONFIGMAP = "configmap://";

  private ClientTlsValidator() {}

  static void check(ClientTls tls, String namespace, String path, Findings f) {
    if (tls == null) {
      return;
    }
    String mode = tls.mode().isEmpty() ? "DISABLE" : tls.mode();
    if (!MODES.contains(mode)) {
      f.error(
          path + ".mode",
          quote(tls.mode()) + " is not a TLS mode Istio knows",
          "use SIMPLE to originate TLS to the external host, or DISABLE");
      return;
    }
    boolean credential = !blank(tls.credentialName());
    if (credential) {
      checkCredentialName(tls.credentialName(), namespace, path + ".credentialName", f);
    }
    if (tls.skipsVerification()) {
      if (mode.equals("SIMPLE")) {
        conflict(tls.caCertificates(), path + ".caCertificates", f);
        conflict(tls.credentialName(), path + ".credentialName", f);
        if (!tls.subjectAltNames().isEmpty()) {
          conflict("set", path + ".subjectAltNames", f);
        }
      } else if (mode.equals("MUTUAL")) {
        // credentialName may carry only the client certificate, so Istio allows it here
        conflict(tls.caCertificates(), path + ".caCertificates", f);
        if (!tls.subjectAltNames().isEmpty()) {
          conflict("set", path + ".subjectAltNames", f);
        }
      }
    }
    boolean originates = mode.equals("SIMPLE") || mode.equals("MUTUAL");
    if (originates && credential) {
      setWithCredential(tls.clientCertificate(), path + ".clientCertificate", f);
      setWithCredential(tls.privateKey(), path + ".privateKey", f);
      setWithCredential(tls.caCertificates(), path + ".caCertificates", f);
      setWithCredential(tls.caCrl(), path + ".caCrl", f);
    } else if (mode.equals("MUTUAL")) {
      if (blank(tls.clientCertificate())) {
        f.error(
            path + ".clientCertificate",
            "is missing; mode MUTUAL presents a client certificate",
            "set clientCertificate and privateKey (file paths), or credentialName (a Secret)");
      }
      if (blank(tls.privateKey())) {
        f.error(
            path + ".privateKey",
            "is missing; mode MUTUAL presents a client certificate",
            "set clientCertificate and privateKey (file paths), or credentialName (a Secret)");
      }
    }
    warnings(tls, mode, credential, path, f);
  }

  /**
   * Istio accepts any credentialName; a {@code configmap://namespace/name} must name the rule's own
   * namespace. Wayout reads Secrets only, by a name that is also a folder name: anything else is
   * admitted with a warning, and the waypoint answers 503 for the port without touching a file.
   */
  private static void checkCredentialName(String name, String namespace, String path, Findings f) {
    if (name.startsWith(CONFIGMAP)) {
      String[] parts = name.substring(CONFIGMAP.length()).split("/", -1);
      if (parts.length <= 1 || parts[0].isEmpty() || parts[1].isEmpty()) {
        f.error(
            path,
            quote(name) + " is not a configmap:// credential",
            "write configmap://" + (namespace.isEmpty() ? "NAMESPACE" : namespace) + "/NAME");
      } else if (namespace.isEmpty() || !parts[0].equals(namespace)) {
        f.error(
            path,
            quote(name) + " names namespace " + quote(parts[0]) + ", not the rule's own",
            "use configmap://" + (namespace.isEmpty() ? "NAMESPACE" : namespace) + "/" + parts[1]);
      } else {
        f.warn(
            path,
            quote(name)
                + " is a ConfigMap, which the Wayout waypoint does not read: requests on"
                + " this port answer 503",
            "put the CA in a Secret and name it here");
      }
      return;
    }
    if (ClientTls.secretName(name) == null) {
      f.warn(
          path,
          quote(name)
              + " is not a Secret name, so no Secret can match it: the Wayout waypoint"
              + " answers 503 on this port",
          "use the name of a Secret in the waypoint's namespace: at most 253 lowercase letters,"
              + " digits, '-' or '.', e.g. \"example-com-ca\"");
    }
  }

  private static void warnings(
      ClientTls tls, String mode, boolean credential, String path, Findings f) {
    switch (mode) {
      case "SIMPLE", "MUTUAL" -> {
        if (tls.skipsVerification()) {
          f.warn(
              path + ".insecureSkipVerify",
              "true turns off verification of the upstream's certificate and name, so anyone on"
                  + " the path can impersonate it",
              "remove insecureSkipVerify and set caCertificates or credentialName for a private"
                  + " CA");
        } else if (blank(tls.caCertificates()) && !credential) {
          f.warn(
              path,
              "mode "
                  + mode
                  + " without caCertificates or credentialName verifies the upstream"
                  + " only against the system trust store",
              "set caCertificates (or credentialName) to pin the CA that signs the upstream's"
                  + " certificate");
        }
        if (!blank(tls.caCrl()) && !credential) {
          f.warn(
              path + ".caCrl",
              "is not applied by the Wayout waypoint: revoked upstream certificates are accepted",
              "remove caCrl, or pin a CA that no longer signs the revoked certificate");
        }
      }
      case "ISTIO_MUTUAL" -> {
        for (String field : new String[] {"clientCertificate", "privateKey", "caCertificates"}) {
          String value =
              switch (field) {
                case "clientCertificate" -> tls.clientCertificate();
                case "privateKey" -> tls.privateKey();
                default -> tls.caCertificates();
              };
          if (!blank(value)) {
            f.warn(
                path + "." + field,
                "is ignored with mode ISTIO_MUTUAL, which uses the mesh's own certificates",
                "remove it, or use mode MUTUAL with your own certificates");
          }
        }
        f.warn(
            path + ".mode",
            "\"ISTIO_MUTUAL\" needs an in-mesh peer with an Istio identity",
            "for an external host use \"SIMPLE\"");
      }
      default -> {
        // DISABLE: plain text upstream; certificate fields are ignored
      }
    }
  }

  private static void conflict(String value, String path, Findings f) {
    if (!blank(value)) {
      f.error(
          path,
          "is set together with insecureSkipVerify: true",
          "remove insecureSkipVerify to verify the upstream, or remove this field");
    }
  }

  private static void setWithCredential(String value, String path, Findings f) {
    if (!blank(value)) {
      f.error(
          path,
          "is set together with credentialName, which already supplies the certificates",
          "keep credentialName or the certificate file fields, not both");
    }
  }
}
