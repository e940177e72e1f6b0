package dev.wayout.webhook.review;

import dev.wayout.webhook.admission.AdmissionRequest;
import dev.wayout.webhook.admission.AdmissionResponse;

/** Decides one admission request. Implementations are pure and thread-safe. */
@FunctionalInterface
public interface Reviewer {

  AdmissionResponse review(AdmissionRequest request);
}
