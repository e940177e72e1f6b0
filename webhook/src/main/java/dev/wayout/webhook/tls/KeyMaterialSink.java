package dev.wayout.webhook.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Takes new serving key material for the running HTTPS server: the certificate rotation loop calls
 * it after every renewal. New TLS handshakes use the new pair at once; connections already open
 * keep theirs, so no request in flight fails and nothing restarts.
 */
@FunctionalInterface
public interface KeyMaterialSink {

  /**
   * @param chain the serving certificate first, then its issuers (as {@code tls.crt} holds them)
   * @param privateKey the private key of the first certificate
   * @throws IllegalArgumentException if the key does not belong to the certificate; the material in
   *     use stays
   */
  void update(List<X509Certificate> chain, PrivateKey privateKey);
}
