package dev.wayout.waypoint.upstream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests waiting for a connection while their cluster has {@code maxConnections} open, as Envoy's
 * pending queue holds them, at most {@code http1MaxPendingRequests} per cluster (over it: 503 UO).
 * A waiter is woken on its own event loop when one of the cluster's connections closes. Touched
 * only when a limit is reached, never by a request that gets a connection at once.
 */
final class PendingRequests {

  /** A queued request: run on its loop, it tries to acquire a connection again. */
  interface Waiter {
    void wake();
  }

  private static final class Queue {
    final ConcurrentLinkedDeque<Waiter> waiters = new ConcurrentLinkedDeque<>();
    final AtomicInteger size = new AtomicInteger();
  }

  private final Map<String, Queue> byCluster = new ConcurrentHashMap<>();

  /**
   * Queues the waiter, first in line when it waited before ({@code again}); false when the queue
   * already holds {@code max} (0: unlimited) and a new waiter is refused.
   */
  boolean enqueue(String cluster, int max, Waiter waiter, boolean again) {
    Queue q = byCluster.computeIfAbsent(cluster, c -> new Queue());
    int n = q.size.incrementAndGet();
    if (!again && max > 0 && n > max) {
      q.size.decrementAndGet();
      return false;
    }
    if (again) {
      q.waiters.offerFirst(waiter);
    } else {
      q.waiters.offerLast(waiter);
    }
    return true;
  }

  /** Removes a waiter that gave up (its timeout); false if it was already woken. */
  boolean remove(String cluster, Waiter waiter) {
    Queue q = byCluster.get(cluster);
    if (q != null && q.waiters.remove(waiter)) {
      q.size.decrementAndGet();
      return true;
    }
    return false;
  }

  /** Whether requests wait for the cluster's capacity. */
  boolean waiting(String cluster) {
    Queue q = byCluster.get(cluster);
    return q != null && q.size.get() > 0;
  }

  /** Wakes the first waiter of the cluster, if any: capacity has been freed. */
  void wakeOne(String cluster) {
    Queue q = byCluster.get(cluster);
    if (q == null) {
      return;
    }
    Waiter w = q.waiters.pollFirst();
    if (w != null) {
      q.size.decrementAndGet();
      w.wake();
    }
  }
}
