package dev.wayout.certs;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the webhook's TLS needs, as stored in one Secret: the CA (certificate and key), the
 * serving certificate it issued, and, while a CA rotation is under way, the previous CA's
 * certificate, which stays in {@code ca.crt} (and so in the caBundle) until nothing it signed is
 * served. {@code changedAt} is when this bundle last changed; rotation steps wait from it.
 *
 * <p>Secret layout (type {@code kubernetes.io/tls}): {@code tls.crt} the serving chain (leaf, then
 * its CA), {@code tls.key} its key, {@code ca.crt} the current CA then the previous one, {@code
 * ca.key} the current CA's key, and the annotation {@value #CHANGED_AT_ANNOTATION}.
 */
public record CertificateBundle(
    CertificateAuthority ca,
    ServingCertificate serving,
    Optional<X509Certificate> previousCa,
    Instant changedAt) {

  public static final String TLS_CRT = "tls.crt";
  public static final String TLS_KEY = "tls.key";
  public static final String CA_CRT = "ca.crt";
  public static final String CA_KEY = "ca.key";
  public static final String CHANGED_AT_ANNOTATION = "wayout.dev/certificates-changed-at";

  /** A bundle without a rotation in progress. */
  public CertificateBundle(CertificateAuthority ca, ServingCertificate serving, Instant changedAt) {
    this(ca, serving, Optional.empty(), changedAt);
  }

  public boolean rotationInProgress() {
    return previousCa.isPresent();
  }

  /** The CAs that clients must trust: the current one, then the previous one during a rotation. */
  public List<X509Certificate> trustedCas() {
    List<X509Certificate> cas = new ArrayList<>();
    cas.add(ca.certificate());
    previousCa.ifPresent(cas::add);
    return List.copyOf(cas);
  }

  /** {@code ca.crt}, which is also what goes into the webhook configurations' caBundle. */
  public String caBundlePem() {
    return Pem.encode(trustedCas());
  }

  /** The Secret's {@code data}, as text (the Kubernetes adapter base64-encodes it). */
  public Map<String, String> secretData() {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(TLS_CRT, serving.chainPem());
    data.put(TLS_KEY, serving.privateKeyPem());
    data.put(CA_CRT, caBundlePem());
    data.put(CA_KEY, ca.privateKeyPem());
    return Map.copyOf(data);
  }

  public Map<String, String> secretAnnotations() {
    return Map.of(CHANGED_AT_ANNOTATION, changedAt.toString());
  }

  /**
   * Reads a bundle back from a Secret's data (as text) and annotations.
   *
   * @throws IllegalArgumentException naming the key that is missing or broken; the rotator then
   *     replaces the Secret's contents with a fresh bundle
   */
  public static CertificateBundle fromSecret(
      Map<String, String> data, Map<String, String> annotations) {
    List<X509Certificate> cas = certificates(data, CA_CRT);
    if (cas.size() > 2) {
      throw new IllegalArgumentException(
          "Secret key \"ca.crt\" holds "
              + cas.size()
              + " certificates; expected the CA and at most"
              + " one previous CA");
    }
    PrivateKey caKey = privateKey(data, CA_KEY);
    if (!matches(caKey, cas.get(0).getPublicKey())) {
      throw new IllegalArgumentException(
          "Secret key \"ca.key\" does not belong to the first certificate in \"ca.crt\"");
    }
    List<X509Certificate> chain = certificates(data, TLS_CRT);
    PrivateKey servingKey = privateKey(data, TLS_KEY);
    if (!matches(servingKey, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException(
          "Secret key \"tls.key\" does not belong to the first certificate in \"tls.crt\"");
    }
    return new CertificateBundle(
        new CertificateAuthority(cas.get(0), caKey),
        new ServingCertificate(chain, servingKey),
        cas.size() == 2 ? Optional.of(cas.get(1)) : Optional.empty(),
        changedAt(annotations));
  }

  private static List<X509Certificate> certificates(Map<String, String> data, String key) {
    String pem = required(data, key);
    List<X509Certificate> certificates;
    try {
      certificates = Pem.certificates(pem);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Secret key \"" + key + "\": " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("Secret key \"" + key + "\" holds no PEM certificate");
    }
    return certificates;
  }

  private static PrivateKey privateKey(Map<String, String> data, String key) {
    String pem = required(data, key);
    try {
      return Pem.privateKey(pem);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Secret key \"" + key + "\": " + e.getMessage(), e);
    }
  }

  private static String required(Map<String, String> data, String key) {
    String value = data.get(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("Secret key \"" + key + "\" is missing or empty");
    }
    return value;
  }

  // A Secret edited by hand may carry no annotation; the epoch makes every waiting step due.
  private static Instant changedAt(Map<String, String> annotations) {
    String value = annotations.get(CHANGED_AT_ANNOTATION);
    if (value == null) {
      return Instant.EPOCH;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      return Instant.EPOCH;
    }
  }

  /** A key pair matches if a signature made with the private key verifies with the public one. */
  private static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
    if (!privateKey.getAlgorithm().equals(publicKey.getAlgorithm())) {
      return false;
    }
    String algorithm = publicKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    byte[] probe = "wayout key match".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
