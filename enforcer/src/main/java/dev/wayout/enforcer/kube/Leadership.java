package dev.wayout.enforcer.kube;

import dev.wayout.enforcer.EnforcerConfig;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a Lease with fabric8's LeaderElector, run in rounds: a lost Lease ends the
 * round (the replica stops writing) and a new round campaigns again, since one LeaderElector cannot
 * be restarted. {@link #close()} releases the Lease so that a standby takes over at once rather
 * than after the lease duration.
 */
public final class Leadership implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

  private final KubernetesClient client;
  private final EnforcerConfig config;
  private final Runnable onStart;
  private final Runnable onStop;
  private final AtomicBoolean leading = new AtomicBoolean();
  private final Thread thread;
  private volatile boolean closed;
  private volatile CompletableFuture<?> round = CompletableFuture.completedFuture(null);

  /**
   * @param onStart runs when this replica becomes leader
   * @param onStop runs when it stops leading (lost Lease or close); must stop all writes
   */
  public Leadership(
      KubernetesClient client, EnforcerConfig config, Runnable onStart, Runnable onStop) {
    this.client = client;
    this.config = config;
    this.onStart = onStart;
    this.onStop = onStop;
    this.thread = new Thread(this::campaign, "wayout-leader-election");
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  public boolean isLeader() {
    return leading.get();
  }

  private void campaign() {
    while (!closed) {
      CompletableFuture<Void> lost = new CompletableFuture<>();
      LeaderCallbacks callbacks =
          new LeaderCallbacks(
              this::started,
              () -> {
                stopped();
                lost.complete(null);
              },
              leader -> LOG.info("leader is now {}", leader));
      var election =
          new LeaderElectionConfigBuilder()
              .withName(config.leaseName())
              .withLock(
                  new LeaseLock(config.leaseNamespace(), config.leaseName(), config.identity()))
              .withLeaseDuration(config.leaseDuration())
              .withRenewDeadline(config.renewDeadline())
              .withRetryPeriod(config.retryPeriod())
              .withReleaseOnCancel(true)
              .withLeaderCallbacks(callbacks)
              .build();
      round = client.leaderElector().withConfig(election).build().start();
      try {
        CompletableFuture.anyOf(round, lost).join();
      } catch (RuntimeException e) {
        LOG.warn("leader election round ended: {}", e.getMessage());
      }
      round.cancel(true);
      stopped();
      if (!closed) {
        pause();
      }
    }
  }

  private void started() {
    if (leading.compareAndSet(false, true)) {
      LOG.info("{} is the leader: reconciling", config.identity());
      onStart.run();
    }
  }

  private void stopped() {
    if (leading.compareAndSet(true, false)) {
      LOG.info("{} stopped leading: no more writes from this replica", config.identity());
      onStop.run();
    }
  }

  private void pause() {
    try {
      Thread.sleep(config.retryPeriod().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  /** Stops campaigning; a leader releases the Lease and stops writing first. */
  @Override
  public void close() {
    closed = true;
    // stop our writes before the Lease is released, so two replicas never write at once
    boolean wasLeading = leading.get();
    stopped();
    round.cancel(true);
    thread.interrupt();
    try {
      thread.join(config.renewDeadline().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stopped();
    if (wasLeading) {
      release();
    }
  }

  /**
   * Gives the Lease up if we still hold it, so a standby need not wait for it to expire. fabric8
   * releases on cancel too, but not reliably while the JVM shuts down; this is a plain
   * compare-and-swap on the resourceVersion, harmless when someone else holds it already.
   */
  private void release() {
    try {
      Lease lease =
          client.leases().inNamespace(config.leaseNamespace()).withName(config.leaseName()).get();
      if (lease == null
          || lease.getSpec() == null
          || !config.identity().equals(lease.getSpec().getHolderIdentity())) {
        return;
      }
      lease.getSpec().setHolderIdentity(null);
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
      client.leases().inNamespace(config.leaseNamespace()).resource(lease).update();
      LOG.info("released the Lease {}/{}", config.leaseNamespace(), config.leaseName());
    } catch (RuntimeException e) {
      // the API server is unreachable or our client is gone: the Lease simply expires
      LOG.warn(
          "could not release the Lease {}/{} ({}); a standby takes over when it expires",
          config.leaseNamespace(),
          config.leaseName(),
          e.getMessage());
    }
  }
}
