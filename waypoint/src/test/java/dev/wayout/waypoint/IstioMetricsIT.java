package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.model.SourceIdentity;
import dev.wayout.waypoint.testsupport.PrometheusText;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Istio's standard metrics on 15020, as a waypoint reports ServiceEntry traffic: the names and
 * labels Istio's dashboards and Kiali query, with the counts and sizes of the requests sent.
 */
class IstioMetricsIT {

  private static final Map<String, String> WAYPOINT_LABELS =
      Map.ofEntries(
          Map.entry("reporter", "waypoint"),
          Map.entry("source_workload", "unknown"),
          Map.entry("source_workload_namespace", "unknown"),
          Map.entry("source_principal", "unknown"),
          Map.entry("source_app", "unknown"),
          Map.entry("source_version", "unknown"),
          Map.entry("source_cluster", "unknown"),
          Map.entry("source_canonical_service", "unknown"),
          Map.entry("source_canonical_revision", "latest"),
          Map.entry("destination_workload", "unknown"),
          Map.entry("destination_workload_namespace", "unknown"),
          Map.entry("destination_principal", "unknown"),
          Map.entry("destination_app", "unknown"),
          Map.entry("destination_version", "unknown"),
          Map.entry("destination_canonical_service", "unknown"),
          Map.entry("destination_canonical_revision", "latest"),
          Map.entry("destination_cluster", "unknown"),
          Map.entry("connection_security_policy", "none"));

  private TestUpstream upstream;
  private WaypointFixture fixture;

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.http();
    fixture = new WaypointFixture();
    fixture.apply(
        WaypointFixture.staticEntry("api", "api.example.com", 80, upstream.port(), "HTTP")
            + "---\n"
            + WaypointFixture.staticEntry("raw", "raw.example.com", 9000, upstream.port(), "TCP"));
  }

  @AfterEach
  void stop() {
    fixture.close();
    upstream.close();
  }

  private PrometheusText scrape() throws Exception {
    return PrometheusText.scrape(fixture.waypoint.metricsAddress());
  }

  private static Map<String, String> labels(Map<String, String> more) {
    Map<String, String> all = new HashMap<>(WAYPOINT_LABELS);
    all.putAll(more);
    return all;
  }

  @Test
  void countsRequestsWithIstiosLabelsAndSizes() throws Exception {
    String body = "0123456789"; // 10 bytes a request
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      for (int i = 0; i < 3; i++) {
        client
            .send(
                "POST /echo HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 10\r\n\r\n" + body)
            .read();
      }
      for (int i = 0; i < 2; i++) {
        client.send("GET / HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read();
      }
      client.send("GET / HTTP/1.1\r\nHost: nope.example.com\r\n\r\n").read();
    }
    for (int i = 0; i < 6; i++) {
      fixture.nextLog();
    }

    PrometheusText m = scrape();

    Map<String, String> api =
        labels(
            Map.of(
                "destination_service", "api.example.com",
                "destination_service_name", "api.example.com",
                "destination_service_namespace", "istio-egress",
                "request_protocol", "http",
                "grpc_response_status", "",
                "response_flags", "-"));
    Map<String, String> ok = with(api, "response_code", "200");
    Map<String, String> moved = with(api, "response_code", "301");
    assertThat(m.one("istio_requests_total", ok).labels()).isEqualTo(ok);
    assertThat(m.one("istio_requests_total", ok).value()).isEqualTo(3);
    assertThat(m.one("istio_requests_total", moved).value()).isEqualTo(2);
    assertThat(m.one("istio_request_bytes_count", ok).value()).isEqualTo(3);
    assertThat(m.one("istio_request_bytes_sum", ok).value()).isEqualTo(30);
    assertThat(m.one("istio_request_bytes_bucket", with(ok, "le", "10.0")).value()).isEqualTo(3);
    assertThat(m.one("istio_request_bytes_bucket", with(ok, "le", "5.0")).value()).isEqualTo(0);
    // The echo answers "POST /echo 0123456789": 21 bytes.
    assertThat(m.one("istio_response_bytes_sum", ok).value()).isEqualTo(3 * 21);
    assertThat(m.one("istio_response_bytes_sum", moved).value())
        .isEqualTo(2 * TestUpstream.SEED_BODY.length());
    assertThat(m.one("istio_request_duration_milliseconds_count", moved).value()).isEqualTo(2);
    assertThat(
            m.one("istio_request_duration_milliseconds_bucket", with(moved, "le", "+Inf")).value())
        .isEqualTo(2);
    assertThat(m.find("istio_request_duration_milliseconds_bucket", moved))
        .extracting(s -> s.labels().get("le"))
        .containsExactly(
            "0.5",
            "1.0",
            "5.0",
            "10.0",
            "25.0",
            "50.0",
            "100.0",
            "250.0",
            "500.0",
            "1000.0",
            "2500.0",
            "5000.0",
            "10000.0",
            "30000.0",
            "60000.0",
            "300000.0",
            "600000.0",
            "1800000.0",
            "3600000.0",
            "+Inf");

    Map<String, String> refused =
        labels(
            Map.of(
                "destination_service", "unknown",
                "destination_service_name", "BlackHoleCluster",
                "destination_service_namespace", "unknown",
                "response_code", "403",
                "response_flags", "NR"));
    assertThat(m.one("istio_requests_total", refused).value()).isEqualTo(1);
    assertThat(m.find("istio_requests_total", Map.of())).hasSize(3);
  }

  @Test
  void labelsAKnownClientAsIstioDoes() throws Exception {
    fixture.waypoint.sourceIdentities(
        a ->
            SourceIdentity.of(
                "shop",
                "cart",
                "cart-v1",
                Map.of(
                    "app", "cart", "version", "v1", "service.istio.io/canonical-name", "carts")));
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      for (int i = 0; i < 4; i++) {
        client.send("GET / HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read();
      }
    }
    for (int i = 0; i < 4; i++) {
      fixture.nextLog();
    }

    Map<String, String> cart =
        labels(
            Map.of(
                "source_workload", "cart-v1",
                "source_workload_namespace", "shop",
                "source_principal", "spiffe://cluster.local/ns/shop/sa/cart",
                "source_app", "cart",
                "source_version", "v1",
                "source_canonical_service", "carts",
                "source_canonical_revision", "v1",
                "source_cluster", "Kubernetes",
                "destination_service", "api.example.com",
                "response_code", "301"));
    assertThat(scrape().one("istio_requests_total", cart).value()).isEqualTo(4);
  }

  @Test
  void countsTunnelConnectionsAndTheirBytes() throws Exception {
    InetSocketAddress at = fixture.waypoint.httpAddress();
    String request = "GET / HTTP/1.1\r\nHost: raw.example.com\r\nConnection: close\r\n\r\n";
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(
          "CONNECT raw.example.com:9000 HTTP/1.1\r\nHost: raw.example.com:9000\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String established = readHead(in);
      assertThat(established).startsWith("HTTP/1.1 200");
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] answer = in.readAllBytes(); // the upstream closes after its answer
      assertThat(new String(answer, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 301");
      fixture.nextLog();
      PrometheusText m = scrape();
      Map<String, String> raw =
          labels(
              Map.of(
                  "destination_service", "raw.example.com",
                  "destination_service_name", "raw.example.com",
                  "destination_service_namespace", "istio-egress",
                  "request_protocol", "tcp",
                  "response_flags", "-"));
      assertThat(m.one("istio_tcp_connections_opened_total", raw).value()).isEqualTo(1);
      assertThat(m.one("istio_tcp_connections_closed_total", raw).value()).isEqualTo(1);
      assertThat(m.one("istio_tcp_received_bytes_total", raw).value()).isEqualTo(request.length());
      assertThat(m.one("istio_tcp_sent_bytes_total", raw).value()).isEqualTo(answer.length);
      assertThat(m.find("istio_requests_total", Map.of())).isEmpty();
    }
  }

  private static Map<String, String> with(Map<String, String> base, String key, String value) {
    Map<String, String> all = new HashMap<>(base);
    all.put(key, value);
    return all;
  }

  private static String readHead(InputStream in) throws Exception {
    StringBuilder b = new StringBuilder();
    while (!b.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      b.append((char) c);
    }
    return b.toString();
  }
}
