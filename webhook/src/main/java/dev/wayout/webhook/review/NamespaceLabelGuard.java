package dev.wayout.webhook.review;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.model.Labels;
import dev.wayout.webhook.admission.AdmissionRequest;
import dev.wayout.webhook.admission.AdmissionResponse;
import java.util.List;
import java.util.Objects;

/**
 * Validating: only {@link EgressAdmins} may turn egress enforcement off for a namespace, i.e. set
 * {@code wayout.dev/egress=exempt} or remove or change {@code enforced}. Anyone may turn it on.
 */
public final class NamespaceLabelGuard implements Reviewer {

  private static final String FIELD = "metadata.labels[\"" + Labels.EGRESS + "\"]";

  private final EgressAdmins admins;

  public NamespaceLabelGuard(EgressAdmins admins) {
    this.admins = admins;
  }

  @Override
  public AdmissionResponse review(AdmissionRequest request) {
    if (!request.isCreateOrUpdate() || request.object() == null) {
      return AdmissionResponse.allow();
    }
    String now = egressLabel(request.object());
    String before = request.oldObject() == null ? null : egressLabel(request.oldObject());
    if (Objects.equals(now, before)) {
      return AdmissionResponse.allow();
    }
    if (now != null && !now.equals(Labels.EGRESS_ENFORCED) && !now.equals(Labels.EGRESS_EXEMPT)) {
      return AdmissionResponse.deny(
          FIELD
              + ": \""
              + now
              + "\" is not a value Wayout knows; use \""
              + Labels.EGRESS_ENFORCED
              + "\" or \""
              + Labels.EGRESS_EXEMPT
              + "\"",
          List.of());
    }
    boolean exempting = Labels.EGRESS_EXEMPT.equals(now);
    boolean droppingEnforced = Labels.EGRESS_ENFORCED.equals(before);
    if ((!exempting && !droppingEnforced) || admins.permits(request.userInfo())) {
      return AdmissionResponse.allow();
    }
    String change =
        exempting
            ? "setting \"" + Labels.EGRESS_EXEMPT + "\""
            : now == null
                ? "removing \"" + Labels.EGRESS_ENFORCED + "\""
                : "changing \"" + Labels.EGRESS_ENFORCED + "\" to \"" + now + "\"";
    return AdmissionResponse.deny(
        FIELD
            + ": "
            + change
            + " turns egress enforcement off for namespace "
            + namespaceName(request)
            + ", and "
            + request.userInfo()
            + " may not do that; only "
            + admins.describe()
            + " may. Ask one of them, or keep \""
            + Labels.EGRESS_ENFORCED
            + "\"",
        List.of());
  }

  private static String namespaceName(AdmissionRequest request) {
    String name = request.object().path("metadata").path("name").asText("");
    return '"' + (name.isEmpty() ? request.name() : name) + '"';
  }

  /** The label's value, or null when absent (or not a string: the API server forbids that). */
  static String egressLabel(JsonNode object) {
    JsonNode value = object.path("metadata").path("labels").get(Labels.EGRESS);
    return value != null && value.isTextual() ? value.asText() : null;
  }
}
