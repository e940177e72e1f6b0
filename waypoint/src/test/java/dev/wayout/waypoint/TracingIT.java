package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.waypoint.testsupport.OtlpReceiver;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tracing end to end: a real upstream on loopback sees the trace headers the waypoint sends, and an
 * OTLP/HTTP collector started by the test decodes the spans the waypoint exports.
 */
class TracingIT {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String PARENT_ID = "00f067aa0ba902b7";

  private final OtlpReceiver collector = newReceiver();
  private TestUpstream upstream;
  private WaypointFixture fixture;

  private static OtlpReceiver newReceiver() {
    try {
      return new OtlpReceiver();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = TestUpstream.http();
  }

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
    upstream.close();
    collector.close();
  }

  private void waypoint(String samplingPercent) throws Exception {
    fixture =
        new WaypointFixture(
            Map.of(
                "WAYOUT_WAYPOINT_TRACING_ENDPOINT",
                collector.url(),
                "WAYOUT_WAYPOINT_TRACING_PROTOCOL",
                "http/protobuf",
                "WAYOUT_WAYPOINT_TRACING_SAMPLING",
                samplingPercent));
    fixture.apply(
        WaypointFixture.staticEntry("api", "api.example.com", 80, upstream.port(), "HTTP"));
  }

  /** Sends one GET with these extra header lines; returns the upstream's view of its headers. */
  private Map<String, String> send(String headerLines) throws Exception {
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      RawHttp.Response r =
          client
              .send(
                  "GET /v1/items?id=7 HTTP/1.1\r\nHost: api.example.com\r\n" + headerLines + "\r\n")
              .read();
      assertThat(r.status()).isEqualTo(301);
    }
    return upstream.requests.get(upstream.requests.size() - 1).headers();
  }

  @Test
  void continuesAW3cTraceUpstreamWithANewParentAndExportsTheSpan() throws Exception {
    waypoint("0"); // the incoming sampled flag decides, whatever the rate

    Map<String, String> seen =
        send(
            "traceparent: 00-"
                + TRACE_ID
                + "-"
                + PARENT_ID
                + "-01\r\ntracestate: vendor=opaque\r\nuser-agent: test-client\r\n");

    String[] parts = seen.get("traceparent").split("-");
    assertThat(parts[0]).isEqualTo("00");
    assertThat(parts[1]).isEqualTo(TRACE_ID);
    String spanId = parts[2];
    assertThat(spanId).hasSize(16).isNotEqualTo(PARENT_ID).isNotEqualTo("0000000000000000");
    assertThat(parts[3]).isEqualTo("01");
    assertThat(seen.get("tracestate")).isEqualTo("vendor=opaque");
    assertThat(seen).doesNotContainKeys("b3", "x-b3-traceid");
    JsonNode log = fixture.nextLog();
    assertThat(log.get("trace_id").asText()).isEqualTo(TRACE_ID);

    fixture.waypoint.flushTraces(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(10)).until(() -> !collector.spans.isEmpty());
    assertThat(collector.spans).hasSize(1);
    OtlpReceiver.Received span = collector.spans.get(0);
    assertThat(collector.contentTypes).containsOnly("application/x-protobuf");
    assertThat(span.traceId()).isEqualTo(TRACE_ID);
    assertThat(span.spanId()).isEqualTo(spanId);
    assertThat(span.parentSpanId()).isEqualTo(PARENT_ID);
    assertThat(span.kind()).isEqualTo(SpanKind.SPAN_KIND_CLIENT);
    assertThat(span.name()).isEqualTo("api.example.com:80/*");
    assertThat(span.error()).isFalse();
    assertThat(span.endNanos() - span.startNanos()).isPositive();
    assertThat(span.attributes())
        .containsEntry("http.method", "GET")
        .containsEntry("http.url", "http://api.example.com/v1/items?id=7")
        .containsEntry("http.protocol", "HTTP/1.1")
        .containsEntry("http.status_code", "301")
        .containsEntry("response_flags", "-")
        .containsEntry("upstream_cluster", "outbound|80||api.example.com")
        .containsEntry("upstream_cluster.name", "outbound|80||api.example.com")
        .containsEntry("user_agent", "test-client")
        .containsEntry("guid:x-request-id", log.get("request_id").asText())
        .containsEntry("response_size", Integer.toString(TestUpstream.SEED_BODY.length()))
        .containsEntry("component", "proxy")
        .containsEntry("istio.namespace", "wayout-system")
        .containsEntry("istio.canonical_service", "waypoint")
        .containsKeys("peer.address", "upstream_address", "node_id");
    assertThat(span.resource()).containsEntry("service.name", "waypoint.wayout-system");
  }

  @Test
  void continuesAB3MultiHeaderTraceInB3() throws Exception {
    waypoint("0");

    Map<String, String> seen =
        send(
            "x-b3-traceid: "
                + TRACE_ID
                + "\r\nx-b3-spanid: "
                + PARENT_ID
                + "\r\nx-b3-parentspanid: 1111111111111111\r\nx-b3-sampled: 1\r\n");

    assertThat(seen.get("x-b3-traceid")).isEqualTo(TRACE_ID);
    assertThat(seen.get("x-b3-spanid")).hasSize(16).isNotEqualTo(PARENT_ID);
    assertThat(seen.get("x-b3-sampled")).isEqualTo("1");
    assertThat(seen).doesNotContainKeys("x-b3-parentspanid", "traceparent", "b3");
    assertThat(fixture.nextLog().get("trace_id").asText()).isEqualTo(TRACE_ID);
    fixture.waypoint.flushTraces(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(10)).until(() -> !collector.spans.isEmpty());
    assertThat(collector.spans.get(0).parentSpanId()).isEqualTo(PARENT_ID);
    assertThat(collector.spans.get(0).spanId()).isEqualTo(seen.get("x-b3-spanid"));
  }

  @Test
  void continuesASingleB3HeaderTraceInB3() throws Exception {
    waypoint("0");

    Map<String, String> seen = send("b3: " + TRACE_ID + "-" + PARENT_ID + "-1\r\n");

    String[] parts = seen.get("b3").split("-");
    assertThat(parts[0]).isEqualTo(TRACE_ID);
    assertThat(parts[1]).hasSize(16).isNotEqualTo(PARENT_ID);
    assertThat(parts[2]).isEqualTo("1");
    assertThat(seen).doesNotContainKeys("traceparent", "x-b3-traceid");
    fixture.nextLog();
    fixture.waypoint.flushTraces(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(10)).until(() -> !collector.spans.isEmpty());
    assertThat(collector.spans.get(0).spanId()).isEqualTo(parts[1]);
  }

  @Test
  void startsATraceWhenNoneCameAndEveryRequestIsSampled() throws Exception {
    waypoint("100");

    Map<String, String> seen = send("");

    String[] parts = seen.get("traceparent").split("-");
    assertThat(parts[1]).hasSize(32).isNotEqualTo("00000000000000000000000000000000");
    // sampled (01), and the SDK also sets W3C level 2's random-trace-id flag (02)
    assertThat(Integer.parseInt(parts[3], 16) & 1).isEqualTo(1);
    assertThat(fixture.nextLog().get("trace_id").asText()).isEqualTo(parts[1]);
    fixture.waypoint.flushTraces(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(10)).until(() -> !collector.spans.isEmpty());
    OtlpReceiver.Received span = collector.spans.get(0);
    assertThat(span.traceId()).isEqualTo(parts[1]);
    assertThat(span.spanId()).isEqualTo(parts[2]);
    assertThat(span.parentSpanId()).isEmpty(); // a root
  }

  @Test
  void startsNoTraceWhenNoneCameAndNothingIsSampled() throws Exception {
    waypoint("0");

    Map<String, String> seen = send("");

    assertThat(seen).doesNotContainKeys("traceparent", "tracestate", "b3", "x-b3-traceid");
    assertThat(fixture.nextLog().get("trace_id").isNull()).isTrue();
    fixture.waypoint.flushTraces(Duration.ofSeconds(5));
    assertThat(collector.spans).isEmpty();
  }

  @Test
  void honoursAnUnsampledParent() throws Exception {
    waypoint("100");

    Map<String, String> seen = send("traceparent: 00-" + TRACE_ID + "-" + PARENT_ID + "-00\r\n");

    String[] parts = seen.get("traceparent").split("-");
    assertThat(parts[1]).isEqualTo(TRACE_ID);
    assertThat(parts[2]).isNotEqualTo(PARENT_ID);
    assertThat(parts[3]).isEqualTo("00");
    assertThat(fixture.nextLog().get("trace_id").asText()).isEqualTo(TRACE_ID);
    fixture.waypoint.flushTraces(Duration.ofSeconds(5));
    assertThat(collector.spans).isEmpty();
  }

  @Test
  void marksAFailedUpstreamAsAnError() throws Exception {
    waypoint("100");
    upstream.close(); // nothing listens there any more: 503 UF

    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      assertThat(client.send("GET / HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read().status())
          .isEqualTo(503);
    }
    upstream = TestUpstream.http(); // for stop()

    JsonNode log = fixture.nextLog();
    fixture.waypoint.flushTraces(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(10)).until(() -> !collector.spans.isEmpty());
    OtlpReceiver.Received span = collector.spans.get(0);
    assertThat(span.traceId()).isEqualTo(log.get("trace_id").asText());
    assertThat(span.error()).isTrue();
    assertThat(span.attributes())
        .containsEntry("error", "true")
        .containsEntry("http.status_code", "503")
        .containsEntry("response_flags", log.get("response_flags").asText());
  }
}
