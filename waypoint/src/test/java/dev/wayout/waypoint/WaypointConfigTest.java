package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wayout.waypoint.trace.TracingConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WaypointConfigTest {

  @Test
  void defaultsToIstiosPortsAndSafeLimits() {
    WaypointConfig c = WaypointConfig.defaults();
    assertThat(c.name()).isEqualTo("waypoint");
    assertThat(c.httpPort()).isEqualTo(15001);
    assertThat(c.tlsPort()).isEqualTo(15443);
    assertThat(c.metricsPort()).isEqualTo(15020);
    assertThat(c.healthPort()).isEqualTo(15021);
    assertThat(c.maxHeaderBytes()).isEqualTo(60 * 1024);
    assertThat(c.maxHeaders()).isEqualTo(100);
    assertThat(c.allowLoopbackUpstreams()).isFalse();
    assertThat(c.eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void runsTheEventLoopsItIsGiven() {
    WaypointConfig c = WaypointConfig.fromEnv(Map.of("WAYOUT_WAYPOINT_EVENT_LOOP_THREADS", "3"));
    assertThat(c.eventLoops()).isEqualTo(3);
  }

  @Test
  void readsEveryVariable() {
    WaypointConfig c =
        WaypointConfig.fromEnv(
            Map.of(
                "WAYOUT_WAYPOINT_NAME", "egress",
                "WAYOUT_WAYPOINT_HTTP_PORT", "8080",
                "WAYOUT_WAYPOINT_CLUSTER_CIDRS", "10.0.0.0/8, fd00::/8",
                "WAYOUT_WAYPOINT_DNS_SERVERS", "10.96.0.10,127.0.0.1:5353",
                "WAYOUT_WAYPOINT_CONNECT_TIMEOUT", "250ms",
                "WAYOUT_WAYPOINT_ALLOW_LOOPBACK_UPSTREAMS", "true"));
    assertThat(c.name()).isEqualTo("egress");
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.clusterCidrs())
        .extracting(Object::toString)
        .containsExactly("10.0.0.0/8", "fd00::/8");
    assertThat(c.dnsServers()).extracting(a -> a.getPort()).containsExactly(53, 5353);
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.allowLoopbackUpstreams()).isTrue();
  }

  @Test
  void namesEveryBadVariableWithItsValueAndWhatIsExpected() {
    assertThatThrownBy(
            () ->
                WaypointConfig.fromEnv(
                    Map.of(
                        "WAYOUT_WAYPOINT_HTTP_PORT", "80a",
                        "WAYOUT_WAYPOINT_CONNECT_TIMEOUT", "ten seconds",
                        "WAYOUT_WAYPOINT_DNS_SERVERS", "dns.example.com")))
        .hasMessageContaining(
            "WAYOUT_WAYPOINT_HTTP_PORT: \"80a\" (expected: an integer from 0 to 65535")
        .hasMessageContaining(
            "WAYOUT_WAYPOINT_CONNECT_TIMEOUT: \"ten seconds\" (expected: a duration such as")
        .hasMessageContaining(
            "WAYOUT_WAYPOINT_DNS_SERVERS: \"dns.example.com\" (expected: comma-separated IP[:port]");
  }

  @Test
  void tracesNothingUnlessACollectorIsNamed() {
    assertThat(WaypointConfig.defaults().tracing().enabled()).isFalse();
  }

  @Test
  void readsTheTracingVariables() {
    TracingConfig t =
        WaypointConfig.fromEnv(
                Map.of(
                    "WAYOUT_WAYPOINT_NAME", "egress",
                    "WAYOUT_WAYPOINT_NAMESPACE", "istio-egress",
                    "WAYOUT_WAYPOINT_TRACING_ENDPOINT", "http://collector.observability:4318",
                    "WAYOUT_WAYPOINT_TRACING_PROTOCOL", "http/protobuf",
                    "WAYOUT_WAYPOINT_TRACING_SAMPLING", "0.5"))
            .tracing();
    assertThat(t.enabled()).isTrue();
    assertThat(t.exportUrl()).isEqualTo("http://collector.observability:4318/v1/traces");
    assertThat(t.samplingPercent()).isEqualTo(0.5);
    assertThat(t.serviceName()).isEqualTo("egress.istio-egress");
    TracingConfig grpc =
        WaypointConfig.fromEnv(
                Map.of("WAYOUT_WAYPOINT_TRACING_ENDPOINT", "http://collector.observability:4317"))
            .tracing();
    assertThat(grpc.protocol()).isEqualTo("grpc");
    assertThat(grpc.exportUrl()).isEqualTo("http://collector.observability:4317");
    assertThat(grpc.samplingPercent()).isEqualTo(1.0); // Istio's default
  }

  @Test
  void namesABadTracingVariableWithWhatIsExpected() {
    assertThatThrownBy(
            () ->
                WaypointConfig.fromEnv(
                    Map.of(
                        "WAYOUT_WAYPOINT_TRACING_ENDPOINT", "collector:4317",
                        "WAYOUT_WAYPOINT_TRACING_SAMPLING", "150",
                        "WAYOUT_WAYPOINT_TRACING_PROTOCOL", "zipkin")))
        .hasMessageContaining(
            "WAYOUT_WAYPOINT_TRACING_ENDPOINT: \"collector:4317\" (expected: the http:// or https://"
                + " URL of an OTLP collector, e.g. \"http://otel-collector.observability:4317\")")
        .hasMessageContaining(
            "WAYOUT_WAYPOINT_TRACING_SAMPLING: \"150\" (expected: a percentage from 0 to 100")
        .hasMessageContaining(
            "WAYOUT_WAYPOINT_TRACING_PROTOCOL: \"zipkin\" (expected: one of grpc, http/protobuf)");
  }
}
