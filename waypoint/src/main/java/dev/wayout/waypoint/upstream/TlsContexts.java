package dev.wayout.waypoint.upstream;

import dev.wayout.model.ClientTls;
import dev.wayout.waypoint.FileStamp;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Builds the client TLS contexts for TLS origination from a DestinationRule's {@code tls}: trust
 * from {@code caCertificates} (a PEM file), from {@code credentialName} (a folder of the
 * credentials directory holding {@code ca.crt}, {@code tls.crt}, {@code tls.key}), or else the
 * JDK's trust store plus the waypoint's extra trusted CA file. Contexts are cached by settings.
 */
public final class TlsContexts {

  /** BoringSSL when its native library loads (linux-x86_64), else the JDK's engine. */
  static final SslProvider PROVIDER = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;

  private static final List<String> CREDENTIAL_FILES =
      List.of("ca.crt", "cacert", "tls.crt", "cert", "tls.key", "key");

  private final Path trustedCaFile;
  private final Path credentialsDir;
  private final Map<ClientTls, UpstreamTls> cache = new ConcurrentHashMap<>();
  private final Map<Path, String> filesRead = new ConcurrentHashMap<>();

  public TlsContexts(Path trustedCaFile, Path credentialsDir) {
    this.trustedCaFile = trustedCaFile;
    this.credentialsDir = credentialsDir;
  }

  /** The origination settings for a route; on a loading problem, a failed one naming it. */
  public UpstreamTls forSettings(ClientTls tls) {
    return cache.computeIfAbsent(tls, this::build);
  }

  /** Forgets cached contexts so that changed files are read again on the next policy build. */
  public void clear() {
    cache.clear();
    filesRead.clear();
  }

  /**
   * Whether a file a cached context was built from has changed, appeared or gone since (a rotated
   * certificate, a CA file written after the rule that names it): then the policy should be built
   * again.
   */
  public boolean filesChanged() {
    for (Map.Entry<Path, String> read : filesRead.entrySet()) {
      if (!FileStamp.of(read.getKey()).equals(read.getValue())) {
        return true;
      }
    }
    return false;
  }

  private UpstreamTls build(ClientTls tls) {
    try {
      SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(PROVIDER);
      Path ca = read(path(tls.caCertificates()));
      Path cert = read(path(tls.clientCertificate()));
      Path key = read(path(tls.privateKey()));
      if (tls.credentialName() != null && !tls.credentialName().isBlank()) {
        Path dir = credential(tls.credentialName());
        ca = firstExisting(dir, "ca.crt", "cacert"); // credential() noted all six names
        cert = firstExisting(dir, "tls.crt", "cert");
        key = firstExisting(dir, "tls.key", "key");
      }
      if (tls.skipsVerification()) {
        builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
      } else if (ca != null) {
        builder.trustManager(ca.toFile());
      } else {
        builder.trustManager(defaultTrust());
      }
      if (tls.modeName().equals("MUTUAL")) {
        if (cert == null || key == null) {
          return UpstreamTls.failed(
              "tls.mode MUTUAL needs clientCertificate and privateKey (or credentialName)");
        }
        builder.keyManager(cert.toFile(), key.toFile());
      }
      // Host name check as HTTPS clients do it, unless listed SANs replace it (or checks are off).
      builder.endpointIdentificationAlgorithm(
          !tls.skipsVerification() && tls.subjectAltNames().isEmpty() ? "HTTPS" : null);
      return new UpstreamTls(
          builder.build(), tls.sni(), tls.subjectAltNames(), !tls.skipsVerification(), null);
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return UpstreamTls.failed("TLS settings could not be loaded: " + e.getMessage());
    }
  }

  private static Path path(String value) {
    return value == null || value.isBlank() ? null : Path.of(value);
  }

  /** Notes a file a context is built from, as it is now; null stays null. */
  private Path read(Path file) {
    if (file != null) {
      filesRead.put(file, FileStamp.of(file));
    }
    return file;
  }

  private Path credential(String credentialName) throws IOException {
    // Istio accepts any credentialName; only a Secret name (also a safe folder name) is looked up,
    // anything else fails the port with 503 without touching the file system.
    String name = ClientTls.secretName(credentialName);
    if (name == null) {
      throw new IOException(
          "credentialName \""
              + credentialName
              + "\" is not a Secret name (a DNS-1123 subdomain, optionally after kubernetes://)");
    }
    if (credentialsDir == null) {
      throw new IOException(
          "credentialName \""
              + name
              + "\" needs WAYOUT_WAYPOINT_CREDENTIALS_DIR (a folder with <name>/ca.crt)");
    }
    Path dir = credentialsDir.resolve(name).normalize();
    if (!dir.startsWith(credentialsDir)) {
      throw new IOException("credentialName \"" + name + "\" is not a folder name");
    }
    for (String file : CREDENTIAL_FILES) {
      read(dir.resolve(file)); // noted while absent too: a Secret copied later is a change
    }
    if (!Files.isDirectory(dir)) {
      throw new IOException("credentialName \"" + name + "\": no folder " + dir);
    }
    return dir;
  }

  private static Path firstExisting(Path dir, String... names) {
    for (String n : names) {
      if (Files.isRegularFile(dir.resolve(n))) {
        return dir.resolve(n);
      }
    }
    return null;
  }

  /** The JDK's trusted CAs, plus those of the extra CA file when one is configured. */
  private TrustManagerFactory defaultTrust() throws IOException, GeneralSecurityException {
    TrustManagerFactory jdk =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    jdk.init((KeyStore) null);
    if (trustedCaFile == null) {
      return jdk;
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int i = 0;
    for (var tm : jdk.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) {
        for (X509Certificate c : x.getAcceptedIssuers()) {
          store.setCertificateEntry("jdk-" + i++, c);
        }
      }
    }
    for (Certificate c : readCertificates(read(trustedCaFile))) {
      store.setCertificateEntry("extra-" + i++, c);
    }
    TrustManagerFactory combined =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    combined.init(store);
    return combined;
  }

  private static List<Certificate> readCertificates(Path file)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      List<Certificate> certs =
          new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (certs.isEmpty()) {
        throw new IOException(file + " holds no PEM certificate");
      }
      return certs;
    }
  }
}
