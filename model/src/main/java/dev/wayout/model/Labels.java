package dev.wayout.model;

/** Label and annotation keys and values that every part of Wayout shares (see DESIGN.md). */
public final class Labels {

  /** Namespace label: {@code enforced} (direct external egress denied) or {@code exempt}. */
  public static final String EGRESS = "wayout.dev/egress";

  public static final String EGRESS_ENFORCED = "enforced";
  public static final String EGRESS_EXEMPT = "exempt";

  /** On a namespace or a ServiceEntry: the waypoint that serves its ServiceEntries. */
  public static final String USE_WAYPOINT = "istio.io/use-waypoint";

  /** On everything Wayout creates. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  public static final String MANAGED_BY_WAYOUT = "wayout";

  private Labels() {}
}
