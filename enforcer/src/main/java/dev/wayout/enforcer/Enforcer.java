package dev.wayout.enforcer;

import dev.wayout.enforcer.controller.EgressController;
import dev.wayout.enforcer.controller.WorkQueue;
import dev.wayout.enforcer.gateway.GatewayController;
import dev.wayout.enforcer.gateway.GatewayInformers;
import dev.wayout.enforcer.gateway.GatewayReconciler;
import dev.wayout.enforcer.kube.ApiServerEndpoints;
import dev.wayout.enforcer.kube.KubePolicyWriter;
import dev.wayout.enforcer.kube.KubeView;
import dev.wayout.enforcer.kube.Leadership;
import dev.wayout.enforcer.reconcile.NamespaceReconciler;
import dev.wayout.enforcer.reconcile.PolicyMetrics;
import dev.wayout.enforcer.reconcile.ReconcileLoop;
import dev.wayout.model.WaypointRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One enforcer replica, wired: informers feed the {@link EgressController}, which feeds the {@link
 * WorkQueue}; while this replica holds the Lease, the {@link ReconcileLoop} drains the queue
 * through the {@link NamespaceReconciler}. Start order: handlers, informers (synced), resync timer,
 * election. Stop order is the reverse, so nothing writes after {@link #close()} returns. The
 * Gateway controller (waypoints from Gateway objects) has its own queue and loop, fed and started
 * the same way; it runs when the API server serves the Gateway API ({@code WAYOUT_GATEWAYS=auto}).
 */
public final class Enforcer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Enforcer.class);
  private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(60);

  private final KubeView view;
  private final WorkQueue queue;
  private final ReconcileLoop loop;
  private final PolicyMetrics metrics;
  private final Leadership leadership;
  private final ScheduledExecutorService resync;
  private final GatewayInformers gatewayInformers;
  private final GatewayReconciler gatewayReconciler;
  private final WorkQueue gatewayQueue;
  private final ReconcileLoop gatewayLoop;

  private Enforcer(KubernetesClient client, EnforcerConfig config, MeterRegistry registry) {
    this.queue = new WorkQueue(Duration.ofMillis(50), Duration.ofSeconds(30));
    this.gatewayQueue = new WorkQueue(Duration.ofMillis(50), Duration.ofSeconds(30));
    if (gatewaysServed(client, config)) {
      this.gatewayInformers = new GatewayInformers(client);
      this.gatewayReconciler =
          new GatewayReconciler(client, gatewayInformers, config.gateway(), Clock.systemUTC());
      this.gatewayLoop =
          new ReconcileLoop(gatewayQueue, gatewayReconciler::reconcile, "Gateway", 2);
      new GatewayController(gatewayQueue, gatewayReconciler).register(gatewayInformers);
    } else {
      this.gatewayInformers = null;
      this.gatewayReconciler = null;
      this.gatewayLoop = null;
    }
    Supplier<Set<WaypointRef>> gatewayWaypoints =
        gatewayReconciler == null ? Set::of : gatewayReconciler::servedWaypoints;
    this.view = new KubeView(client, gatewayWaypoints);
    this.metrics = new PolicyMetrics(registry);
    NamespaceReconciler reconciler =
        new NamespaceReconciler(
            ApiServerEndpoints.addTo(config.policy(), client),
            view,
            new KubePolicyWriter(client, config.identity()),
            metrics);
    this.loop = new ReconcileLoop(queue, reconciler, config.workers());
    this.leadership =
        new Leadership(
            client,
            config,
            () -> {
              enqueueAll();
              loop.start();
              if (gatewayLoop != null) {
                gatewayLoop.start();
              }
            },
            () -> {
              loop.stop();
              if (gatewayLoop != null) {
                gatewayLoop.stop();
              }
            });
    this.resync =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "wayout-resync");
              t.setDaemon(true);
              return t;
            });
    EgressController egress =
        new EgressController(queue, config.policy().waypointNamespace(), gatewayWaypoints);
    egress.register(view.namespaceInformer(), view.serviceEntryInformer(), view.policyInformer());
    if (gatewayInformers != null) {
      egress.registerGateways(
          gatewayInformers.gatewayInformer(), gatewayInformers.classInformer(), view::namespaces);
    }
  }

  /**
   * Starts a replica: informers synced, then campaigning for the Lease.
   *
   * @throws IllegalStateException when the caches cannot sync (RBAC, missing CRD), with the cause
   */
  public static Enforcer start(
      KubernetesClient client, EnforcerConfig config, MeterRegistry registry) {
    LOG.info("starting enforcer: {}", config.describe());
    Enforcer enforcer = new Enforcer(client, config, registry);
    try {
      enforcer.view.startAndSync(SYNC_TIMEOUT);
      if (enforcer.gatewayInformers != null) {
        enforcer.gatewayInformers.startAndSync(SYNC_TIMEOUT);
      }
    } catch (RuntimeException e) {
      enforcer.close();
      throw e;
    }
    long period = config.resyncPeriod().toMillis();
    enforcer.resync.scheduleAtFixedRate(
        enforcer::enqueueAll, period, period, TimeUnit.MILLISECONDS);
    enforcer.leadership.start();
    return enforcer;
  }

  private void enqueueAll() {
    view.namespaces().forEach(queue::add);
    if (gatewayReconciler != null) {
      gatewayReconciler.allKeys().forEach(gatewayQueue::add);
    }
  }

  /** {@code on}, {@code off}, or (auto) whether the API server serves Gateways and classes. */
  private static boolean gatewaysServed(KubernetesClient client, EnforcerConfig config) {
    String mode = config.gateway().mode();
    if (mode.equals("off")) {
      LOG.info("Gateway controller off (WAYOUT_GATEWAYS=off)");
      return false;
    }
    if (mode.equals("on")) {
      return true;
    }
    boolean served;
    try {
      served = client.supports(Gateway.class) && client.supports(GatewayClass.class);
    } catch (RuntimeException e) {
      LOG.warn("cannot tell whether the API server serves the Gateway API: {}", e.getMessage());
      served = false;
    }
    if (!served) {
      LOG.info(
          "Gateway controller off: the API server does not serve gateway.networking.k8s.io/v1"
              + " Gateways; install the Gateway API CRDs and restart the enforcer to deploy"
              + " waypoints from Gateways");
    }
    return served;
  }

  public boolean isLeader() {
    return leadership.isLeader();
  }

  public PolicyMetrics metrics() {
    return metrics;
  }

  /** True when no namespace or Gateway is waiting or being reconciled. */
  public boolean isIdle() {
    return queue.isIdle() && gatewayQueue.isIdle();
  }

  /** Whether this replica runs the Gateway controller. */
  public boolean servesGateways() {
    return gatewayLoop != null;
  }

  @Override
  public void close() {
    leadership.close();
    loop.stop();
    if (gatewayLoop != null) {
      gatewayLoop.stop();
    }
    resync.shutdownNow();
    queue.close();
    gatewayQueue.close();
    view.close();
    if (gatewayInformers != null) {
      gatewayInformers.close();
    }
  }
}
