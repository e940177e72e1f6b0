package dev.wayout.webhook;

import dev.wayout.certs.CertificateAuthority;
import dev.wayout.certs.ReloadableKeyManager;
import dev.wayout.certs.ServingCertificate;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The real webhook on 127.0.0.1 and an ephemeral port, serving a certificate from a test CA, with
 * an HTTP client that trusts that CA.
 */
public final class TestWebhook implements AutoCloseable {

  public final CertificateAuthority ca;
  public final ReloadableKeyManager keys = new ReloadableKeyManager(new AtomicReference<>());
  public final Webhook webhook;

  public TestWebhook(Map<String, String> env, KubernetesClient client) {
    this.ca = CertificateAuthority.create(Clock.systemUTC(), "wayout-test-ca", Duration.ofHours(1));
    ServingCertificate first = serving();
    keys.onKeyMaterial(first);
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("WAYOUT_WEBHOOK_HOST", "127.0.0.1");
    all.put("WAYOUT_WEBHOOK_PORT", "0");
    this.webhook = Webhook.start(WebhookConfig.fromEnv(all), client, keys);
  }

  public TestWebhook() {
    this(Map.of(), null);
  }

  /** A new serving certificate for 127.0.0.1 from the test CA. */
  public ServingCertificate serving() {
    return ca.issueServing(
        Clock.systemUTC(), List.of("localhost"), List.of("127.0.0.1"), Duration.ofHours(1));
  }

  public URI uri(String path) {
    return URI.create("https://127.0.0.1:" + webhook.port() + path);
  }

  /** A keep-alive client with its own TLS session cache that trusts only the test CA. */
  public HttpClient client() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return HttpClient.newBuilder()
          .sslContext(context)
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public HttpResponse<String> post(
      HttpClient client, String path, String contentType, byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return send(client, request.build());
  }

  public HttpResponse<String> get(HttpClient client, String path) {
    return send(
        client, HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build());
  }

  private static HttpResponse<String> send(HttpClient client, HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private boolean closed;

  /** Stops the server; calling it again does nothing. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      webhook.close();
    }
  }
}
