package dev.wayout.waypoint.upstream;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The idle keep-alive connections of one event loop, by pool key, most recently used first. A
 * connection idle for longer than its route's idle timeout is closed by one sweep timer per loop,
 * armed for the earliest expiry, rather than a timer or idle handler per connection (which would
 * cost a timestamp and a promise listener on every read and write). Confined to its event loop.
 */
final class IdlePool {

  private final EventLoop loop;
  private final Map<PoolKey, ArrayDeque<UpstreamConnection>> byKey = new HashMap<>();

  /** When the armed sweep runs (System.nanoTime), or 0 when none is armed. */
  private long sweepAt;

  IdlePool(EventLoop loop) {
    this.loop = loop;
  }

  /** The most recently parked open connection for the key, or null. */
  UpstreamConnection take(PoolKey key) {
    ArrayDeque<UpstreamConnection> pool = byKey.get(key);
    if (pool == null) {
      return null;
    }
    UpstreamConnection c;
    while ((c = pool.pollFirst()) != null) {
      if (c.takeFromPool()) {
        return c;
      }
    }
    byKey.remove(key); // keys of replaced policies (new TLS contexts) must not pile up
    return null;
  }

  /** Parks the connection; a timeout of zero or less means it is never closed as idle. */
  void park(UpstreamConnection c, long idleTimeoutNanos) {
    long timeout = idleTimeoutNanos > 0 ? idleTimeoutNanos : TimeUnit.DAYS.toNanos(365);
    long expiry = System.nanoTime() + timeout;
    c.parkIdle(expiry);
    byKey.computeIfAbsent(c.key, k -> new ArrayDeque<>()).addFirst(c);
    if (sweepAt == 0 || expiry - sweepAt < 0) {
      arm(expiry);
    }
  }

  private void arm(long at) {
    sweepAt = at;
    loop.schedule(this::sweep, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void sweep() {
    long now = System.nanoTime();
    if (sweepAt == 0 || now - sweepAt < 0) {
      return; // superseded by an earlier sweep that re-armed
    }
    sweepAt = 0;
    long next = 0;
    for (Iterator<ArrayDeque<UpstreamConnection>> pools = byKey.values().iterator();
        pools.hasNext(); ) {
      ArrayDeque<UpstreamConnection> pool = pools.next();
      for (Iterator<UpstreamConnection> it = pool.iterator(); it.hasNext(); ) {
        UpstreamConnection c = it.next();
        if (!c.channel().isActive() || now - c.idleExpiry() >= 0) {
          it.remove();
          c.channel().close();
        } else if (next == 0 || c.idleExpiry() - next < 0) {
          next = c.idleExpiry();
        }
      }
      if (pool.isEmpty()) {
        pools.remove();
      }
    }
    if (next != 0) {
      arm(next);
    }
  }
}
