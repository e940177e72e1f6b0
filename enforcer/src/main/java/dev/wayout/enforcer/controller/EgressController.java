package dev.wayout.enforcer.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.function.Function;

/**
 * Turns informer events into namespace keys on the {@link WorkQueue}, and never acts: a Namespace
 * event names itself, one of our NetworkPolicies names its namespace, and any ServiceEntry event
 * names the waypoint's namespace (only the waypoint's policy depends on ServiceEntries).
 */
public final class EgressController {

  private final WorkQueue queue;
  private final String waypointNamespace;

  public EgressController(WorkQueue queue, String waypointNamespace) {
    this.queue = queue;
    this.waypointNamespace = waypointNamespace;
  }

  /** Registers the handlers; call before the informers start. */
  public void register(
      SharedIndexInformer<Namespace> namespaces,
      SharedIndexInformer<? extends HasMetadata> serviceEntries,
      SharedIndexInformer<? extends HasMetadata> ownedPolicies) {
    namespaces.addEventHandler(handler(ns -> ns.getMetadata().getName()));
    serviceEntries.addEventHandler(handler(se -> waypointNamespace));
    ownedPolicies.addEventHandler(handler(p -> p.getMetadata().getNamespace()));
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler(Function<T, String> key) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        queue.add(key.apply(obj));
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        queue.add(key.apply(newObj));
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        queue.add(key.apply(obj));
      }
    };
  }
}
