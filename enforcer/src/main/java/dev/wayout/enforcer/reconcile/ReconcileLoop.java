package dev.wayout.enforcer.reconcile;

import dev.wayout.enforcer.controller.WorkQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker threads that take keys (namespace names, or Gateways) from the {@link WorkQueue} and
 * reconcile them. Runs only while this replica leads: {@link #start()} on winning the Lease, {@link
 * #stop()} on losing it. A failure is logged and the key requeued with backoff; the loop keeps
 * running.
 */
public final class ReconcileLoop {

  private static final Logger LOG = LoggerFactory.getLogger(ReconcileLoop.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final WorkQueue queue;
  private final Consumer<String> reconciler;
  private final String what;
  private final int workers;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  public ReconcileLoop(WorkQueue queue, NamespaceReconciler reconciler, int workers) {
    this(queue, reconciler::reconcile, "namespace", workers);
  }

  /**
   * @param reconciler reconciles one key; throws to have it retried with backoff
   * @param what what a key names, for the log ("namespace", "Gateway")
   */
  public ReconcileLoop(WorkQueue queue, Consumer<String> reconciler, String what, int workers) {
    this.queue = queue;
    this.reconciler = reconciler;
    this.what = what;
    this.workers = workers;
  }

  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    for (int i = 0; i < workers; i++) {
      Thread t = new Thread(this::work, "wayout-reconcile-" + what + "-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  /** Stops taking keys and waits for the reconciles in flight, so nothing writes after this. */
  public synchronized void stop() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(Duration.ofSeconds(30).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    threads.clear();
  }

  public boolean isRunning() {
    return running;
  }

  private void work() {
    while (running) {
      Optional<String> next;
      try {
        next = queue.take(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (next.isEmpty()) {
        continue;
      }
      String namespace = next.get();
      try {
        if (!running) {
          // leadership was lost while we waited: leave the key for the next leader's full pass
          continue;
        }
        reconciler.accept(namespace);
        queue.forget(namespace);
      } catch (RuntimeException e) {
        Duration delay = queue.addRateLimited(namespace);
        LOG.warn(
            "reconcile of {} {} failed (attempt {}), retrying in {} ms: {}",
            what,
            namespace,
            queue.failures(namespace),
            delay.toMillis(),
            e.getMessage());
      } finally {
        queue.done(namespace);
      }
    }
  }
}
