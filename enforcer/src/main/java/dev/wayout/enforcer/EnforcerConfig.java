package dev.wayout.enforcer;

import dev.wayout.enforcer.desired.PolicyConfig;
import dev.wayout.enforcer.gateway.GatewayConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The enforcer process's configuration, built once from the environment by {@link #fromEnv(Map)}
 * and logged at start-up.
 *
 * @param policy what the desired NetworkPolicies depend on
 * @param leaseNamespace where the leader-election Lease lives (the enforcer's own namespace)
 * @param leaseName the Lease's name
 * @param identity this replica's name in the Lease (the pod name)
 * @param leaseDuration how long a leader's claim lasts without renewal: the worst-case takeover
 * @param renewDeadline how long the leader keeps trying to renew before it stops writing
 * @param retryPeriod how often candidates try to acquire, and the leader renews
 * @param resyncPeriod how often every namespace is reconciled even without events
 * @param workers how many namespaces are reconciled in parallel
 * @param metricsPort where {@code /metrics} and {@code /healthz/ready} are served (0: any free
 *     port)
 * @param gateway the Gateway controller's settings (waypoints from Gateway objects)
 */
public record EnforcerConfig(
    PolicyConfig policy,
    String leaseNamespace,
    String leaseName,
    String identity,
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod,
    Duration resyncPeriod,
    int workers,
    int metricsPort,
    GatewayConfig gateway) {

  public static final String CLUSTER_CIDRS = "WAYOUT_CLUSTER_CIDRS";
  public static final String CLUSTER_CIDRS_EXAMPLE = "10.244.0.0/16,10.96.0.0/12";

  public EnforcerConfig {
    Objects.requireNonNull(policy, "policy");
    if (renewDeadline.compareTo(leaseDuration) >= 0) {
      throw new ConfigException(
          java.util.List.of(
              "WAYOUT_LEASE_RENEW_DEADLINE: \""
                  + renewDeadline
                  + "\" (expected: shorter than WAYOUT_LEASE_DURATION, "
                  + leaseDuration
                  + ")"));
    }
  }

  /**
   * Reads the environment; every bad value is reported together.
   *
   * @throws ConfigException listing each bad variable, its value and what was expected
   */
  public static EnforcerConfig fromEnv(Map<String, String> env) {
    EnvReader r = new EnvReader(env);
    PolicyConfig policy = policyFromEnv(r);
    String leaseNamespace =
        r.string("WAYOUT_NAMESPACE", r.string("POD_NAMESPACE", "wayout-system"));
    String leaseName = r.string("WAYOUT_LEASE_NAME", "wayout-enforcer");
    String identity = r.string("POD_NAME", r.string("HOSTNAME", "wayout-enforcer"));
    Duration leaseDuration = r.duration("WAYOUT_LEASE_DURATION", Duration.ofSeconds(15));
    Duration renewDeadline = r.duration("WAYOUT_LEASE_RENEW_DEADLINE", Duration.ofSeconds(10));
    Duration retryPeriod = r.duration("WAYOUT_LEASE_RETRY_PERIOD", Duration.ofSeconds(2));
    Duration resync = r.duration("WAYOUT_RESYNC_PERIOD", Duration.ofMinutes(5));
    int workers = r.integer("WAYOUT_WORKERS", 8, 1, 64);
    int metricsPort = r.integer("WAYOUT_METRICS_PORT", 15020, 0, 65535);
    GatewayConfig gateway = gatewayFromEnv(r, policy);
    r.throwIfErrors();
    return new EnforcerConfig(
        policy,
        leaseNamespace,
        leaseName,
        identity,
        leaseDuration,
        renewDeadline,
        retryPeriod,
        resync,
        workers,
        metricsPort,
        gateway);
  }

  private static GatewayConfig gatewayFromEnv(EnvReader r, PolicyConfig policy) {
    String mode = r.string("WAYOUT_GATEWAYS", "auto");
    if (!java.util.Set.of("auto", "on", "off").contains(mode)) {
      r.error("WAYOUT_GATEWAYS: \"" + mode + "\" (expected: auto, on or off)");
    }
    String classes =
        r.string(
            "WAYOUT_GATEWAY_CLASSES", GatewayConfig.WAYOUT_CLASS + "," + GatewayConfig.ISTIO_CLASS);
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    for (String c : classes.split(",")) {
      if (!c.isBlank()) {
        names.add(c.trim());
      }
    }
    String image = r.string("WAYOUT_WAYPOINT_IMAGE", GatewayConfig.DEFAULT_IMAGE);
    String role =
        r.string("WAYOUT_WAYPOINT_CLUSTER_ROLE", GatewayConfig.DEFAULT_WAYPOINT_CLUSTER_ROLE);
    String secrets =
        r.string(
            "WAYOUT_WAYPOINT_SECRETS_CLUSTER_ROLE", GatewayConfig.DEFAULT_SECRETS_CLUSTER_ROLE);
    String trustedCa = r.string("WAYOUT_WAYPOINT_TRUSTED_CA_CONFIGMAP", "");
    if (!trustedCa.isEmpty() && !trustedCa.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
      r.error(
          "WAYOUT_WAYPOINT_TRUSTED_CA_CONFIGMAP: \""
              + trustedCa
              + "\" (expected: a ConfigMap name such as \"wayout-trusted-ca\")");
    }
    if (policy == null) {
      return null;
    }
    return new GatewayConfig(mode, names, image, policy.clusterCidrs(), role, secrets, trustedCa);
  }

  /** Only the policy part, for offline rendering; same variables and messages. */
  public static PolicyConfig policyFromEnv(Map<String, String> env) {
    EnvReader r = new EnvReader(env);
    PolicyConfig policy = policyFromEnv(r);
    r.throwIfErrors();
    return policy;
  }

  private static PolicyConfig policyFromEnv(EnvReader r) {
    var cidrs = r.cidrs(CLUSTER_CIDRS, true, CLUSTER_CIDRS_EXAMPLE);
    var waypointNamespace =
        r.string("WAYOUT_WAYPOINT_NAMESPACE", PolicyConfig.DEFAULT_WAYPOINT_NAMESPACE);
    var waypointLabels =
        r.labels("WAYOUT_WAYPOINT_POD_LABELS", PolicyConfig.DEFAULT_WAYPOINT_LABELS);
    var dnsNamespace = r.string("WAYOUT_DNS_NAMESPACE", PolicyConfig.DEFAULT_DNS_NAMESPACE);
    var dnsLabels = r.labels("WAYOUT_DNS_POD_LABELS", PolicyConfig.DEFAULT_DNS_LABELS);
    var apiServer = r.cidrs("WAYOUT_API_SERVER_CIDRS", false, "192.0.2.10/32");
    if (!r.errors().isEmpty()) {
      return null;
    }
    return new PolicyConfig(
        cidrs, waypointNamespace, waypointLabels, dnsNamespace, dnsLabels, apiServer);
  }

  /** One line for the start-up log; nothing secret is in here. */
  public String describe() {
    return "clusterCidrs="
        + policy.clusterCidrs()
        + " waypoint="
        + policy.waypointNamespace()
        + "/"
        + policy.waypointPodLabels()
        + " dns="
        + policy.dnsNamespace()
        + "/"
        + policy.dnsPodLabels()
        + " apiServerCidrs="
        + policy.apiServerCidrs()
        + " lease="
        + leaseNamespace
        + "/"
        + leaseName
        + " identity="
        + identity
        + " leaseDuration="
        + leaseDuration
        + " renewDeadline="
        + renewDeadline
        + " retryPeriod="
        + retryPeriod
        + " resync="
        + resyncPeriod
        + " workers="
        + workers
        + " metricsPort="
        + metricsPort
        + " gateways="
        + gateway.mode()
        + " gatewayClasses="
        + gateway.classes()
        + " waypointImage="
        + gateway.image();
  }
}
