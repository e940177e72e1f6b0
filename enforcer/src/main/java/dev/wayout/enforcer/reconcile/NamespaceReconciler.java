package dev.wayout.enforcer.reconcile;

import dev.wayout.enforcer.desired.DesiredNetworkPolicies;
import dev.wayout.enforcer.desired.PolicyConfig;
import dev.wayout.enforcer.desired.WaypointRegistry;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.WaypointRef;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Makes one namespace's NetworkPolicies equal to what {@link DesiredNetworkPolicies} wants: observe
 * (caches), desire (pure), act (apply what is missing or different, delete what we own and no
 * longer want; equal means no call), report. Level-based: running it twice does nothing the second
 * time. Throws on failure; the loop requeues with backoff.
 */
public final class NamespaceReconciler {

  private static final Logger LOG = LoggerFactory.getLogger(NamespaceReconciler.class);

  public static final String REASON_APPLIED = "EgressPolicyApplied";
  public static final String REASON_REMOVED = "EgressPolicyRemoved";

  private final PolicyConfig config;
  private final ClusterView view;
  private final PolicyWriter writer;
  private final PolicyMetrics metrics;

  public NamespaceReconciler(
      PolicyConfig config, ClusterView view, PolicyWriter writer, PolicyMetrics metrics) {
    this.config = config;
    this.view = view;
    this.writer = writer;
    this.metrics = metrics;
  }

  public ReconcileResult reconcile(String namespace) {
    long start = System.nanoTime();
    MDC.put("namespace", namespace);
    int desiredCount = 0;
    int inSync = 0;
    try {
      // 1. observe
      Map<String, String> labels = view.namespaceLabels(namespace);
      WaypointRegistry registry = registry(namespace);
      Map<String, NetworkPolicy> owned = new HashMap<>();
      for (NetworkPolicy p : view.ownedPolicies(namespace)) {
        owned.put(p.getMetadata().getName(), p);
      }
      // 2. desire
      List<NetworkPolicy> desired = DesiredNetworkPolicies.of(namespace, labels, registry, config);
      desiredCount = desired.size();
      // 3. act
      List<String> created = new ArrayList<>();
      List<String> restored = new ArrayList<>();
      List<String> deleted = new ArrayList<>();
      for (NetworkPolicy want : desired) {
        String name = want.getMetadata().getName();
        NetworkPolicy have = owned.remove(name);
        if (have != null && PolicyComparison.same(have, want)) {
          inSync++;
          continue;
        }
        writer.apply(want);
        (have == null ? created : restored).add(name);
        inSync++;
      }
      for (NetworkPolicy unwanted : owned.values()) {
        writer.delete(namespace, unwanted.getMetadata().getName());
        deleted.add(unwanted.getMetadata().getName());
      }
      ReconcileResult result =
          new ReconcileResult(namespace, created, restored, deleted, desiredCount);
      // 4. report
      report(result, labels != null);
      metrics.succeeded(result, Duration.ofNanos(System.nanoTime() - start));
      return result;
    } catch (RuntimeException e) {
      metrics.failed(namespace, desiredCount, inSync, Duration.ofNanos(System.nanoTime() - start));
      throw e;
    } finally {
      MDC.remove("namespace");
    }
  }

  /** What a waypoint's namespace needs to know; other namespaces' policies read none of it. */
  private WaypointRegistry registry(String namespace) {
    Set<WaypointRef> gateways = view.gatewayWaypoints();
    boolean hostsWaypoint =
        namespace.equals(config.waypointNamespace())
            || gateways.stream().anyMatch(w -> w.namespace().equals(namespace));
    if (!hostsWaypoint) {
      return WaypointRegistry.of(List.of());
    }
    List<ServiceEntry> entries = view.serviceEntries();
    Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    for (ServiceEntry entry : entries) {
      Map<String, String> l = view.namespaceLabels(entry.namespace());
      namespaceLabels.put(entry.namespace(), l == null ? Map.of() : l);
    }
    return new WaypointRegistry(entries, gateways, namespaceLabels);
  }

  private void report(ReconcileResult result, boolean namespaceExists) {
    if (!result.changed()) {
      LOG.debug("policies in sync ({} wanted)", result.desired());
      return;
    }
    String ns = result.namespace();
    for (String name : result.created()) {
      LOG.info("created NetworkPolicy {}/{}", ns, name);
      writer.event(
          ns, REASON_APPLIED, "NetworkPolicy " + name + " created by " + "wayout-enforcer");
    }
    for (String name : result.restored()) {
      LOG.info("restored NetworkPolicy {}/{}: it differed from what Wayout wants", ns, name);
      writer.event(
          ns,
          REASON_APPLIED,
          "NetworkPolicy " + name + " restored: it had been changed; Wayout owns its spec");
    }
    for (String name : result.deleted()) {
      LOG.info("deleted NetworkPolicy {}/{}: no longer wanted", ns, name);
      if (namespaceExists) {
        writer.event(
            ns,
            REASON_REMOVED,
            "NetworkPolicy " + name + " deleted: the namespace is no longer enforced");
      }
    }
  }
}
