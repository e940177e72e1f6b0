package dev.wayout.waypoint.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wayout.model.DestinationRule;
import dev.wayout.model.InvalidResourceException;
import dev.wayout.model.Labels;
import dev.wayout.model.ResourceSet;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.VirtualService;
import dev.wayout.model.WaypointRef;
import dev.wayout.waypoint.Waypoint;
import dev.wayout.waypoint.WaypointConfig;
import dev.wayout.waypoint.policy.EgressPolicyBuilder;
import dev.wayout.waypoint.policy.PeerAddresses;
import dev.wayout.waypoint.policy.WaypointBinding;
import dev.wayout.waypoint.upstream.IpLiterals;
import dev.wayout.waypoint.upstream.TlsContexts;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration from the Kubernetes API: informers on ServiceEntries and DestinationRules
 * (networking.istio.io/v1, read as generic resources), Namespaces (for {@code
 * istio.io/use-waypoint}) and Pods (client pod IP to namespace, for {@code source_namespace} and
 * {@code exportTo}). Event handlers only schedule a rebuild; the rebuild runs on one thread of its
 * own, reads the informer caches, and installs a whole new policy.
 */
public final class KubernetesPolicySource implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesPolicySource.class);
  static final String ISTIO_V1 = "networking.istio.io/v1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SERVICE_NAME = "kubernetes.io/service-name";

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final WaypointConfig config;
  private final Waypoint waypoint;
  private final EgressPolicyBuilder builder;
  private final SecretCredentials credentials;
  private final ScheduledExecutorService rebuilder =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "wayout-policy-rebuild");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean rebuildScheduled = new AtomicBoolean();
  private final PodIdentities podIdentities = new PodIdentities();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<Namespace> namespaces;
  private SharedIndexInformer<GenericKubernetesResource> serviceEntries;
  private volatile SharedIndexInformer<GenericKubernetesResource> destinationRules;
  private SharedIndexInformer<Service> waypointServices;
  private SharedIndexInformer<EndpointSlice> waypointEndpoints;
  private SharedIndexInformer<GenericKubernetesResource> virtualServices;

  public KubernetesPolicySource(
      KubernetesClient client, boolean ownsClient, WaypointConfig config, Waypoint waypoint) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.config = config;
    this.waypoint = waypoint;
    this.credentials = new SecretCredentials(client, config);
    this.builder =
        new EgressPolicyBuilder(
            this::binding,
            new TlsContexts(config.trustedCaFile(), credentials.directory()),
            config.connectTimeout(),
            config.upstreamIdleTimeout());
  }

  /** With the client from the environment (in-cluster service account or kubeconfig). */
  public static KubernetesPolicySource start(WaypointConfig config, Waypoint waypoint) {
    return new KubernetesPolicySource(new KubernetesClientBuilder().build(), true, config, waypoint)
        .start();
  }

  /** Starts the informers, waits for their first lists, and installs the first policy. */
  public KubernetesPolicySource start() {
    ResourceEventHandler<Object> rebuild = new OnAnyChange(this::scheduleRebuild);
    namespaces = client.namespaces().inform(cast(rebuild));
    // Peer waypoints (a Gateway's, the fixed default): their Services carry wayout.dev/waypoint.
    waypointServices =
        client.services().inAnyNamespace().withLabel(Labels.WAYPOINT).inform(cast(rebuild));
    // ... and their EndpointSlices too (the slice controller copies a Service's labels): peers are
    // dialled at their ready endpoints, as NetworkPolicies see them.
    waypointEndpoints =
        client
            .discovery()
            .v1()
            .endpointSlices()
            .inAnyNamespace()
            .withLabel(Labels.WAYPOINT)
            .inform(cast(rebuild));
    serviceEntries =
        client
            .genericKubernetesResources(ISTIO_V1, ServiceEntry.KIND)
            .inAnyNamespace()
            .inform(cast(rebuild));
    destinationRules =
        client
            .genericKubernetesResources(ISTIO_V1, DestinationRule.KIND)
            .inAnyNamespace()
            .inform(cast(rebuild));
    virtualServices = informVirtualServices(rebuild);
    SharedIndexInformer<Pod> pods = client.pods().inAnyNamespace().inform(podIdentities);
    informers.addAll(
        List.of(
            namespaces,
            waypointServices,
            waypointEndpoints,
            serviceEntries,
            destinationRules,
            pods));
    if (virtualServices != null) {
      informers.add(virtualServices);
    }
    waypoint.sourceIdentities(podIdentities::of);
    rebuild();
    // Secrets named by credentialName are not watched: re-read them now and then, so that a
    // rotated certificate is picked up without another change.
    rebuilder.scheduleWithFixedDelay(this::rebuild, 60, 60, TimeUnit.SECONDS);
    // Certificate files named by path (caCertificates from a mounted volume) are checked as often
    // as --config checks its folder, so a rotated one is used within seconds.
    long poll = config.configPollInterval().toMillis();
    rebuilder.scheduleWithFixedDelay(
        this::rebuildIfTlsFilesChanged, poll, poll, TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * VirtualServices, when the cluster serves them: a cluster with only Wayout's ServiceEntry and
   * DestinationRule CRDs (installed before VirtualServices were) still gets a waypoint.
   */
  private SharedIndexInformer<GenericKubernetesResource> informVirtualServices(
      ResourceEventHandler<Object> rebuild) {
    try {
      return client
          .genericKubernetesResources(ISTIO_V1, VirtualService.KIND)
          .inAnyNamespace()
          .inform(cast(rebuild));
    } catch (RuntimeException e) {
      LOG.warn(
          "VirtualServices cannot be read ({}); the waypoint routes without them. Install the"
              + " CRD (kubectl apply -k manifests/crds/) and restart the waypoint to use them",
          e.getMessage());
      return null;
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<Object> h) {
    return (ResourceEventHandler<T>) (ResourceEventHandler<?>) h;
  }

  private void rebuildIfTlsFilesChanged() {
    if (builder.tlsFilesChanged()) {
      scheduleRebuild();
    }
  }

  private void scheduleRebuild() {
    if (destinationRules == null) {
      return; // still starting: start() rebuilds once every informer has its first list
    }
    // Coalesce bursts (an initial list, kubectl apply -f dir) into one rebuild.
    if (rebuildScheduled.compareAndSet(false, true)) {
      rebuilder.schedule(
          () -> {
            rebuildScheduled.set(false);
            rebuild();
          },
          100,
          TimeUnit.MILLISECONDS);
    }
  }

  private synchronized void rebuild() {
    try {
      List<ServiceEntry> entries = new ArrayList<>();
      List<DestinationRule> rules = new ArrayList<>();
      List<ResourceSet.LoadProblem> problems = new ArrayList<>();
      for (GenericKubernetesResource r : serviceEntries.getStore().list()) {
        try {
          entries.add(ServiceEntry.from(json(r)));
        } catch (InvalidResourceException e) {
          problems.add(problem(r, e));
        }
      }
      for (GenericKubernetesResource r : destinationRules.getStore().list()) {
        try {
          rules.add(DestinationRule.from(json(r)));
        } catch (InvalidResourceException e) {
          problems.add(problem(r, e));
        }
      }
      List<VirtualService> services = new ArrayList<>();
      if (virtualServices != null) {
        for (GenericKubernetesResource r : virtualServices.getStore().list()) {
          try {
            services.add(VirtualService.from(json(r)));
          } catch (InvalidResourceException e) {
            problems.add(problem(r, e));
          }
        }
      }
      credentials.refresh(rules);
      waypoint.update(builder.build(new ResourceSet(entries, rules, problems, services)));
    } catch (RuntimeException e) {
      LOG.warn("rebuilding the egress policy failed, keeping the current one: {}", e.toString());
    }
  }

  private WaypointBinding binding() {
    Map<String, Map<String, String>> labels = new HashMap<>();
    for (Namespace ns : namespaces.getStore().list()) {
      Map<String, String> l = ns.getMetadata().getLabels();
      labels.put(ns.getMetadata().getName(), l == null ? Map.of() : l);
    }
    WaypointRef self = new WaypointRef(config.namespace(), config.name());
    WaypointRef defaultWaypoint = config.isDefault() ? self : null;
    Map<WaypointRef, PeerAddresses> peers = new HashMap<>();
    for (Service svc : waypointServices.getStore().list()) {
      Map<String, String> l = svc.getMetadata().getLabels();
      WaypointRef ref = new WaypointRef(svc.getMetadata().getNamespace(), l.get(Labels.WAYPOINT));
      if (ref.equals(self)) {
        continue;
      }
      if (defaultWaypoint == null && "true".equals(l.get(Labels.WAYPOINT_DEFAULT))) {
        defaultWaypoint = ref;
      }
      peers.put(ref, readyEndpoints(svc));
    }
    return new WaypointBinding(self, defaultWaypoint, labels, false, peers);
  }

  /** The ready endpoints of a waypoint Service's {@code http} and {@code tls} ports. */
  private PeerAddresses readyEndpoints(Service svc) {
    List<InetSocketAddress> http = new ArrayList<>();
    List<InetSocketAddress> tls = new ArrayList<>();
    for (EndpointSlice slice :
        waypointEndpoints
            .getIndexer()
            .byIndex(Cache.NAMESPACE_INDEX, svc.getMetadata().getNamespace())) {
      Map<String, String> l = slice.getMetadata().getLabels();
      if (l == null || !svc.getMetadata().getName().equals(l.get(SERVICE_NAME))) {
        continue;
      }
      Integer httpPort = null;
      Integer tlsPort = null;
      for (EndpointPort p : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
        if ("http".equals(p.getName())) {
          httpPort = p.getPort();
        } else if ("tls".equals(p.getName())) {
          tlsPort = p.getPort();
        }
      }
      for (Endpoint e : slice.getEndpoints() == null ? List.<Endpoint>of() : slice.getEndpoints()) {
        if (e.getConditions() != null && Boolean.FALSE.equals(e.getConditions().getReady())) {
          continue;
        }
        for (String ip : e.getAddresses()) {
          if (httpPort != null) {
            add(http, ip, httpPort);
          }
          if (tlsPort != null) {
            add(tls, ip, tlsPort);
          }
        }
      }
    }
    return new PeerAddresses(http, tls);
  }

  private static void add(List<InetSocketAddress> out, String ip, int port) {
    InetSocketAddress a = IpLiterals.socketAddress(ip, port);
    if (a != null) {
      out.add(new InetSocketAddress(a.getAddress(), port));
    }
  }

  /** fabric8 serialises with Jackson 3; the model reads Jackson 2 trees, so go through text. */
  private static JsonNode json(HasMetadata r) {
    try {
      return JSON.readTree(Serialization.asJson(r));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot re-read " + r.getKind() + " as JSON", e);
    }
  }

  private static ResourceSet.LoadProblem problem(HasMetadata r, InvalidResourceException e) {
    return new ResourceSet.LoadProblem(
        "cluster",
        r.getKind(),
        r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(),
        e.errors());
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    rebuilder.shutdownNow();
    try {
      // a rebuild still running could copy a Secret after the folder is removed
      rebuilder.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    credentials.close();
    if (ownsClient) {
      client.close();
    }
  }

  /** Any add, update or delete triggers one (coalesced) rebuild. */
  private record OnAnyChange(Runnable action) implements ResourceEventHandler<Object> {
    @Override
    public void onAdd(Object obj) {
      action.run();
    }

    @Override
    public void onUpdate(Object oldObj, Object newObj) {
      action.run();
    }

    @Override
    public void onDelete(Object obj, boolean deletedFinalStateUnknown) {
      action.run();
    }
  }
}
