package dev.wayout.model;

/** Label and annotation keys and values that every part of Wayout shares (see DESIGN.md). */
public final class Labels {

  /** Namespace label: {@code enforced} (direct external egress denied) or {@code exempt}. */
  public static final String EGRESS = "wayout.dev/egress";

  public static final String EGRESS_ENFORCED = "enforced";
  public static final String EGRESS_EXEMPT = "exempt";

  /** On a namespace or a ServiceEntry: the waypoint that serves its ServiceEntries. */
  public static final String USE_WAYPOINT = "istio.io/use-waypoint";

  /**
   * With {@link #USE_WAYPOINT}: the namespace of that waypoint, when it is not the resource's own
   * (as in Istio ambient).
   */
  public static final String USE_WAYPOINT_NAMESPACE = "istio.io/use-waypoint-namespace";

  /** {@code istio.io/use-waypoint: none}: served by no waypoint (Istio's opt-out). */
  public static final String USE_WAYPOINT_NONE = "none";

  /**
   * On every waypoint Service and pod (a Gateway's and the fixed one): the waypoint's name. Peer
   * waypoints find each other by it.
   */
  public static final String WAYPOINT = "wayout.dev/waypoint";

  /** On the fixed default waypoint's Service: {@code "true"}. */
  public static final String WAYPOINT_DEFAULT = "wayout.dev/waypoint-default";

  /** On everything Wayout creates. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  public static final String MANAGED_BY_WAYOUT = "wayout";

  private Labels() {}
}
