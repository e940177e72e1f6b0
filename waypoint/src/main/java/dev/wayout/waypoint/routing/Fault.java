package dev.wayout.waypoint.routing;

import dev.wayout.model.GrpcStatus;
import dev.wayout.model.HttpRoute;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A route's {@code fault}, as Istio configures Envoy's fault filter: a fixed delay and an abort,
 * each for a share of requests in millionths (an unset percentage is 0, as Envoy reads it).
 */
public record Fault(
    long delayNanos, int delayPerMillion, int abortStatus, String grpcStatus, int abortPerMillion) {

  static Fault of(HttpRoute.Fault f) {
    if (f == null) {
      return null;
    }
    long delay = 0;
    int delayShare = 0;
    if (f.delay() != null && f.delay().fixedDelay() != null) {
      delay = f.delay().fixedDelay().toNanos();
      delayShare =
          f.delay().percentage() != null
              ? perMillion(f.delay().percentage())
              : f.delay().percent() == null ? 0 : f.delay().percent() * 10_000;
    }
    int status = 0;
    String grpc = null;
    int abortShare = 0;
    if (f.abort() != null) {
      if (f.abort().httpStatus() != null) {
        status = f.abort().httpStatus();
      } else if (f.abort().grpcStatus() != null) {
        status = 200;
        grpc = String.valueOf(GrpcStatus.NAMES.indexOf(f.abort().grpcStatus()));
      }
      abortShare =
          status == 0 || f.abort().percentage() == null ? 0 : perMillion(f.abort().percentage());
    }
    return new Fault(delay, delayShare, status, grpc, abortShare);
  }

  static int perMillion(double percent) {
    return (int) Math.round(Math.max(0, Math.min(100, percent)) * 10_000);
  }

  /** Whether this request is delayed: a draw against the delay's share. */
  public boolean delays() {
    return delayNanos > 0 && draw(delayPerMillion);
  }

  public boolean aborts() {
    return abortStatus > 0 && draw(abortPerMillion);
  }

  static boolean draw(int perMillion) {
    return perMillion >= 1_000_000
        || (perMillion > 0 && ThreadLocalRandom.current().nextInt(1_000_000) < perMillion);
  }
}
