package dev.wayout.enforcer.reconcile;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The enforcer's metrics: how many NetworkPolicies are wanted and how many are known to be in sync
 * (equal to what is wanted as of the last reconcile of their namespace), reconciles by outcome,
 * writes, and reconcile duration.
 */
public final class PolicyMetrics {

  /** Per namespace: policies wanted, and how many of them are in sync. */
  private record Counts(int desired, int inSync) {}

  private final Map<String, Counts> counts = new ConcurrentHashMap<>();
  private final Counter changed;
  private final Counter unchanged;
  private final Counter failed;
  private final Counter writes;
  private final Timer duration;

  public PolicyMetrics(MeterRegistry registry) {
    Gauge.builder("wayout.enforcer.policies.desired", this, PolicyMetrics::desired)
        .description("NetworkPolicies the enforcer wants in the cluster")
        .register(registry);
    Gauge.builder("wayout.enforcer.policies.in.sync", this, PolicyMetrics::inSync)
        .description("NetworkPolicies equal to what the enforcer wants, as of their last reconcile")
        .register(registry);
    changed = result(registry, "changed");
    unchanged = result(registry, "unchanged");
    failed = result(registry, "failed");
    writes =
        Counter.builder("wayout.enforcer.writes")
            .description("NetworkPolicy applies and deletes sent to the API server")
            .register(registry);
    duration =
        Timer.builder("wayout.enforcer.reconcile.duration")
            .description("Time to reconcile one namespace")
            .register(registry);
  }

  private static Counter result(MeterRegistry registry, String result) {
    return Counter.builder("wayout.enforcer.reconciles")
        .tag("result", result)
        .description("Namespace reconciles by outcome")
        .register(registry);
  }

  void succeeded(ReconcileResult result, Duration took) {
    counts.put(result.namespace(), new Counts(result.desired(), result.desired()));
    if (result.desired() == 0) {
      counts.remove(result.namespace());
    }
    (result.changed() ? changed : unchanged).increment();
    writes.increment(result.writes());
    duration.record(took);
  }

  void failed(String namespace, int desired, int inSync, Duration took) {
    counts.put(namespace, new Counts(desired, inSync));
    failed.increment();
    duration.record(took);
  }

  public int desired() {
    return counts.values().stream().mapToInt(Counts::desired).sum();
  }

  public int inSync() {
    return counts.values().stream().mapToInt(Counts::inSync).sum();
  }

  /** Writes sent by this replica: a standby's count stays 0. */
  public long writes() {
    return (long) writes.count();
  }
}
