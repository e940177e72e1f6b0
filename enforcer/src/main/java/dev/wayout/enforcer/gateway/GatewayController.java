package dev.wayout.enforcer.gateway;

import dev.wayout.enforcer.controller.WorkQueue;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns the Gateway informers' events into keys on the Gateway {@link WorkQueue}, and never acts: a
 * Gateway names itself, an object made for a Gateway names that Gateway (by its labels), and a
 * GatewayClass names itself and every Gateway (whether Wayout serves a class can change).
 */
public final class GatewayController {

  private final WorkQueue queue;
  private final GatewayReconciler reconciler;

  public GatewayController(WorkQueue queue, GatewayReconciler reconciler) {
    this.queue = queue;
    this.reconciler = reconciler;
  }

  /** Registers the handlers; call before the informers start. */
  public void register(GatewayInformers informers) {
    informers.gateways.addEventHandler(
        handler(
            g ->
                queue.add(
                    GatewayReconciler.gatewayKey(
                        g.getMetadata().getNamespace(), g.getMetadata().getName()))));
    for (var informer : informers.owned) {
      informer.addEventHandler(
          handler(
              o -> {
                String gw = labels(o).get(DesiredWaypoint.GATEWAY_NAME);
                if (gw != null) {
                  queue.add(GatewayReconciler.gatewayKey(o.getMetadata().getNamespace(), gw));
                }
              }));
    }
    informers.clusterRoleBindings.addEventHandler(
        handler(
            o -> {
              Map<String, String> l = labels(o);
              String ns = l.get(DesiredWaypoint.GATEWAY_NAMESPACE);
              String gw = l.get(DesiredWaypoint.GATEWAY_NAME);
              if (ns != null && gw != null) {
                queue.add(GatewayReconciler.gatewayKey(ns, gw));
              }
            }));
    informers.classes.addEventHandler(
        handler(
            c -> {
              queue.add(GatewayReconciler.CLASS_KEY + c.getMetadata().getName());
              reconciler.allKeys().forEach(queue::add);
            }));
  }

  private static Map<String, String> labels(HasMetadata o) {
    Map<String, String> l = o.getMetadata().getLabels();
    return l == null ? Map.of() : l;
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
