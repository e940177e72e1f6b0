package dev.wayout.certs.kube;

import dev.wayout.certs.CertificateBundle;
import dev.wayout.certs.KeyMaterialListener;
import dev.wayout.certs.RotationConfig;
import dev.wayout.certs.RotationPlanner;
import dev.wayout.certs.ServingCertificate;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's certificate loop: every check period it reads the Secret, lets {@link
 * RotationPlanner} decide, stores the result (conditionally), patches the webhook configurations'
 * caBundle, and hands a new serving pair to the {@link KeyMaterialListener} (the HTTPS server).
 * Every replica runs one; they share the Secret and never fight over it.
 */
public final class CertificateRotator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CertificateRotator.class);
  private static final int ATTEMPTS = 5;

  private final RotationConfig config;
  private final Clock clock;
  private final KeyMaterialListener listener;
  private final SecretStore store;
  private final CaBundlePatcher patcher;
  private final RotationPlanner planner;
  private final ScheduledExecutorService loop;
  private final Set<String> reportedMissing = new HashSet<>();
  private X509Certificate handedOver;

  public CertificateRotator(
      KubernetesClient client, RotationConfig config, Clock clock, KeyMaterialListener listener) {
    this.config = config;
    this.clock = clock;
    this.listener = listener;
    this.store = new SecretStore(client, config.namespace(), config.secretName());
    this.patcher =
        new CaBundlePatcher(
            client, config.validatingWebhookConfiguration(), config.mutatingWebhookConfiguration());
    this.planner = new RotationPlanner(config);
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "wayout-certificate-rotator");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Brings the certificates in order once, now (so the server has a pair before it listens), then
   * every check period.
   *
   * @throws RuntimeException if the first check fails: without a pair the webhook cannot serve
   */
  public ServingCertificate start() {
    CertificateBundle bundle = reconcile();
    long period = config.checkPeriod().toMillis();
    loop.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    LOG.info("checking the certificates in {} every {}", store.describe(), config.checkPeriod());
    return bundle.serving();
  }

  /**
   * One check: read, decide, store, patch, hand over. Returns the bundle now in force. Safe to call
   * from several replicas at once.
   */
  public synchronized CertificateBundle reconcile() {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Optional<SecretStore.Stored> stored = store.read();
      RotationPlanner.Step step = decide(stored);
      if (step.changed()) {
        if (!store.write(step.bundle(), stored)) {
          LOG.info("another replica changed {} first; adopting its certificates", store.describe());
          continue;
        }
        LOG.info("{}: {}", store.describe(), step.reason().orElseThrow());
      } else {
        LOG.debug("{}: certificates need no change", store.describe());
      }
      patchCaBundles();
      handOver(step.bundle().serving());
      return step.bundle();
    }
    throw new IllegalStateException(
        store.describe()
            + " changed under every one of "
            + ATTEMPTS
            + " attempts; another writer keeps replacing it (is a second certificate manager"
            + " writing the same Secret?)");
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }

  private RotationPlanner.Step decide(Optional<SecretStore.Stored> stored) {
    if (stored.isPresent() && stored.get().bundle().isEmpty()) {
      return planner.fresh(
          store.describe() + " cannot be used (" + stored.get().problem() + ")", clock);
    }
    return planner.next(stored.flatMap(SecretStore.Stored::bundle), clock);
  }

  private void patchCaBundles() {
    List<CaBundlePatcher.Result> results =
        patcher.patch(
            () ->
                store
                    .read()
                    .flatMap(SecretStore.Stored::bundle)
                    .map(CertificateBundle::caBundlePem));
    for (CaBundlePatcher.Result result : results) {
      switch (result.status()) {
        case PATCHED -> {
          reportedMissing.remove(result.kind() + "/" + result.name());
          LOG.info("caBundle set from {} in {}", store.describe(), result);
        }
        case NOT_FOUND -> {
          // installed later by the manifests or a test; say so once, not every period
          if (reportedMissing.add(result.kind() + "/" + result.name())) {
            LOG.warn(
                "{} {} not found: its caBundle cannot be set; install Wayout's webhook"
                    + " configurations, or name the right one in the configuration",
                result.kind(),
                result.name());
          }
        }
        case NO_BUNDLE ->
            LOG.warn(
                "{} could not be read again to patch {}; next check retries",
                store.describe(),
                result);
        case UP_TO_DATE -> {
          reportedMissing.remove(result.kind() + "/" + result.name());
          LOG.debug("{}", result);
        }
      }
    }
  }

  private void handOver(ServingCertificate serving) {
    if (serving.leaf().equals(handedOver)) {
      return;
    }
    listener.onKeyMaterial(serving);
    handedOver = serving.leaf();
    LOG.info(
        "serving certificate {} (serial {}, valid until {}) handed to the TLS server",
        serving.leaf().getSubjectX500Principal().getName(),
        serving.leaf().getSerialNumber().toString(16),
        serving.leaf().getNotAfter().toInstant());
  }

  // Scheduled runs must not throw: a ScheduledExecutorService silently stops a task that does.
  private void check() {
    try {
      reconcile();
    } catch (RuntimeException e) {
      LOG.warn(
          "certificate check of {} failed, retrying in {}: {}",
          store.describe(),
          config.checkPeriod(),
          e.getMessage());
    }
  }
}
