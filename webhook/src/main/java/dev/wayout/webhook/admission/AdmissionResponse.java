package dev.wayout.webhook.admission;

import java.util.List;

/**
 * What Wayout answers to one AdmissionRequest. Made through the named constructors; {@code patch}
 * is an RFC 6902 JSON Patch text or null, {@code message} is empty when allowed without comment.
 */
public record AdmissionResponse(
    boolean allowed, int code, String message, List<String> warnings, String patch) {

  public AdmissionResponse {
    message = message == null ? "" : message;
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  public static AdmissionResponse allow() {
    return new AdmissionResponse(true, 200, "", List.of(), null);
  }

  public static AdmissionResponse allow(List<String> warnings) {
    return new AdmissionResponse(true, 200, "", warnings, null);
  }

  /** Refuses the request: kubectl prints the message after "denied the request:". */
  public static AdmissionResponse deny(String message, List<String> warnings) {
    return new AdmissionResponse(false, 403, message, warnings, null);
  }

  /** Refuses a request that is not a well-formed AdmissionReview (HTTP 4xx with this code). */
  public static AdmissionResponse invalid(int code, String message) {
    return new AdmissionResponse(false, code, message, List.of(), null);
  }

  /** Allows the request with a JSON Patch the API server applies to the object. */
  public static AdmissionResponse patch(String jsonPatch) {
    return new AdmissionResponse(true, 200, "", List.of(), jsonPatch);
  }

  /** Allows the request with a JSON Patch and warnings for the requester. */
  public static AdmissionResponse patch(String jsonPatch, List<String> warnings) {
    return new AdmissionResponse(true, 200, "", warnings, jsonPatch);
  }

  public boolean hasPatch() {
    return patch != null;
  }

  /** The result label of the review metric: allowed, patched, denied or invalid. */
  public String result() {
    if (allowed) {
      return hasPatch() ? "patched" : "allowed";
    }
    return code == 403 ? "denied" : "invalid";
  }
}
