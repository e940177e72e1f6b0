package dev.wayout.webhook.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server key manager whose certificate and key can be replaced while the server runs. The JSSE
 * asks for an alias first and for the chain and key by that alias later; each update gets a new
 * alias, and the previous pair stays reachable by its alias, so a handshake that straddles an
 * update still gets a certificate and a key that belong together.
 */
public final class ReloadableKeyManager extends X509ExtendedKeyManager implements KeyMaterialSink {

  private record Material(String alias, X509Certificate[] chain, PrivateKey key) {}

  private static final byte[] PROBE =
      "wayout key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final AtomicLong generation = new AtomicLong();
  private final AtomicReference<Material> current = new AtomicReference<>();
  private volatile Material previous;

  @Override
  public void update(List<X509Certificate> chain, PrivateKey privateKey) {
    if (chain == null || chain.isEmpty() || privateKey == null) {
      throw new IllegalArgumentException(
          "key material needs a certificate chain and its private key");
    }
    checkPair(chain.get(0).getPublicKey(), privateKey);
    Material next =
        new Material(
            "wayout-" + generation.incrementAndGet(),
            chain.toArray(X509Certificate[]::new),
            privateKey);
    previous = current.getAndSet(next);
  }

  /** True once key material has been handed over. */
  public boolean loaded() {
    return current.get() != null;
  }

  /** The certificate new handshakes present, or null before the first update. */
  public X509Certificate certificate() {
    Material m = current.get();
    return m == null ? null : m.chain()[0];
  }

  /** A TLS context whose server side always presents the current pair. */
  public SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {this}, null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no TLS implementation", e);
    }
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return choose(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return choose(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = choose(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Material m = byAlias(alias);
    return m == null ? null : m.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Material m = byAlias(alias);
    return m == null ? null : m.key();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return null;
  }

  private String choose(String keyType) {
    Material m = current.get();
    return m != null && keyTypeMatches(keyType, m.key().getAlgorithm()) ? m.alias() : null;
  }

  private Material byAlias(String alias) {
    Material m = current.get();
    if (m != null && m.alias().equals(alias)) {
      return m;
    }
    Material p = previous;
    return p != null && p.alias().equals(alias) ? p : null;
  }

  /** JSSE key types: "EC", "RSA", "RSASSA-PSS", or "EC_EC"/"EC_RSA" (key, then issuer's). */
  private static boolean keyTypeMatches(String keyType, String keyAlgorithm) {
    if (keyType == null) {
      return false;
    }
    String type = keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
    return type.equalsIgnoreCase(keyAlgorithm)
        || (type.equalsIgnoreCase("RSASSA-PSS") && keyAlgorithm.equalsIgnoreCase("RSA"));
  }

  private static void checkPair(PublicKey publicKey, PrivateKey privateKey) {
    String algorithm =
        switch (privateKey.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default ->
              throw new IllegalArgumentException(
                  "a "
                      + privateKey.getAlgorithm()
                      + " key cannot serve TLS here; use an ECDSA P-256 or RSA key");
        };
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(PROBE);
      if (!verifier.verify(signature)) {
        throw new IllegalArgumentException(
            "the private key does not belong to the serving certificate; hand over the matching pair");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "the private key does not belong to the serving certificate ("
              + e.getMessage()
              + "); hand over the matching pair",
          e);
    }
  }
}
