package dev.wayout.certs.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.wayout.certs.Pem;
import dev.wayout.certs.ReloadableKeyManager;
import dev.wayout.certs.RotationConfig;
import dev.wayout.certs.ServingCertificate;
import dev.wayout.certs.ServingNames;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The rotation as the API server sees it: a webhook served through {@link ReloadableKeyManager},
 * registered by URL on 127.0.0.1 with {@code failurePolicy: Fail} and the caBundle the rotator
 * keeps, while short-lived certificates and a CA rotate underneath. The API server is the client
 * that keeps sending reviews; a single TLS failure would fail a create.
 */
@ExtendWith(KubeApiServerExtension.class)
class RotationUnderLoadIT {

  @Test
  void theApiServerKeepsCallingTheWebhookWhileCertificatesAndTheCaRotate(KubeApiServer api)
      throws Exception {
    KubernetesClient client = api.client();
    String namespace = "rotation-" + UUID.randomUUID().toString().substring(0, 8);
    String configuration = "wayout-webhook-" + namespace;
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(namespace)
                .addToLabels("wayout.dev/test-only", namespace)
                .endMetadata()
                .build())
        .create();

    // CA 40 s (rotation starts about 25 s in), serving 12 s (renewed every 8 s or so), 5 s overlap
    RotationConfig config =
        new RotationConfig(
            namespace,
            "wayout-webhook-tls",
            "wayout-webhook-ca",
            ServingNames.forService("wayout-webhook", namespace, List.of(), List.of("127.0.0.1")),
            Duration.ofSeconds(40),
            Duration.ofSeconds(12),
            Duration.ofSeconds(1),
            Duration.ofSeconds(5),
            configuration,
            configuration);
    ReloadableKeyManager keys =
        new ReloadableKeyManager(new java.util.concurrent.atomic.AtomicReference<>());
    Set<BigInteger> servedSerials = ConcurrentHashMap.newKeySet();
    Set<X509Certificate> servedCas = ConcurrentHashMap.newKeySet();
    AtomicInteger reviews = new AtomicInteger();
    HttpsServer server = webhookServer(keys, reviews, servedSerials, servedCas);
    ExecutorService load = Executors.newFixedThreadPool(2);
    try (CertificateRotator rotator =
        new CertificateRotator(client, config, Clock.systemUTC(), keys)) {
      createWebhookConfiguration(client, configuration, namespace, server.getAddress().getPort());
      ServingCertificate first = rotator.start();
      X509Certificate firstCa = first.chain().get(1);

      // the API server loads a new webhook configuration within a few seconds
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () -> {
                dryRunCreate(client, namespace);
                return reviews.get() > 0;
              });

      List<Throwable> failures = new CopyOnWriteArrayList<>();
      AtomicInteger creates = new AtomicInteger();
      AtomicBoolean running = new AtomicBoolean(true);
      Future<?> clientLoop =
          load.submit(
              () -> {
                while (running.get()) {
                  try {
                    dryRunCreate(client, namespace);
                    creates.incrementAndGet();
                  } catch (RuntimeException e) {
                    failures.add(e);
                  }
                }
              });

      // a second client that, unlike the API server, opens a new connection for every review and
      // trusts exactly the caBundle the configuration holds at that moment
      List<Throwable> directFailures = new CopyOnWriteArrayList<>();
      Set<BigInteger> directSerials = ConcurrentHashMap.newKeySet();
      AtomicInteger directReviews = new AtomicInteger();
      Future<?> directLoop =
          load.submit(
              () -> {
                while (running.get()) {
                  try {
                    directSerials.add(
                        postReview(caBundle(client, configuration), server.getAddress().getPort()));
                    directReviews.incrementAndGet();
                  } catch (Exception e) {
                    directFailures.add(e);
                  }
                }
              });

      // through a complete CA rotation: the new CA serves and the old one is gone from the bundle
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  servedCas.size() >= 2
                      && caBundle(client, configuration).size() == 1
                      && !caBundle(client, configuration).contains(firstCa));
      // and calls keep succeeding afterwards
      int after = creates.get();
      await().atMost(Duration.ofSeconds(20)).until(() -> creates.get() > after + 20);
      running.set(false);
      clientLoop.get();
      directLoop.get();

      assertThat(failures).as("creates that failed (the webhook fails closed)").isEmpty();
      assertThat(directFailures).as("reviews posted on new connections that failed").isEmpty();
      assertThat(directSerials).as("pairs seen on new connections").hasSizeGreaterThanOrEqualTo(4);
      assertThat(servedCas).contains(firstCa).hasSize(2);
      assertThat(servedSerials)
          .as("serving certificates the API server was answered with")
          .hasSizeGreaterThanOrEqualTo(2);
      assertThat(reviews.get()).isGreaterThanOrEqualTo(creates.get());
      System.out.printf(
          "rotation under load: %d reviews through the API server (%d pairs seen), %d on new"
              + " connections (%d pairs seen), %d CAs, 0 failures%n",
          creates.get(),
          servedSerials.size(),
          directReviews.get(),
          directSerials.size(),
          servedCas.size());
    } finally {
      load.shutdownNow();
      server.stop(0);
      client
          .admissionRegistration()
          .v1()
          .validatingWebhookConfigurations()
          .withName(configuration)
          .delete();
    }
  }

  /** A validating webhook that allows everything and notes which pair it served with. */
  private static HttpsServer webhookServer(
      ReloadableKeyManager keys,
      AtomicInteger reviews,
      Set<BigInteger> servedSerials,
      Set<X509Certificate> servedCas)
      throws IOException {
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    server.setHttpsConfigurator(new HttpsConfigurator(keys.sslContext()));
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext(
        "/validate", exchange -> answer(exchange, keys, reviews, servedSerials, servedCas));
    server.start();
    return server;
  }

  private static void answer(
      HttpExchange exchange,
      ReloadableKeyManager keys,
      AtomicInteger reviews,
      Set<BigInteger> servedSerials,
      Set<X509Certificate> servedCas)
      throws IOException {
    try (exchange) {
      AdmissionReview review =
          Serialization.unmarshal(exchange.getRequestBody(), AdmissionReview.class);
      // what this connection's handshake presented
      X509Certificate served =
          (X509Certificate)
              ((com.sun.net.httpserver.HttpsExchange) exchange)
                  .getSSLSession()
                  .getLocalCertificates()[0];
      servedSerials.add(served.getSerialNumber());
      X509Certificate[] chain = keys.getCertificateChain(keys.chooseServerAlias("EC", null, null));
      if (chain != null && chain[0].equals(served)) {
        servedCas.add(chain[1]);
      }
      AdmissionReview response =
          new AdmissionReviewBuilder()
              .withApiVersion("admission.k8s.io/v1")
              .withKind("AdmissionReview")
              .withResponse(
                  new AdmissionResponseBuilder()
                      .withUid(review.getRequest().getUid())
                      .withAllowed(true)
                      .build())
              .build();
      byte[] body = Serialization.asJson(response).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      reviews.incrementAndGet();
    }
  }

  /** Posts one AdmissionReview on a new TLS connection trusting {@code cas}; the served serial. */
  private static BigInteger postReview(List<X509Certificate> cas, int port) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    for (int i = 0; i < cas.size(); i++) {
      trust.setCertificateEntry("ca-" + i, cas.get(i));
    }
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trustManagers.getTrustManagers(), null);
    String uid = UUID.randomUUID().toString();
    byte[] body =
        ("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\","
                + "\"request\":{\"uid\":\""
                + uid
                + "\"}}")
            .getBytes(StandardCharsets.UTF_8);
    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket
          .getOutputStream()
          .write(
              ("POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      + "Content-Type: application/json\r\nContent-Length: "
                      + body.length
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(body);
      socket.getOutputStream().flush();
      String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!reply.startsWith("HTTP/1.1 200") || !reply.contains(uid)) {
        throw new IllegalStateException("unexpected answer: " + reply);
      }
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }

  private static void dryRunCreate(KubernetesClient client, String namespace) {
    client
        .configMaps()
        .inNamespace(namespace)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withGenerateName("probe-")
                .endMetadata()
                .addToData("k", "v")
                .build())
        .dryRun()
        .create();
  }

  private static List<X509Certificate> caBundle(KubernetesClient client, String name) {
    String caBundle =
        client
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName(name)
            .get()
            .getWebhooks()
            .get(0)
            .getClientConfig()
            .getCaBundle();
    return caBundle == null
        ? List.of()
        : Pem.certificates(
            new String(Base64.getDecoder().decode(caBundle), StandardCharsets.US_ASCII));
  }

  // Fails closed, so any call the API server cannot make shows up as a failed create.
  private static void createWebhookConfiguration(
      KubernetesClient client, String name, String namespace, int port) {
    client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .resource(
            new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .addNewWebhook()
                .withName("rotation.validate.wayout.dev")
                .withNewClientConfig()
                .withUrl("https://127.0.0.1:" + port + "/validate")
                .endClientConfig()
                .addNewRule()
                .withApiGroups("")
                .withApiVersions("v1")
                .withOperations("CREATE")
                .withResources("configmaps")
                .endRule()
                .withNewNamespaceSelector()
                .addToMatchLabels("wayout.dev/test-only", namespace)
                .endNamespaceSelector()
                .withFailurePolicy("Fail")
                .withSideEffects("None")
                .withAdmissionReviewVersions("v1")
                .withTimeoutSeconds(5)
                .endWebhook()
                .build())
        .create();
  }
}
