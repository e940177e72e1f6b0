package dev.wayout.enforcer.kube;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wayout.enforcer.reconcile.ClusterView;
import dev.wayout.model.InvalidResourceException;
import dev.wayout.model.Labels;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.WaypointRef;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enforcer's informers and the {@link ClusterView} read from their caches: Namespaces,
 * ServiceEntries ({@code networking.istio.io/v1}, read as generic resources and converted at this
 * edge) and the NetworkPolicies that carry our managed-by label.
 */
public final class KubeView implements ClusterView, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KubeView.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  public static final String ISTIO_API_VERSION = "networking.istio.io/v1";

  private final SharedIndexInformer<Namespace> namespaces;
  private final SharedIndexInformer<GenericKubernetesResource> serviceEntries;
  private final SharedIndexInformer<NetworkPolicy> policies;
  private final Supplier<Set<WaypointRef>> gatewayWaypoints;

  /** Converted ServiceEntries by uid, kept while the resourceVersion is the same. */
  private final Map<String, Converted> converted = new ConcurrentHashMap<>();

  private record Converted(String resourceVersion, Optional<ServiceEntry> entry) {}

  public KubeView(KubernetesClient client) {
    this(client, Set::of);
  }

  /**
   * @param gatewayWaypoints the waypoints of the Gateways served, from the Gateway controller's
   *     caches
   */
  public KubeView(KubernetesClient client, Supplier<Set<WaypointRef>> gatewayWaypoints) {
    this.gatewayWaypoints = gatewayWaypoints;
    this.namespaces = client.namespaces().runnableInformer(0);
    this.serviceEntries =
        client
            .genericKubernetesResources(ISTIO_API_VERSION, ServiceEntry.KIND)
            .inAnyNamespace()
            .runnableInformer(0);
    this.policies =
        client
            .network()
            .v1()
            .networkPolicies()
            .inAnyNamespace()
            .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_WAYOUT)
            .runnableInformer(0);
  }

  public SharedIndexInformer<Namespace> namespaceInformer() {
    return namespaces;
  }

  public SharedIndexInformer<GenericKubernetesResource> serviceEntryInformer() {
    return serviceEntries;
  }

  public SharedIndexInformer<NetworkPolicy> policyInformer() {
    return policies;
  }

  /**
   * Starts the informers and waits until each has listed once.
   *
   * @throws IllegalStateException naming what did not sync and the likely cause
   */
  public void startAndSync(Duration timeout) {
    var ns = namespaces.start().toCompletableFuture();
    var se = serviceEntries.start().toCompletableFuture();
    var np = policies.start().toCompletableFuture();
    await(ns, timeout, "Namespaces", "may the enforcer list and watch namespaces?");
    await(
        se,
        timeout,
        "ServiceEntries (" + ISTIO_API_VERSION + ")",
        "is the ServiceEntry CRD installed (Istio's, or manifests/crds), and may the enforcer list"
            + " and watch serviceentries.networking.istio.io?");
    await(
        np,
        timeout,
        "NetworkPolicies",
        "may the enforcer list and watch networkpolicies.networking.k8s.io?");
  }

  private static void await(
      java.util.concurrent.CompletableFuture<Void> synced,
      Duration timeout,
      String what,
      String hint) {
    try {
      synced.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " did not sync within " + timeout + "; " + hint, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          what + " cannot be listed: " + e.getCause().getMessage() + "; " + hint, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + what + " to sync", e);
    }
  }

  @Override
  public Map<String, String> namespaceLabels(String namespace) {
    Namespace ns = namespaces.getStore().getByKey(namespace);
    if (ns == null || ns.getMetadata().getDeletionTimestamp() != null) {
      return null;
    }
    Map<String, String> labels = ns.getMetadata().getLabels();
    return labels == null ? Map.of() : labels;
  }

  @Override
  public List<String> namespaces() {
    return namespaces.getStore().listKeys();
  }

  @Override
  public List<ServiceEntry> serviceEntries() {
    List<ServiceEntry> out = new ArrayList<>();
    List<GenericKubernetesResource> all = serviceEntries.getStore().list();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (GenericKubernetesResource resource : all) {
      String uid = resource.getMetadata().getUid();
      seen.add(uid);
      Converted c = converted.get(uid);
      if (c == null || !c.resourceVersion().equals(resource.getMetadata().getResourceVersion())) {
        c = new Converted(resource.getMetadata().getResourceVersion(), convert(resource));
        converted.put(uid, c);
      }
      c.entry().ifPresent(out::add);
    }
    converted.keySet().retainAll(seen);
    return out;
  }

  /** Reads one ServiceEntry; a malformed one is logged once per version and skipped. */
  static Optional<ServiceEntry> convert(GenericKubernetesResource resource) {
    String ref = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    try {
      return Optional.of(ServiceEntry.from(JSON.readTree(Serialization.asJson(resource))));
    } catch (InvalidResourceException e) {
      LOG.warn(
          "skipping ServiceEntry {}: {}; its ports stay closed until it is fixed",
          ref,
          e.getMessage());
    } catch (IOException | RuntimeException e) {
      LOG.warn("skipping ServiceEntry {}: cannot be read: {}", ref, e.getMessage());
    }
    return Optional.empty();
  }

  @Override
  public List<NetworkPolicy> ownedPolicies(String namespace) {
    return policies.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
  }

  @Override
  public Set<WaypointRef> gatewayWaypoints() {
    return gatewayWaypoints.get();
  }

  @Override
  public void close() {
    namespaces.close();
    serviceEntries.close();
    policies.close();
  }
}
