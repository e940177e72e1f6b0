package dev.wayout.model;

import java.time.Duration;
import java.util.List;

/**
 * {@code trafficPolicy.outlierDetection}: when an endpoint is ejected from its cluster's load
 * balancing pool, and for how long. Absent values are null (Envoy's defaults apply).
 */
public record OutlierDetection(
    Integer consecutiveErrors,
    Integer consecutive5xxErrors,
    Integer consecutiveGatewayErrors,
    Integer consecutiveLocalOriginFailures,
    Boolean splitExternalLocalOriginErrors,
    Duration interval,
    Duration baseEjectionTime,
    Integer maxEjectionPercent,
    Integer minHealthPercent,
    List<Integer> outlierDetectionHttpErrorCodes) {

  public OutlierDetection {
    outlierDetectionHttpErrorCodes =
        outlierDetectionHttpErrorCodes == null
            ? List.of()
            : List.copyOf(outlierDetectionHttpErrorCodes);
  }

  public boolean splitsLocalOriginErrors() {
    return Boolean.TRUE.equals(splitExternalLocalOriginErrors);
  }
}
