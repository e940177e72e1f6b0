package dev.wayout.enforcer.reconcile;

import java.util.List;

/**
 * What one reconcile of a namespace did.
 *
 * @param namespace the namespace
 * @param created policies that did not exist and were applied
 * @param restored policies that existed but differed (edited by someone) and were applied
 * @param deleted policies we own that are no longer wanted
 * @param desired how many policies the namespace should hold
 */
public record ReconcileResult(
    String namespace,
    List<String> created,
    List<String> restored,
    List<String> deleted,
    int desired) {

  public ReconcileResult {
    created = List.copyOf(created);
    restored = List.copyOf(restored);
    deleted = List.copyOf(deleted);
  }

  public boolean changed() {
    return !created.isEmpty() || !restored.isEmpty() || !deleted.isEmpty();
  }

  public int writes() {
    return created.size() + restored.size() + deleted.size();
  }
}
