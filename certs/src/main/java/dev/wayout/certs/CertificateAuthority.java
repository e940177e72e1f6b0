package dev.wayout.certs;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * A self-signed ECDSA P-256 certificate authority that issues Wayout's serving certificates (and,
 * in tests, client certificates). Serial numbers are random.
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey privateKey) {

  public static CertificateAuthority create(Clock clock, String commonName, Duration validity) {
    KeyPair keys = KeyPairs.p256();
    return new CertificateAuthority(
        CertificateBuilder.selfSignedCa(clock, commonName, validity, keys), keys.getPrivate());
  }

  /**
   * Reads a CA back from the PEM texts that {@link #certificatePem()} and {@link #privateKeyPem()}
   * wrote.
   */
  public static CertificateAuthority fromPem(String certificatePem, String privateKeyPem) {
    return new CertificateAuthority(
        Pem.certificates(certificatePem).get(0), Pem.privateKey(privateKeyPem));
  }

  /**
   * A serving certificate for the given names (e.g. {@code svc}, {@code svc.ns}, {@code
   * svc.ns.svc}, {@code svc.ns.svc.cluster.local}) and IP addresses, signed by this CA. The first
   * DNS name (or IP) is the subject's common name.
   */
  public ServingCertificate issueServing(
      Clock clock, List<String> dnsNames, List<String> ipAddresses, Duration validity) {
    if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
      throw new IllegalArgumentException("a serving certificate needs at least one DNS name or IP");
    }
    KeyPair keys = KeyPairs.p256();
    String commonName = dnsNames.isEmpty() ? ipAddresses.get(0) : dnsNames.get(0);
    X509Certificate leaf =
        CertificateBuilder.leaf(
            clock,
            validity,
            this,
            commonName,
            List.of(),
            dnsNames,
            ipAddresses,
            KeyPurposeId.id_kp_serverAuth,
            keys.getPublic());
    return new ServingCertificate(List.of(leaf, certificate), keys.getPrivate());
  }

  /**
   * A client certificate: Kubernetes reads the user from the common name and the groups from the
   * organizations (e.g. {@code O=system:masters} for a cluster admin).
   */
  public ServingCertificate issueClient(
      Clock clock, String commonName, List<String> organizations, Duration validity) {
    KeyPair keys = KeyPairs.p256();
    X509Certificate leaf =
        CertificateBuilder.leaf(
            clock,
            validity,
            this,
            commonName,
            organizations,
            List.of(),
            List.of(),
            KeyPurposeId.id_kp_clientAuth,
            keys.getPublic());
    return new ServingCertificate(List.of(leaf, certificate), keys.getPrivate());
  }

  public String certificatePem() {
    return Pem.encode(certificate);
  }

  public String privateKeyPem() {
    return Pem.encode(privateKey);
  }
}
