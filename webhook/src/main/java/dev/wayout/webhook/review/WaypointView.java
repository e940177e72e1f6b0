package dev.wayout.webhook.review;

import dev.wayout.model.KubeNamespace;
import dev.wayout.model.WaypointChecks;
import java.util.List;
import java.util.Map;

/**
 * What the waypoint checks read from the cluster: Gateways and GatewayClasses (as a {@link
 * WaypointChecks.Place}) and Namespaces' labels. The real one is {@code kube.ClusterWaypoints};
 * tests hand in their own.
 */
public interface WaypointView extends WaypointChecks.Place {

  /** The labels of a namespace; empty when it does not exist or cannot be read. */
  Map<String, String> namespaceLabels(String namespace);

  /** Every namespace with its labels; empty when they cannot be read. */
  List<KubeNamespace> namespaces();
}
