package dev.wayout.webhook.inject;

import dev.wayout.model.Cidr;
import io.fabric8.zjsonpatch.JsonDiff;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Computes the JSON Patch that adds Wayout's init container to a Pod of an enforced namespace (the
 * mutating webhook's {@code /mutate/pods}). Pure: pod JSON and requester in, patch out. The init
 * container runs {@code wayout init}, which applies the capture rules in the pod's network
 * namespace before any other container starts.
 *
 * <p>The webhook's configuration selects only namespaces labelled {@code
 * wayout.dev/egress=enforced} ({@code namespaceSelector}), so this class does not look at the
 * namespace.
 */
public final class PodMutation {

  public static final String INIT_CONTAINER = "wayout-init";

  /** {@code wayout.dev/egress-capture: disabled} asks for no init container. */
  public static final String OPT_OUT_ANNOTATION = "wayout.dev/egress-capture";

  public static final String OPT_OUT_VALUE = "disabled";

  /** The labels the enforcer's Gateway controller puts on a waypoint's pods. */
  static final String GATEWAY_NAME = "gateway.networking.k8s.io/gateway-name";

  static final String WAYPOINT = "wayout.dev/waypoint";
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  /** Who creates a Deployment's pods: the ReplicaSet controller (own or shared credentials). */
  static final Set<String> POD_CREATORS =
      Set.of(
          "system:serviceaccount:kube-system:replicaset-controller",
          "system:kube-controller-manager");

  /**
   * A pod of a waypoint Deployment made by the Gateway controller: its labels say so and the
   * ReplicaSet controller creates it. Anyone who may create Deployments with those labels in an
   * enforced namespace gets pods without capture (still under the namespace's NetworkPolicy): keep
   * waypoint Gateways in namespaces whose tenants cannot create Deployments (README).
   */
  static boolean isGatewayWaypoint(JsonNode pod, Requester requester) {
    JsonNode labels = pod.path("metadata").path("labels");
    return "wayout".equals(labels.path(MANAGED_BY).asString(""))
        && !labels.path(GATEWAY_NAME).asString("").isEmpty()
        && labels.path(GATEWAY_NAME).asString("").equals(labels.path(WAYPOINT).asString(""))
        && POD_CREATORS.contains(requester.username());
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * What to do with one Pod.
   *
   * @param patch the JSON Patch (an empty array when nothing changes)
   * @param skipped why no init container was added, when none was
   * @param warnings for {@code response.warnings}: things the requester should know
   */
  public record Result(ArrayNode patch, Optional<String> skipped, List<String> warnings) {

    public Result {
      warnings = List.copyOf(warnings);
    }

    public boolean changes() {
      return !patch.isEmpty();
    }

    /** The patch as JSON text, for {@code response.patch} (base64 of these bytes). */
    public String patchJson() {
      return patch.toString();
    }
  }

  private PodMutation() {}

  /**
   * The patch for a pod given as JSON text, for callers on another Jackson version.
   *
   * @throws IllegalArgumentException when {@code podJson} is not a JSON object
   */
  public static Result mutate(String podJson, Requester requester, InjectionConfig config) {
    JsonNode pod;
    try {
      pod = JSON.readTree(podJson);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("request.object: not valid JSON: " + e.getMessage(), e);
    }
    if (pod == null || !pod.isObject()) {
      throw new IllegalArgumentException("request.object: expected a Pod object");
    }
    return mutate(pod, requester, config);
  }

  /** The patch for {@code pod} ({@code request.object}) created by {@code requester}. */
  public static Result mutate(JsonNode pod, Requester requester, InjectionConfig config) {
    JsonNode spec = pod.path("spec");
    if (spec.path("hostNetwork").asBoolean(false)) {
      // rules in the node's network namespace would capture the node's own traffic
      return skip(
          "the pod uses the host's network; capture rules would apply to the node", List.of());
    }
    for (JsonNode c : spec.path("initContainers")) {
      if (INIT_CONTAINER.equals(c.path("name").asString())) {
        return skip("the pod already has the " + INIT_CONTAINER + " init container", List.of());
      }
    }
    if (isGatewayWaypoint(pod, requester)) {
      // its own upstream connections would be sent back to the default waypoint, which forwards
      // the hosts it serves back to it: a loop; its egress is confined by NetworkPolicy instead
      return skip(
          "the pod is the waypoint of Gateway "
              + pod.path("metadata").path("labels").path(GATEWAY_NAME).asString("")
              + ", created by "
              + requester.username(),
          List.of());
    }
    String optOut = pod.path("metadata").path("annotations").path(OPT_OUT_ANNOTATION).asString("");
    List<String> warnings = List.of();
    if (OPT_OUT_VALUE.equals(optOut)) {
      if (config.mayOptOut(requester)) {
        return skip(
            "annotation "
                + OPT_OUT_ANNOTATION
                + "="
                + OPT_OUT_VALUE
                + " set by "
                + requester.username(),
            List.of());
      }
      warnings =
          List.of(
              "metadata.annotations[\""
                  + OPT_OUT_ANNOTATION
                  + "\"]: \""
                  + OPT_OUT_VALUE
                  + "\" is ignored for "
                  + requester.username()
                  + "; only "
                  + whoMayOptOut(config)
                  + " may opt a pod out of egress capture");
    }
    if (!(pod.deepCopy() instanceof ObjectNode mutated)) {
      throw new IllegalArgumentException("request.object: expected a Pod object");
    }
    ObjectNode mutatedSpec =
        mutated.has("spec") && mutated.get("spec").isObject()
            ? (ObjectNode) mutated.get("spec")
            : mutated.putObject("spec");
    ArrayNode inits =
        mutatedSpec.get("initContainers") instanceof ArrayNode existing
            ? existing
            : mutatedSpec.putArray("initContainers");
    // first, so that no other init container runs with an open way out
    inits.insert(0, initContainer(config));
    ArrayNode patch = (ArrayNode) JsonDiff.asJson(pod, mutated);
    return new Result(patch, Optional.empty(), warnings);
  }

  /** The init container, as the webhook adds it. */
  public static ObjectNode initContainer(InjectionConfig config) {
    ObjectNode c = NODES.objectNode();
    c.put("name", INIT_CONTAINER);
    c.put("image", config.image());
    ArrayNode args = c.putArray("args");
    args.add("init");
    args.add("--cluster-cidrs");
    args.add(config.clusterCidrs().stream().map(Cidr::toString).collect(Collectors.joining(",")));
    for (InetAddress waypoint : config.waypointAddresses()) {
      args.add("--waypoint");
      args.add(Cidr.format(waypoint));
    }
    ObjectNode security = c.putObject("securityContext");
    ObjectNode caps = security.putObject("capabilities");
    caps.putArray("add").add("NET_ADMIN").add("NET_RAW");
    caps.putArray("drop").add("ALL");
    security.put("runAsUser", 0);
    security.put("runAsNonRoot", false);
    security.put("privileged", false);
    security.put("allowPrivilegeEscalation", false);
    security.put("readOnlyRootFilesystem", true);
    ObjectNode resources = c.putObject("resources");
    resources.putObject("requests").put("cpu", "10m").put("memory", "64Mi");
    resources.putObject("limits").put("memory", "256Mi");
    return c;
  }

  private static String whoMayOptOut(InjectionConfig config) {
    if (config.optOutUsers().isEmpty() && config.optOutGroups().isEmpty()) {
      return "nobody (no identities are configured)";
    }
    String users = config.optOutUsers().stream().sorted().collect(Collectors.joining(", "));
    String groups = config.optOutGroups().stream().sorted().collect(Collectors.joining(", "));
    return (users.isEmpty() ? "" : "users " + users)
        + (users.isEmpty() || groups.isEmpty() ? "" : " and ")
        + (groups.isEmpty() ? "" : "members of groups " + groups);
  }

  private static Result skip(String reason, List<String> warnings) {
    return new Result(JSON.createArrayNode(), Optional.of(reason), warnings);
  }
}
