package dev.wayout.webhook.review;

import dev.wayout.model.DestinationRule;
import dev.wayout.model.FieldError;
import dev.wayout.model.Gateway;
import dev.wayout.model.IstioDocuments;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.VirtualService;
import dev.wayout.webhook.admission.AdmissionRequest;
import dev.wayout.webhook.admission.AdmissionResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code POST /validate} decides: Istio kinds go to {@link IstioReviewer}, Namespaces to
 * {@link NamespaceLabelGuard}, both with the waypoint warnings when there is a cluster to look in;
 * Gateways get only those warnings; anything else the configuration should not have sent is
 * allowed.
 */
public final class ValidatingReviewer implements Reviewer {

  private final Reviewer istio;
  private final Reviewer namespaces;
  private final WaypointWarnings waypoints;

  public ValidatingReviewer(Reviewer istio, Reviewer namespaces) {
    this(istio, namespaces, null);
  }

  /**
   * @param waypoints the waypoint checks of Namespaces and Gateways; null without a cluster
   */
  public ValidatingReviewer(Reviewer istio, Reviewer namespaces, WaypointWarnings waypoints) {
    this.istio = istio;
    this.namespaces = namespaces;
    this.waypoints = waypoints;
  }

  @Override
  public AdmissionResponse review(AdmissionRequest request) {
    if (request.group().equals(IstioDocuments.GROUP)
        && (request.kind().equals(ServiceEntry.KIND)
            || request.kind().equals(DestinationRule.KIND)
            || request.kind().equals(VirtualService.KIND))) {
      return istio.review(request);
    }
    if (request.group().isEmpty() && request.kind().equals("Namespace")) {
      AdmissionResponse guarded = namespaces.review(request);
      if (waypoints == null || !request.isCreateOrUpdate() || request.object() == null) {
        return guarded;
      }
      return withWarnings(guarded, waypoints.namespace(request.object()));
    }
    if (request.group().equals(Gateway.GROUP) && request.kind().equals(Gateway.KIND)) {
      if (waypoints == null || !request.isCreateOrUpdate() || request.object() == null) {
        return AdmissionResponse.allow();
      }
      return AdmissionResponse.allow(
          messages(
              waypoints.gateway(
                  IstioReviewer.withNamespace(request.object(), request.namespace()))));
    }
    return AdmissionResponse.allow();
  }

  private static AdmissionResponse withWarnings(AdmissionResponse response, List<FieldError> more) {
    if (more.isEmpty()) {
      return response;
    }
    List<String> warnings = new ArrayList<>(response.warnings());
    warnings.addAll(messages(more));
    return new AdmissionResponse(
        response.allowed(), response.code(), response.message(), warnings, response.patch());
  }

  private static List<String> messages(List<FieldError> errors) {
    return errors.stream().map(FieldError::message).toList();
  }
}
