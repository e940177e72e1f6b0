package dev.wayout.certs.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.wayout.certs.CertificateBundle;
import dev.wayout.certs.Pem;
import dev.wayout.certs.RotationConfig;
import dev.wayout.certs.ServingCertificate;
import dev.wayout.certs.ServingNames;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KubeApiServerExtension.class)
class CertificateRotatorIT {

  private final KubeApiServer api;
  private final KubernetesClient client;
  private final String namespace = "certs-" + UUID.randomUUID().toString().substring(0, 8);
  private final String webhookName = "wayout-webhook-" + namespace;
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  CertificateRotatorIT(KubeApiServer api) {
    this.api = api;
    this.client = api.client();
  }

  @BeforeEach
  void createNamespace() {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  @AfterEach
  void stopRotators() throws Exception {
    for (AutoCloseable c : closeLater) {
      c.close();
    }
    client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName(webhookName)
        .delete();
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName(webhookName)
        .delete();
  }

  @Test
  void createsTheSecretWhenMissing() throws Exception {
    List<ServingCertificate> handed = new CopyOnWriteArrayList<>();
    CertificateBundle bundle =
        rotator(
                config(
                    Duration.ofDays(365),
                    Duration.ofDays(7),
                    Duration.ofMinutes(1),
                    Duration.ofMinutes(2)),
                Clock.systemUTC(),
                handed::add)
            .reconcile();

    Secret secret = secret();
    assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(secret.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "wayout");
    assertThat(secret.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt", "ca.key");
    assertThat(Pem.certificates(text(secret, "tls.crt")))
        .containsExactlyElementsOf(bundle.serving().chain());
    assertThat(Pem.certificates(text(secret, "ca.crt"))).containsExactly(bundle.ca().certificate());
    assertThat(handed).hasSize(1);
    assertThat(handed.get(0).leaf()).isEqualTo(bundle.serving().leaf());
    assertThat(
            bundle.serving().leaf().getSubjectAlternativeNames().stream()
                .map(n -> (Object) n.get(1)))
        .contains((Object) ("wayout-webhook." + namespace + ".svc"), "127.0.0.1");
  }

  @Test
  void saysWhichPermissionIsMissing() {
    RotationConfig config =
        config(
            Duration.ofDays(365), Duration.ofDays(7), Duration.ofMinutes(1), Duration.ofMinutes(2));
    // a user without any role, as a webhook deployed without its Role would be
    try (KubernetesClient alice =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration())
                    .withImpersonateUsername("alice")
                    .build())
            .build()) {
      CertificateRotator rotator =
          new CertificateRotator(alice, config, Clock.systemUTC(), pair -> {});

      assertThatThrownBy(rotator::reconcile)
          .hasMessageContaining("cannot read Secret " + namespace + "/wayout-webhook-tls")
          .hasMessageContaining(
              "grant the webhook's ServiceAccount get on it (a Role in " + namespace + ")");
    }
  }

  @Test
  void reusesAValidSecret() {
    RotationConfig config =
        config(
            Duration.ofDays(365), Duration.ofDays(7), Duration.ofMinutes(1), Duration.ofMinutes(2));
    CertificateBundle first = rotator(config, Clock.systemUTC(), pair -> {}).reconcile();
    String resourceVersion = secret().getMetadata().getResourceVersion();

    List<ServingCertificate> handed = new CopyOnWriteArrayList<>();
    CertificateBundle again = rotator(config, Clock.systemUTC(), handed::add).reconcile();

    assertThat(again.serving().leaf()).isEqualTo(first.serving().leaf());
    assertThat(again.ca().certificate()).isEqualTo(first.ca().certificate());
    assertThat(secret().getMetadata().getResourceVersion()).isEqualTo(resourceVersion);
    assertThat(handed).extracting(ServingCertificate::leaf).containsExactly(first.serving().leaf());
  }

  @Test
  void renewsTheServingCertificatePastTwoThirdsWithTheSameCa() {
    // whole seconds: X.509 times have no fractions, so the 2/3 point is exact
    MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    List<ServingCertificate> handed = new CopyOnWriteArrayList<>();
    CertificateRotator rotator =
        rotator(
            config(
                Duration.ofHours(1),
                Duration.ofSeconds(20),
                Duration.ofSeconds(1),
                Duration.ofSeconds(4)),
            clock,
            handed::add);
    CertificateBundle first = rotator.reconcile();

    clock.advance(Duration.ofSeconds(12));
    assertThat(rotator.reconcile().serving().leaf()).isEqualTo(first.serving().leaf());
    clock.advance(Duration.ofSeconds(1));
    CertificateBundle renewed = rotator.reconcile();

    assertThat(renewed.serving().leaf()).isNotEqualTo(first.serving().leaf());
    assertThat(renewed.ca().certificate()).isEqualTo(first.ca().certificate());
    assertThat(Pem.certificates(text(secret(), "tls.crt")).get(0))
        .isEqualTo(renewed.serving().leaf());
    assertThat(Pem.certificates(text(secret(), "ca.crt")))
        .containsExactly(first.ca().certificate());
    assertThat(handed)
        .extracting(ServingCertificate::leaf)
        .containsExactly(first.serving().leaf(), renewed.serving().leaf());
  }

  @Test
  void patchesTheCaBundleOfEveryWebhookInBothConfigurations() {
    createWebhookConfigurations();
    CertificateBundle bundle =
        rotator(
                config(
                    Duration.ofDays(365),
                    Duration.ofDays(7),
                    Duration.ofMinutes(1),
                    Duration.ofMinutes(2)),
                Clock.systemUTC(),
                pair -> {})
            .reconcile();

    assertThat(caBundles())
        .hasSize(4)
        .allSatisfy(
            pem -> assertThat(Pem.certificates(pem)).containsExactly(bundle.ca().certificate()));
  }

  @Test
  void trustsOldAndNewCaWhileTheCaRotatesAndServesFromTheNewOne() {
    // real time, short lifetimes: CA 30 s (renewal due about 19 s in), serving 10 s, checks every
    // second
    createWebhookConfigurations();
    Set<BigInteger> servedSerials = ConcurrentHashMap.newKeySet();
    List<ServingCertificate> handed = new CopyOnWriteArrayList<>();
    CertificateRotator rotator =
        rotator(
            config(
                Duration.ofSeconds(30),
                Duration.ofSeconds(10),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2)),
            Clock.systemUTC(),
            pair -> {
              handed.add(pair);
              servedSerials.add(pair.leaf().getSerialNumber());
            });
    ServingCertificate first = rotator.start();
    X509Certificate oldCa = first.chain().get(1);

    // step 1: both CAs in ca.crt and in every caBundle
    await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              assertThat(Pem.certificates(text(secret(), "ca.crt"))).hasSize(2).contains(oldCa);
              assertThat(caBundles())
                  .allSatisfy(pem -> assertThat(Pem.certificates(pem)).hasSize(2).contains(oldCa));
            });
    X509Certificate newCa = Pem.certificates(text(secret(), "ca.crt")).get(0);
    // step 2: the served certificate comes from the new CA, while the old CA is still trusted
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              ServingCertificate last = handed.get(handed.size() - 1);
              assertThat(last.chain().get(1)).isEqualTo(newCa);
            });
    // step 3: the old CA is dropped everywhere
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              assertThat(Pem.certificates(text(secret(), "ca.crt"))).containsExactly(newCa);
              assertThat(caBundles())
                  .allSatisfy(pem -> assertThat(Pem.certificates(pem)).containsExactly(newCa));
            });
    // whatever was handed over at any time was trusted by the caBundle of that time: every pair
    // handed before the switch came from the old CA, every one after from the new
    assertThat(handed).extracting(p -> p.chain().get(1)).containsSubsequence(oldCa, newCa);
    assertThat(servedSerials).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void twoRotatorsRacingConvergeOnOneSecret() throws Exception {
    createWebhookConfigurations();
    RotationConfig config =
        config(
            Duration.ofSeconds(60),
            Duration.ofSeconds(6),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2));
    List<ServingCertificate> handedA = new CopyOnWriteArrayList<>();
    List<ServingCertificate> handedB = new CopyOnWriteArrayList<>();
    // each replica has its own client, as two pods would
    KubernetesClient clientA = api.newClient();
    KubernetesClient clientB = api.newClient();
    closeLater.add(clientA);
    closeLater.add(clientB);
    CertificateRotator a = new CertificateRotator(clientA, config, Clock.systemUTC(), handedA::add);
    CertificateRotator b = new CertificateRotator(clientB, config, Clock.systemUTC(), handedB::add);
    closeLater.add(a);
    closeLater.add(b);

    // both start at the same moment on an empty namespace: one creates, the other adopts
    ExecutorService both = Executors.newFixedThreadPool(2);
    CountDownLatch go = new CountDownLatch(1);
    Future<ServingCertificate> startA =
        both.submit(
            () -> {
              go.await();
              return a.start();
            });
    Future<ServingCertificate> startB =
        both.submit(
            () -> {
              go.await();
              return b.start();
            });
    go.countDown();
    assertThat(startA.get().leaf()).isEqualTo(startB.get().leaf());
    both.shutdown();

    // then run side by side through several renewals (6 s certificates renew every 4 s or so)
    BigInteger firstSerial = startA.get().leaf().getSerialNumber();
    await().atMost(Duration.ofSeconds(30)).until(() -> handedA.size() >= 4 && handedB.size() >= 4);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              X509Certificate stored = Pem.certificates(text(secret(), "tls.crt")).get(0);
              assertThat(handedA.get(handedA.size() - 1).leaf()).isEqualTo(stored);
              assertThat(handedB.get(handedB.size() - 1).leaf()).isEqualTo(stored);
            });
    // every pair either one served is one the Secret held: nobody kept material of its own
    Set<BigInteger> servedA = serials(handedA);
    Set<BigInteger> servedB = serials(handedB);
    assertThat(servedA).contains(firstSerial);
    assertThat(servedA).containsAnyElementsOf(servedB);
    assertThat(client.secrets().inNamespace(namespace).list().getItems()).hasSize(1);
  }

  private static Set<BigInteger> serials(List<ServingCertificate> pairs) {
    Set<BigInteger> serials = ConcurrentHashMap.newKeySet();
    pairs.forEach(p -> serials.add(p.leaf().getSerialNumber()));
    return serials;
  }

  private RotationConfig config(Duration ca, Duration serving, Duration period, Duration overlap) {
    return new RotationConfig(
        namespace,
        "wayout-webhook-tls",
        "wayout-webhook-ca",
        ServingNames.forService("wayout-webhook", namespace, List.of(), List.of("127.0.0.1")),
        ca,
        serving,
        period,
        overlap,
        webhookName,
        webhookName);
  }

  private CertificateRotator rotator(
      RotationConfig config, Clock clock, dev.wayout.certs.KeyMaterialListener listener) {
    CertificateRotator rotator = new CertificateRotator(client, config, clock, listener);
    closeLater.add(rotator);
    return rotator;
  }

  private Secret secret() {
    return client.secrets().inNamespace(namespace).withName("wayout-webhook-tls").get();
  }

  private static String text(Secret secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
  }

  /** The decoded caBundle of every webhook in both configurations. */
  private List<String> caBundles() {
    List<String> pems = new ArrayList<>();
    client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName(webhookName)
        .get()
        .getWebhooks()
        .forEach(w -> pems.add(decode(w.getClientConfig().getCaBundle())));
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName(webhookName)
        .get()
        .getWebhooks()
        .forEach(w -> pems.add(decode(w.getClientConfig().getCaBundle())));
    return pems;
  }

  private static String decode(String caBundle) {
    return caBundle == null
        ? ""
        : new String(Base64.getDecoder().decode(caBundle), StandardCharsets.US_ASCII);
  }

  // Two webhooks in each, on a resource and namespace nobody else uses, failing open: they only
  // carry a caBundle for the test to read.
  private void createWebhookConfigurations() {
    var validating =
        new ValidatingWebhookConfigurationBuilder()
            .withNewMetadata()
            .withName(webhookName)
            .endMetadata();
    var mutating =
        new MutatingWebhookConfigurationBuilder()
            .withNewMetadata()
            .withName(webhookName)
            .endMetadata();
    for (String hook : List.of("first", "second")) {
      validating
          .addNewWebhook()
          .withName(hook + ".validate.wayout.dev")
          .withNewClientConfig()
          .withUrl("https://127.0.0.1:9/" + hook)
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
          .withFailurePolicy("Ignore")
          .withSideEffects("None")
          .withAdmissionReviewVersions("v1")
          .withTimeoutSeconds(1)
          .endWebhook();
      mutating
          .addNewWebhook()
          .withName(hook + ".mutate.wayout.dev")
          .withNewClientConfig()
          .withUrl("https://127.0.0.1:9/" + hook)
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
          .withFailurePolicy("Ignore")
          .withSideEffects("None")
          .withAdmissionReviewVersions("v1")
          .withTimeoutSeconds(1)
          .endWebhook();
    }
    client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .resource(validating.build())
        .create();
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .resource(mutating.build())
        .create();
  }
}
