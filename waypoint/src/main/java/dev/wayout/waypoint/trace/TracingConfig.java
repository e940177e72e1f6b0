package dev.wayout.waypoint.trace;

import java.net.URI;

/**
 * Where and how the waypoint exports its spans: an OTLP collector ({@code endpoint}, null when
 * tracing is off), the OTLP transport ({@code grpc} or {@code http/protobuf}), the share of
 * requests that start a trace when none came in (a percentage, as Istio's {@code sampling}), and
 * the {@code service.name} the spans carry.
 */
public record TracingConfig(
    URI endpoint, String protocol, double samplingPercent, String serviceName) {

  public static final String GRPC = "grpc";
  public static final String HTTP_PROTOBUF = "http/protobuf";

  public static final TracingConfig OFF = new TracingConfig(null, GRPC, 1, "waypoint");

  public boolean enabled() {
    return endpoint != null;
  }

  /**
   * The URL the exporter posts to: a gRPC endpoint as given; for HTTP, {@code /v1/traces} added
   * when the URL has no path, as OpenTelemetry's {@code OTEL_EXPORTER_OTLP_ENDPOINT} is read.
   */
  public String exportUrl() {
    String url = endpoint.toString();
    if (protocol.equals(HTTP_PROTOBUF)) {
      String path = endpoint.getRawPath();
      if (path == null || path.isEmpty() || path.equals("/")) {
        return (url.endsWith("/") ? url.substring(0, url.length() - 1) : url) + "/v1/traces";
      }
    }
    return url;
  }

  @Override
  public String toString() {
    return enabled()
        ? endpoint + " (" + protocol + ", " + samplingPercent + "% sampled, " + serviceName + ")"
        : "off";
  }
}
