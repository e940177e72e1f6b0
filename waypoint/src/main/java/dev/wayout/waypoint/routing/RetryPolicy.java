package dev.wayout.waypoint.routing;

import dev.wayout.model.HttpRoute.Retry;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * A route's {@code retries} as Envoy applies them: {@code attempts} retries after the first try,
 * each within {@code perTryTimeout}, on the {@code retryOn} conditions (Istio's default conditions
 * when none are given). Only requests without a body are retried: the waypoint does not keep a copy
 * of a body it has forwarded.
 */
public final class RetryPolicy {

  /** Istio's default {@code retryOn} when {@code attempts} is set without it. */
  static final String DEFAULT_RETRY_ON =
      "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

  public final int attempts;
  public final long perTryTimeoutNanos;
  private final boolean on5xx;
  private final boolean onGatewayError;
  private final boolean onReset;
  private final boolean onConnectFailure;
  private final boolean onRetriable4xx;
  private final Set<Integer> statuses;

  private RetryPolicy(int attempts, Duration perTry, String retryOn) {
    this.attempts = attempts;
    this.perTryTimeoutNanos = perTry == null ? 0 : perTry.toNanos();
    Set<String> on = Set.of(retryOn.split(","));
    Set<Integer> codes = new HashSet<>();
    for (String s : on) {
      if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
        codes.add(Integer.parseInt(s));
      }
    }
    this.on5xx = on.contains("5xx");
    this.onGatewayError = on.contains("gateway-error");
    this.onReset = on.contains("reset") || on.contains("reset-before-request");
    this.onConnectFailure = on.contains("connect-failure") || on.contains("reset-before-request");
    this.onRetriable4xx = on.contains("retriable-4xx");
    this.statuses = Set.copyOf(codes);
  }

  /** Null when the route does not retry ({@code attempts: 0}). */
  static RetryPolicy of(Retry r) {
    if (r == null || r.attempts() == null || r.attempts() <= 0) {
      return null;
    }
    String on = r.retryOn() == null || r.retryOn().isEmpty() ? DEFAULT_RETRY_ON : r.retryOn();
    return new RetryPolicy(r.attempts(), r.perTryTimeout(), on);
  }

  /** Whether an upstream answer with this status is tried again. */
  public boolean retriesStatus(int status) {
    return (on5xx && status >= 500 && status <= 599)
        || (onGatewayError && (status == 502 || status == 503 || status == 504))
        || (onRetriable4xx && status == 409)
        || statuses.contains(status);
  }

  /** A per-try timeout counts as a 504 from the upstream. */
  public boolean retriesTimeout() {
    return on5xx || onGatewayError || statuses.contains(504);
  }

  public boolean retriesReset() {
    return onReset || on5xx;
  }

  public boolean retriesConnectFailure() {
    return onConnectFailure || on5xx || onGatewayError;
  }
}
