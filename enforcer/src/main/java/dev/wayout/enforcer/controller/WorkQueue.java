package dev.wayout.enforcer.controller;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A de-duplicating queue of keys (namespace names) between the informers and the workers, after
 * client-go's workqueue. A key is queued at most once however many events name it; a key being
 * processed is never handed to a second worker, and one added meanwhile is queued again when the
 * first worker is done. Failed keys come back after a capped exponential backoff. See DESIGN.md.
 */
public final class WorkQueue implements AutoCloseable {

  private final Duration baseDelay;
  private final Duration maxDelay;
  private final Deque<String> queue = new ArrayDeque<>();

  /** Keys waiting to be processed (queued, or re-added while processing). */
  private final Set<String> dirty = new HashSet<>();

  private final Set<String> processing = new HashSet<>();
  private final Map<String, Integer> failures = new HashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "wayout-workqueue-timer");
            t.setDaemon(true);
            return t;
          });
  private boolean shutDown;

  public WorkQueue(Duration baseDelay, Duration maxDelay) {
    this.baseDelay = baseDelay;
    this.maxDelay = maxDelay;
  }

  /** Queues {@code key} unless it is already waiting. */
  public synchronized void add(String key) {
    if (shutDown || !dirty.add(key)) {
      return;
    }
    if (!processing.contains(key)) {
      queue.addLast(key);
      notify();
    }
  }

  /** Queues {@code key} after {@code delay}. */
  public void addAfter(String key, Duration delay) {
    synchronized (this) {
      if (shutDown) {
        return;
      }
    }
    timer.schedule(() -> add(key), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Queues {@code key} again after its backoff, which doubles with each failure up to the cap. */
  public Duration addRateLimited(String key) {
    Duration delay;
    synchronized (this) {
      int n = failures.merge(key, 1, Integer::sum);
      delay = backoff(n);
    }
    addAfter(key, delay);
    return delay;
  }

  /** Clears the failure count of {@code key} after a success. */
  public synchronized void forget(String key) {
    failures.remove(key);
  }

  public synchronized int failures(String key) {
    return failures.getOrDefault(key, 0);
  }

  Duration backoff(int failuresSoFar) {
    int shift = Math.min(failuresSoFar - 1, 30);
    long millis = baseDelay.toMillis() << shift;
    return millis <= 0 || millis > maxDelay.toMillis() ? maxDelay : Duration.ofMillis(millis);
  }

  /**
   * Takes the next key, waiting up to {@code timeout}; empty on timeout or shutdown. The caller
   * must call {@link #done(String)} when it has finished with the key.
   */
  public synchronized Optional<String> take(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (queue.isEmpty() && !shutDown) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    if (shutDown) {
      return Optional.empty();
    }
    String key = queue.removeFirst();
    dirty.remove(key);
    processing.add(key);
    return Optional.of(key);
  }

  /** Marks {@code key} finished; if it was added again meanwhile, it is queued now. */
  public synchronized void done(String key) {
    processing.remove(key);
    if (dirty.contains(key)) {
      queue.addLast(key);
      notify();
    }
  }

  /** Keys waiting, not counting those being processed. */
  public synchronized int size() {
    return queue.size();
  }

  /** True when nothing is queued and nothing is being processed. */
  public synchronized boolean isIdle() {
    return queue.isEmpty() && processing.isEmpty();
  }

  @Override
  public void close() {
    synchronized (this) {
      shutDown = true;
      notifyAll();
    }
    timer.shutdownNow();
  }
}
