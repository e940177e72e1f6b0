package dev.wayout.certs;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server-side JDK key manager that serves whatever pair its {@link AtomicReference} holds at the
 * moment of each handshake. Swapping the reference (directly or through {@link #onKeyMaterial})
 * changes the certificate of the next handshake; connections already established keep the session
 * they negotiated, so nothing in flight fails. Works with any JDK TLS server: an {@link SSLContext}
 * from {@link #sslContext()}, or Jetty's {@code SslContextFactory.Server} given that context.
 */
public final class ReloadableKeyManager extends X509ExtendedKeyManager
    implements KeyMaterialListener {

  private static final String ALIAS_PREFIX = "wayout-serving-";
  // How many recent pairs stay reachable by alias; a handshake spanning more swaps than this fails.
  private static final int RECENT_PAIRS = 4;

  private final AtomicReference<ServingCertificate> current;

  // The JDK asks for an alias, then for that alias's chain and key in separate calls. A swap in
  // between must not pair one certificate with another's key, so an alias names one exact pair.
  private final Map<String, ServingCertificate> recent =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ServingCertificate> eldest) {
          return size() > RECENT_PAIRS;
        }
      };

  public ReloadableKeyManager(AtomicReference<ServingCertificate> current) {
    this.current = current;
  }

  public ReloadableKeyManager(ServingCertificate initial) {
    this(new AtomicReference<>(initial));
  }

  @Override
  public void onKeyMaterial(ServingCertificate pair) {
    current.set(pair);
  }

  /** The pair the next handshake will use; null before the first one arrives. */
  public ServingCertificate current() {
    return current.get();
  }

  /** A TLS context serving through this key manager, with the JDK's default trust. */
  public SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {this}, null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no TLS SSLContext", e);
    }
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return aliasFor(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return aliasFor(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = aliasFor(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    ServingCertificate pair = lookup(alias);
    return pair == null ? null : pair.chain().toArray(X509Certificate[]::new);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    ServingCertificate pair = lookup(alias);
    return pair == null ? null : pair.privateKey();
  }

  // Server only: Wayout never presents a client certificate with this manager.
  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return null;
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  private String aliasFor(String keyType) {
    ServingCertificate pair = current.get();
    if (pair == null || !matchesKeyType(keyType, pair)) {
      return null;
    }
    String alias = alias(pair);
    synchronized (recent) {
      recent.putIfAbsent(alias, pair);
    }
    return alias;
  }

  private ServingCertificate lookup(String alias) {
    if (alias == null) {
      return null;
    }
    ServingCertificate pair = current.get();
    if (pair != null && alias(pair).equals(alias)) {
      return pair;
    }
    synchronized (recent) {
      return recent.get(alias);
    }
  }

  private static String alias(ServingCertificate pair) {
    return ALIAS_PREFIX + pair.leaf().getSerialNumber().toString(16);
  }

  // The JDK names key types "EC", "RSA", "EdDSA"; legacy suites use "EC_EC" (key_signer).
  private static boolean matchesKeyType(String keyType, ServingCertificate pair) {
    if (keyType == null) {
      return false;
    }
    String keyAlgorithm =
        keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
    return keyAlgorithm.equals(pair.privateKey().getAlgorithm());
  }
}
