package dev.wayout.enforcer.controller;

import dev.wayout.model.WaypointRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Turns informer events into namespace keys on the {@link WorkQueue}, and never acts: a Namespace
 * event names itself and every waypoint's namespace (its {@code istio.io/use-waypoint} label binds
 * its ServiceEntries), one of our NetworkPolicies names its namespace, any ServiceEntry event names
 * every waypoint's namespace (only the waypoints' policies depend on ServiceEntries), a Gateway
 * names its namespace, and a GatewayClass every namespace (whether Wayout serves a class can
 * change).
 */
public final class EgressController {

  private final WorkQueue queue;
  private final String waypointNamespace;
  private final Supplier<Set<WaypointRef>> gatewayWaypoints;

  public EgressController(WorkQueue queue, String waypointNamespace) {
    this(queue, waypointNamespace, Set::of);
  }

  /**
   * @param gatewayWaypoints the waypoints of the Gateways served (their namespaces hold policies
   *     that depend on ServiceEntries and bindings)
   */
  public EgressController(
      WorkQueue queue, String waypointNamespace, Supplier<Set<WaypointRef>> gatewayWaypoints) {
    this.queue = queue;
    this.waypointNamespace = waypointNamespace;
    this.gatewayWaypoints = gatewayWaypoints;
  }

  /** Registers the handlers; call before the informers start. */
  public void register(
      SharedIndexInformer<Namespace> namespaces,
      SharedIndexInformer<? extends HasMetadata> serviceEntries,
      SharedIndexInformer<? extends HasMetadata> ownedPolicies) {
    namespaces.addEventHandler(
        handler(
            ns -> {
              queue.add(ns.getMetadata().getName());
              enqueueWaypointNamespaces();
            }));
    serviceEntries.addEventHandler(handler(se -> enqueueWaypointNamespaces()));
    ownedPolicies.addEventHandler(handler(p -> queue.add(p.getMetadata().getNamespace())));
  }

  /** Registers the handlers on the Gateway controller's informers; call before they start. */
  public void registerGateways(
      SharedIndexInformer<? extends HasMetadata> gateways,
      SharedIndexInformer<? extends HasMetadata> classes,
      Supplier<Iterable<String>> allNamespaces) {
    gateways.addEventHandler(handler(g -> queue.add(g.getMetadata().getNamespace())));
    classes.addEventHandler(handler(c -> allNamespaces.get().forEach(queue::add)));
  }

  private void enqueueWaypointNamespaces() {
    queue.add(waypointNamespace);
    for (WaypointRef waypoint : gatewayWaypoints.get()) {
      queue.add(waypoint.namespace());
    }
  }

  private static <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> key) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        key.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        key.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        key.accept(obj);
      }
    };
  }
}
