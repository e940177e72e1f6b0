package dev.wayout.enforcer.gateway;

import dev.wayout.model.Cidr;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the Gateway controller needs besides the Gateways themselves: which classes it serves, the
 * image and settings of the waypoints it deploys, and the cluster roles their bindings name.
 *
 * @param mode {@code auto} (serve Gateways when the API server has the Gateway API), {@code on} or
 *     {@code off}
 * @param classes the GatewayClass names served: {@value #WAYOUT_CLASS}, and {@value #ISTIO_CLASS}
 *     where Istio is not installed
 * @param image the waypoint image
 * @param clusterCidrs the cluster's ranges, handed to every waypoint (never dialled)
 * @param waypointClusterRole the ClusterRole every waypoint is bound to (reads the registry)
 * @param secretsClusterRole the ClusterRole bound in the Gateway's namespace (reads its Secrets)
 * @param trustedCaConfigMap a ConfigMap (key {@value #TRUSTED_CA_KEY}) in each Gateway's namespace
 *     whose CAs its waypoint trusts besides the JDK's, as the default waypoint's
 *     WAYOUT_WAYPOINT_TRUSTED_CA_FILE; empty for none
 */
public record GatewayConfig(
    String mode,
    Set<String> classes,
    String image,
    List<Cidr> clusterCidrs,
    String waypointClusterRole,
    String secretsClusterRole,
    String trustedCaConfigMap) {

  public static final String WAYOUT_CLASS = "wayout-waypoint";
  public static final String ISTIO_CLASS = "istio-waypoint";

  /** Wayout's controllerName; the {@value #WAYOUT_CLASS} GatewayClass in manifests/ names it. */
  public static final String CONTROLLER_NAME = "wayout.dev/waypoint-controller";

  public static final String DEFAULT_IMAGE = "wayout:0.1.0";
  public static final String DEFAULT_WAYPOINT_CLUSTER_ROLE = "wayout-waypoint";
  public static final String DEFAULT_SECRETS_CLUSTER_ROLE = "wayout-waypoint-secrets";

  public static final String TRUSTED_CA_KEY = "ca.crt";

  public GatewayConfig {
    classes = Set.copyOf(classes);
    clusterCidrs = List.copyOf(clusterCidrs);
    trustedCaConfigMap = trustedCaConfigMap == null ? "" : trustedCaConfigMap;
  }

  /** Without a trusted-CA ConfigMap. */
  public GatewayConfig(
      String mode,
      Set<String> classes,
      String image,
      List<Cidr> clusterCidrs,
      String waypointClusterRole,
      String secretsClusterRole) {
    this(mode, classes, image, clusterCidrs, waypointClusterRole, secretsClusterRole, "");
  }

  /** The value the waypoints get in WAYOUT_WAYPOINT_CLUSTER_CIDRS. */
  public String clusterCidrsValue() {
    return clusterCidrs.stream().map(Cidr::toString).collect(Collectors.joining(","));
  }

  public boolean serves(String className) {
    return className != null && classes.contains(className);
  }
}
