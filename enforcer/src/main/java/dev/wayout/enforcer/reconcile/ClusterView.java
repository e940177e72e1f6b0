package dev.wayout.enforcer.reconcile;

import dev.wayout.model.ServiceEntry;
import dev.wayout.model.WaypointRef;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the reconciler observes, read from informer caches (never from the API server). */
public interface ClusterView {

  /** The namespace's labels, or null when it does not exist (or is being deleted). */
  Map<String, String> namespaceLabels(String namespace);

  /** Every namespace in the cache, for resync and for a new leader's first pass. */
  List<String> namespaces();

  /** Every ServiceEntry that could be read; malformed ones are logged and left out. */
  List<ServiceEntry> serviceEntries();

  /** The NetworkPolicies in {@code namespace} that carry our managed-by label. */
  List<NetworkPolicy> ownedPolicies(String namespace);

  /** The waypoints of the Gateways Wayout serves; none where the Gateway controller is off. */
  default Set<WaypointRef> gatewayWaypoints() {
    return Set.of();
  }
}
