package dev.wayout.certs;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A leaf certificate with its chain (leaf first, then the issuing CA) and its private key. Also
 * used for client certificates, which have the same shape.
 */
public record ServingCertificate(List<X509Certificate> chain, PrivateKey privateKey) {

  public ServingCertificate {
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("a certificate chain needs at least the leaf");
    }
    chain = List.copyOf(chain);
  }

  public static ServingCertificate fromPem(String chainPem, String privateKeyPem) {
    return new ServingCertificate(Pem.certificates(chainPem), Pem.privateKey(privateKeyPem));
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** The leaf's PEM only. */
  public String certificatePem() {
    return Pem.encode(leaf());
  }

  /** Leaf then issuers, as {@code tls.crt} holds it. */
  public String chainPem() {
    return Pem.encode(chain);
  }

  public String privateKeyPem() {
    return Pem.encode(privateKey);
  }
}
