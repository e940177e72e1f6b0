package dev.wayout.webhook.review;

import dev.wayout.model.DestinationRule;
import dev.wayout.model.IstioDocuments;
import dev.wayout.model.ServiceEntry;
import dev.wayout.model.VirtualService;
import dev.wayout.webhook.admission.AdmissionRequest;
import dev.wayout.webhook.admission.AdmissionResponse;

/**
 * What {@code POST /validate} decides: Istio kinds go to {@link IstioReviewer}, Namespaces to
 * {@link NamespaceLabelGuard}; anything else the configuration should not have sent is allowed.
 */
public final class ValidatingReviewer implements Reviewer {

  private final Reviewer istio;
  private final Reviewer namespaces;

  public ValidatingReviewer(Reviewer istio, Reviewer namespaces) {
    this.istio = istio;
    this.namespaces = namespaces;
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
      return namespaces.review(request);
    }
    return AdmissionResponse.allow();
  }
}
