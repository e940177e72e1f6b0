package dev.wayout.webhook.admission;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code request} of an {@code admission.k8s.io/v1} AdmissionReview, with only the fields
 * Wayout decides on. {@code object} and {@code oldObject} stay JSON trees here; reviewers turn them
 * into model records at the edge.
 *
 * @param group the API group of {@code request.kind}; "" for the core group
 * @param object null on DELETE
 * @param oldObject null on CREATE
 */
public record AdmissionRequest(
    String uid,
    String group,
    String version,
    String kind,
    String operation,
    String namespace,
    String name,
    UserInfo userInfo,
    JsonNode object,
    JsonNode oldObject,
    boolean dryRun) {

  public AdmissionRequest {
    group = group == null ? "" : group;
    version = version == null ? "" : version;
    kind = kind == null ? "" : kind;
    operation = operation == null ? "" : operation;
    namespace = namespace == null ? "" : namespace;
    name = name == null ? "" : name;
    userInfo = userInfo == null ? UserInfo.ANONYMOUS : userInfo;
  }

  /** {@code namespace/name} or {@code name}, for log lines and messages. */
  public String objectRef() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }

  /** {@code request.object} as JSON text (for callers on another JSON library); null on DELETE. */
  public String objectJson() {
    return object == null ? null : object.toString();
  }

  public boolean isCreateOrUpdate() {
    return operation.equals("CREATE") || operation.equals("UPDATE");
  }
}
