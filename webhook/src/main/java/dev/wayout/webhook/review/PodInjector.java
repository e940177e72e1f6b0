package dev.wayout.webhook.review;

import dev.wayout.webhook.admission.AdmissionRequest;
import dev.wayout.webhook.admission.AdmissionResponse;
import dev.wayout.webhook.inject.InjectionConfig;
import dev.wayout.webhook.inject.PodMutation;
import dev.wayout.webhook.inject.Requester;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mutating: a Pod created in an enforced namespace gets the {@code wayout-init} init container
 * ({@link PodMutation} decides; this class only adapts the AdmissionReview to it). The webhook
 * configuration sends only Pods of namespaces labelled {@code wayout.dev/egress=enforced}. A Pod is
 * never refused: the worst case is a Pod admitted without capture, which the NetworkPolicies still
 * confine, so the answer is a patch or an allow, with warnings kubectl prints.
 */
public final class PodInjector implements Reviewer {

  private static final Logger LOG = LoggerFactory.getLogger(PodInjector.class);

  private final InjectionConfig config;
  private final Supplier<List<InetAddress>> waypointAddresses;
  private final String waypointSource;

  /**
   * @param config image, ranges and who may opt out; its waypoint addresses are ignored
   * @param waypointAddresses the waypoint's cluster IPs now (configured or from its Service)
   * @param waypointSource where they come from, for the warning when there are none, e.g. {@code
   *     Service wayout-system/wayout-waypoint}
   */
  public PodInjector(
      InjectionConfig config,
      Supplier<List<InetAddress>> waypointAddresses,
      String waypointSource) {
    this.config = config;
    this.waypointAddresses = waypointAddresses;
    this.waypointSource = waypointSource;
  }

  @Override
  public AdmissionResponse review(AdmissionRequest request) {
    if (!request.operation().equals("CREATE")
        || !request.kind().equals("Pod")
        || !request.group().isEmpty()
        || request.object() == null) {
      return AdmissionResponse.allow();
    }
    List<InetAddress> waypoint = waypointAddresses.get();
    PodMutation.Result result =
        PodMutation.mutate(
            request.objectJson(),
            new Requester(request.userInfo().username(), request.userInfo().groups()),
            config.withWaypointAddresses(waypoint));
    result
        .skipped()
        .ifPresent(
            reason ->
                LOG.info(
                    "pod {} in {} left without {}: {}",
                    podName(request),
                    request.namespace(),
                    PodMutation.INIT_CONTAINER,
                    reason));
    if (!result.changes()) {
      return AdmissionResponse.allow(result.warnings());
    }
    List<String> warnings = new ArrayList<>(result.warnings());
    if (waypoint.isEmpty()) {
      warnings.add(
          "spec.initContainers[0] ("
              + PodMutation.INIT_CONTAINER
              + "): the waypoint's address is not known yet ("
              + waypointSource
              + " has no cluster IP), so the init container will fail and the pod will not start"
              + " until the waypoint Service exists; create it (kubectl apply -k manifests/waypoint)"
              + " and recreate the pod");
    }
    return AdmissionResponse.patch(result.patchJson(), warnings);
  }

  /** Pods made by controllers have only generateName at admission time. */
  private static String podName(AdmissionRequest request) {
    if (!request.name().isEmpty()) {
      return request.name();
    }
    String generated = request.object().path("metadata").path("generateName").asText("");
    return generated.isEmpty() ? "(unnamed)" : generated + "*";
  }
}
