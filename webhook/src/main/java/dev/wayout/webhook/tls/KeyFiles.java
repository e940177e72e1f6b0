package dev.wayout.webhook.tls;

import dev.wayout.certs.KeyMaterialListener;
import dev.wayout.certs.ServingCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serving key material from {@code tls.crt} and {@code tls.key} in a directory (a mounted Secret of
 * type kubernetes.io/tls, as cert-manager writes it), for those who bring their own certificate
 * manager. Polls the files and hands a changed pair to the listener; a half-written or mismatched
 * pair is logged and the one in use stays.
 */
public final class KeyFiles implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KeyFiles.class);

  private final Path certificate;
  private final Path key;
  private final KeyMaterialListener listener;
  private final ScheduledExecutorService poller;
  private String loaded = "";

  public KeyFiles(Path dir, KeyMaterialListener listener) {
    this.certificate = dir.resolve("tls.crt");
    this.key = dir.resolve("tls.key");
    this.listener = listener;
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "wayout-webhook-key-files");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Loads the pair now, then checks for changes every {@code period}.
   *
   * @throws IllegalArgumentException if the files are missing or do not hold a matching pair
   */
  public KeyFiles start(Duration period) {
    String problem = load();
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    poller.scheduleWithFixedDelay(
        () -> {
          String p = load();
          if (p != null) {
            LOG.warn("{}; still serving the previous certificate", p);
          }
        },
        period.toMillis(),
        period.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** Null when the files are loaded or unchanged, else what is wrong with them. */
  private synchronized String load() {
    String chainPem;
    String keyPem;
    try {
      chainPem = Files.readString(certificate);
      keyPem = Files.readString(key);
    } catch (IOException e) {
      return "cannot read "
          + certificate
          + " and "
          + key
          + " ("
          + e.getMessage()
          + "); mount a kubernetes.io/tls Secret there or unset WAYOUT_WEBHOOK_TLS_DIR";
    }
    if ((chainPem + keyPem).equals(loaded)) {
      return null;
    }
    try {
      ServingCertificate pair = ServingCertificate.fromPem(chainPem, keyPem);
      if (!belongTogether(pair)) {
        return certificate + " and " + key + " do not belong together; write a matching pair";
      }
      listener.onKeyMaterial(pair);
      loaded = chainPem + keyPem;
      LOG.info(
          "serving the certificate from {} (serial {}, valid until {})",
          certificate,
          pair.leaf().getSerialNumber().toString(16),
          pair.leaf().getNotAfter().toInstant());
      return null;
    } catch (RuntimeException e) {
      return certificate + " and " + key + " are not a PEM certificate and key: " + e.getMessage();
    }
  }

  /** Signs with the key and verifies with the certificate: a pair that fails cannot serve TLS. */
  static boolean belongTogether(ServingCertificate pair) {
    String algorithm =
        pair.privateKey().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    byte[] probe = "wayout".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try {
      java.security.Signature signer = java.security.Signature.getInstance(algorithm);
      signer.initSign(pair.privateKey());
      signer.update(probe);
      byte[] signature = signer.sign();
      java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
      verifier.initVerify(pair.leaf().getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
