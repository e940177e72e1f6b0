package dev.wayout.model;

import static dev.wayout.model.PolicyChecks.duration;
import static dev.wayout.model.PolicyChecks.nonNegative;
import static dev.wayout.model.PolicyChecks.percent;

/** Istio's validateOutlierDetection, with the CRD schema's ranges, for {@code outlierDetection}. */
final class OutlierDetectionValidator {

  private OutlierDetectionValidator() {}

  static void check(OutlierDetection outlier, String path, Findings f) {
    if (outlier == null) {
      return;
    }
    duration(outlier.baseEjectionTime(), path + ".baseEjectionTime", f);
    if (outlier.consecutiveErrors() != null && outlier.consecutiveErrors() != 0) {
      f.warn(
          path + ".consecutiveErrors",
          "is deprecated",
          "use consecutive5xxErrors or consecutiveGatewayErrors");
    }
    Integer local = outlier.consecutiveLocalOriginFailures();
    if (!outlier.splitsLocalOriginErrors() && local != null && local > 0) {
      f.error(
          path + ".consecutiveLocalOriginFailures",
          local
              + " is set, but splitExternalLocalOriginErrors is not true, so local failures are"
              + " counted with the upstream's errors",
          "set splitExternalLocalOriginErrors: true, or remove consecutiveLocalOriginFailures");
    }
    duration(outlier.interval(), path + ".interval", f);
    percent(outlier.maxEjectionPercent(), path + ".maxEjectionPercent", f);
    percent(outlier.minHealthPercent(), path + ".minHealthPercent", f);
    nonNegative(outlier.consecutive5xxErrors(), path + ".consecutive5xxErrors", f);
    nonNegative(outlier.consecutiveGatewayErrors(), path + ".consecutiveGatewayErrors", f);
    nonNegative(local, path + ".consecutiveLocalOriginFailures", f);
    for (int i = 0; i < outlier.outlierDetectionHttpErrorCodes().size(); i++) {
      int code = outlier.outlierDetectionHttpErrorCodes().get(i);
      if (code < 100 || code > 599) {
        f.error(
            path + ".outlierDetectionHttpErrorCodes[" + i + "]",
            code + " is not an HTTP status code",
            "use a code from 100 to 599, e.g. 503");
      }
    }
  }
}
