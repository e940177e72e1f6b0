package dev.wayout.model;

import java.time.Duration;

/** {@code trafficPolicy.outlierDetection}: the fields Istio's validator constrains. */
public record OutlierDetection(
    Integer consecutiveErrors,
    Integer consecutive5xxErrors,
    Integer consecutiveGatewayErrors,
    Duration interval,
    Duration baseEjectionTime,
    Integer maxEjectionPercent,
    Integer minHealthPercent) {}
