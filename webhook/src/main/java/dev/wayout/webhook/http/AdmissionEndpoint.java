package dev.wayout.webhook.http;

import dev.wayout.webhook.admission.AdmissionRequest;
import dev.wayout.webhook.admission.AdmissionResponse;
import dev.wayout.webhook.admission.AdmissionReviews;
import dev.wayout.webhook.admission.InvalidReviewException;
import dev.wayout.webhook.review.Reviewer;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of admission: reads the body (bounded), decodes the AdmissionReview, asks a {@link
 * Reviewer}, writes the answer, records a metric and one log line. Anything wrong with the request
 * itself is a 4xx that still carries an AdmissionReview with a message.
 */
public final class AdmissionEndpoint {

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionEndpoint.class);
  private static final String JSON = "application/json";

  /** Past this, a client sending an oversized body gets its connection closed instead. */
  private static final long MAX_DRAIN_BYTES = 16L * 1024 * 1024;

  private final Reviewer validating;
  private final Reviewer namespaceMutating;
  private final Reviewer podMutating;
  private final WebhookMetrics metrics;

  /**
   * @param podMutating decides {@code POST /mutate/pods} (the enforcer's init-container injection)
   */
  public AdmissionEndpoint(
      Reviewer validating,
      Reviewer namespaceMutating,
      Reviewer podMutating,
      WebhookMetrics metrics) {
    this.validating = validating;
    this.namespaceMutating = namespaceMutating;
    this.podMutating = podMutating;
    this.metrics = metrics;
  }

  /** {@code POST /validate}. */
  public void validate(Context ctx) {
    handle(ctx, validating);
  }

  /** {@code POST /mutate/namespaces}. */
  public void mutateNamespaces(Context ctx) {
    handle(ctx, namespaceMutating);
  }

  /** {@code POST /mutate/pods}. */
  public void mutatePods(Context ctx) {
    handle(ctx, podMutating);
  }

  private void handle(Context ctx, Reviewer reviewer) {
    long start = System.nanoTime();
    AdmissionRequest request;
    try {
      checkContentType(ctx.header("Content-Type"));
      request = AdmissionReviews.decode(body(ctx));
    } catch (InvalidReviewException e) {
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      AdmissionResponse response = AdmissionResponse.invalid(e.status(), e.getMessage());
      metrics.record("", "", response.result(), elapsed);
      LOG.info(
          "review uid={} refused path={} status={} reason=\"{}\" duration={}",
          e.uid().isEmpty() ? "-" : e.uid(),
          ctx.path(),
          e.status(),
          e.getMessage(),
          elapsed);
      ctx.status(e.status()).contentType(JSON).result(AdmissionReviews.encode(e.uid(), response));
      return;
    }
    AdmissionResponse response;
    try {
      response = reviewer.review(request);
    } catch (RuntimeException e) {
      // A bug of ours on an odd object: refuse it with a message, never a 500 or a stack trace.
      LOG.error(
          "review uid={} failed on {} {}", request.uid(), request.kind(), request.objectRef(), e);
      response =
          AdmissionResponse.invalid(
              400,
              "Wayout could not check this "
                  + request.kind()
                  + " ("
                  + e.getClass().getSimpleName()
                  + "); this is a bug in Wayout: please report it with the object");
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    metrics.record(request.kind(), request.operation(), response.result(), elapsed);
    LOG.info(
        "review uid={} operation={} kind={} object={} user={} dryRun={} allowed={} result={}"
            + " warnings={} duration={}",
        request.uid(),
        request.operation(),
        request.kind(),
        request.objectRef(),
        request.userInfo().username(),
        request.dryRun(),
        response.allowed(),
        response.result(),
        response.warnings().size(),
        elapsed);
    ctx.status(200).contentType(JSON).result(AdmissionReviews.encode(request.uid(), response));
  }

  private static void checkContentType(String contentType) {
    String mediaType =
        contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    if (!mediaType.equals(JSON)) {
      throw new InvalidReviewException(
          415,
          "Content-Type "
              + (contentType == null ? "is missing" : "\"" + contentType + "\" is not supported")
              + "; send the AdmissionReview as "
              + JSON,
          null);
    }
  }

  /**
   * Reads at most {@link AdmissionReviews#MAX_BODY_BYTES}. The rest of a longer body is read and
   * dropped, up to a bound, so that the client sees the 413 instead of a reset connection.
   */
  private static byte[] body(Context ctx) {
    try (InputStream in = ctx.bodyInputStream()) {
      byte[] body = in.readNBytes(AdmissionReviews.MAX_BODY_BYTES + 1);
      if (body.length > AdmissionReviews.MAX_BODY_BYTES) {
        drain(in);
        throw AdmissionReviews.tooLarge();
      }
      return body;
    } catch (IOException e) {
      throw new InvalidReviewException(
          400, "the request body could not be read: " + e.getMessage(), null);
    }
  }

  private static void drain(InputStream in) throws IOException {
    long left = MAX_DRAIN_BYTES;
    byte[] sink = new byte[64 * 1024];
    for (int n = in.read(sink); n >= 0 && left > 0; n = in.read(sink)) {
      left -= n;
    }
  }
}
