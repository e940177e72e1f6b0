package dev.wayout.enforcer.reconcile;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;

/** The reconciler's only way to change the cluster. */
public interface PolicyWriter {

  /** Server-side applies {@code policy} under Wayout's field manager, taking over conflicts. */
  void apply(NetworkPolicy policy);

  /** Deletes one of our policies; an already deleted one is not an error. */
  void delete(String namespace, String name);

  /** Records a Normal Event on the namespace; best effort, never throws. */
  void event(String namespace, String reason, String message);
}
