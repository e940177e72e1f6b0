package dev.wayout.webhook.admission;

/**
 * The HTTP body is not an AdmissionReview Wayout can answer: empty, too large, not JSON, the wrong
 * apiVersion or kind, or without {@code request.uid}. Carries the HTTP status (a 4xx), a message
 * saying what was expected, and the uid when it could be read.
 */
public final class InvalidReviewException extends RuntimeException {

  private final int status;
  private final String uid;

  public InvalidReviewException(int status, String message, String uid) {
    super(message, null, false, false);
    if (status < 400 || status > 499) {
      throw new IllegalArgumentException("an invalid review is a 4xx, not " + status);
    }
    this.status = status;
    this.uid = uid == null ? "" : uid;
  }

  public int status() {
    return status;
  }

  public String uid() {
    return uid;
  }
}
