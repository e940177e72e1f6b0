package dev.wayout.model;

import java.util.Map;

/**
 * Who sent a request: the client pod's namespace, service account, workload and labels, found from
 * its IP (the waypoint's Pods informer, or the identities file with {@code --config}). Read by the
 * authorization evaluator ({@code source.namespace}, {@code source.principal}), the access log
 * ({@code source_namespace}, {@code source_principal}, {@code source_workload}) and the metrics.
 * {@link #UNKNOWN} when no pod has the address: every field null, labels empty.
 *
 * @param namespace the pod's namespace
 * @param serviceAccount the pod's service account ({@code default} when its spec names none)
 * @param workload the owning workload's name (a Deployment, StatefulSet, ...), else the pod's
 * @param labels the pod's labels
 * @param principal Istio's form of the identity, {@code cluster.local/ns/NS/sa/SA}, as {@code
 *     principals} in an AuthorizationPolicy name it (without {@code spiffe://})
 */
public record SourceIdentity(
    String namespace,
    String serviceAccount,
    String workload,
    Map<String, String> labels,
    String principal) {

  /** The trust domain of every principal: Wayout issues no identities of its own. */
  public static final String TRUST_DOMAIN = "cluster.local";

  public static final SourceIdentity UNKNOWN = new SourceIdentity(null, null, null, Map.of(), null);

  public SourceIdentity {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** The identity of a pod; the principal follows from its namespace and service account. */
  public static SourceIdentity of(
      String namespace, String serviceAccount, String workload, Map<String, String> labels) {
    if (namespace == null || namespace.isEmpty()) {
      return UNKNOWN;
    }
    String sa = serviceAccount == null || serviceAccount.isEmpty() ? "default" : serviceAccount;
    return new SourceIdentity(
        namespace, sa, workload, labels, TRUST_DOMAIN + "/ns/" + namespace + "/sa/" + sa);
  }

  public boolean known() {
    return namespace != null;
  }

  /** {@code spiffe://cluster.local/ns/NS/sa/SA}, as Istio's metrics label it; null when unknown. */
  public String spiffeId() {
    return principal == null ? null : "spiffe://" + principal;
  }
}
