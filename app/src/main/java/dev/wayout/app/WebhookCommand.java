package dev.wayout.app;

import dev.wayout.certs.ReloadableKeyManager;
import dev.wayout.certs.RotationConfig;
import dev.wayout.certs.kube.CertificateRotator;
import dev.wayout.webhook.Webhook;
import dev.wayout.webhook.WebhookConfig;
import dev.wayout.webhook.kube.SelfTest;
import dev.wayout.webhook.tls.KeyFiles;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

/**
 * {@code wayout webhook}: the admission webhook. Keeps its own certificate (Secret, caBundle,
 * rotation) unless {@code WAYOUT_WEBHOOK_TLS_DIR} names mounted key files, serves HTTPS on 9443,
 * then runs the self-test that makes the Istio kinds fail closed. Settings: {@code WAYOUT_*}.
 */
@Command(
    name = "webhook",
    mixinStandardHelpOptions = true,
    description = {
      "Run the admission webhook: POST /validate, POST /mutate/namespaces over HTTPS on 9443;"
          + " /healthz, /readyz, /metrics.",
      "Settings: WAYOUT_WEBHOOK_*, WAYOUT_EGRESS_ADMIN_*, WAYOUT_CERTS_* environment variables"
          + " (see the README)."
    })
public final class WebhookCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookCommand.class);

  @Override
  public Integer call() throws Exception {
    WebhookConfig config;
    RotationConfig rotation;
    try {
      config = WebhookConfig.fromEnv(System.getenv());
      rotation = config.tlsDir() == null ? RotationConfig.fromEnv(System.getenv()) : null;
    } catch (IllegalArgumentException e) {
      System.err.println("wayout webhook: " + e.getMessage());
      return 2;
    }
    KubernetesClient client = KubeClients.create();
    ReloadableKeyManager keys = new ReloadableKeyManager(new AtomicReference<>());
    AutoCloseable certificates;
    try {
      certificates =
          config.tlsDir() != null
              ? new KeyFiles(config.tlsDir(), keys).start(Duration.ofSeconds(10))
              : startRotator(client, rotation, keys);
    } catch (RuntimeException e) {
      System.err.println("wayout webhook: no serving certificate: " + e.getMessage());
      client.close();
      return 1;
    }
    Webhook webhook = Webhook.start(config, client, keys);
    Thread selfTest = null;
    if (config.selfTest()) {
      selfTest = new Thread(() -> selfTest(client, config), "wayout-webhook-self-test");
      selfTest.setDaemon(true);
      selfTest.start();
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  // Stop serving first: the API server fails open (Ignore) or over to a replica.
                  webhook.close();
                  try {
                    certificates.close();
                  } catch (Exception e) {
                    // shutting down anyway
                  }
                  client.close();
                  stopped.countDown();
                },
                "wayout-webhook-shutdown"));
    stopped.await();
    return 0;
  }

  private static AutoCloseable startRotator(
      KubernetesClient client, RotationConfig rotation, ReloadableKeyManager keys) {
    CertificateRotator rotator = new CertificateRotator(client, rotation, Clock.systemUTC(), keys);
    rotator.start();
    return rotator;
  }

  private static void selfTest(KubernetesClient client, WebhookConfig config) {
    try {
      SelfTest.Result result =
          new SelfTest(client, config.namespace(), config.configurationName(), Clock.systemUTC())
              .run(config.selfTestTimeout());
      LOG.info("self-test {}: {}", result.proven() ? "passed" : "not passed", result.detail());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("self-test failed ({}); the webhooks stay failurePolicy Ignore", e.getMessage());
    }
  }
}
