package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wayout.waypoint.testsupport.PrometheusText;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard shipped in {@code dashboards/}: it parses, and every metric and label that
 * its queries name exists on a real waypoint's {@code /metrics} after traffic of every kind
 * (requests, a refusal, a tunnel, a failed TLS handshake), so that no panel stays empty for want of
 * a series.
 */
class WaypointDashboardIT {

  private static final Path DASHBOARD = Path.of("..", "dashboards", "wayout-waypoint.json");
  private static final Pattern METRIC = Pattern.compile("\\b((?:istio|wayout)_[a-z_]+)\\b");
  private static final Pattern SELECTOR =
      Pattern.compile("\\b((?:istio|wayout)_[a-z_]+)\\{([^}]*)}");
  private static final Pattern MATCHER = Pattern.compile("([a-z_]+)\\s*(?:=~|!~|!=|=)\\s*\"");
  private static final Pattern BY = Pattern.compile("by \\(([^)]*)\\)");

  private TestUpstream upstream;
  private WaypointFixture fixture;

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.http();
    fixture = new WaypointFixture();
    fixture.apply(
        WaypointFixture.staticEntry("api", "api.example.com", 80, upstream.port(), "HTTP")
            + "---\n"
            + WaypointFixture.staticEntry("raw", "raw.example.com", 9000, upstream.port(), "TCP")
            + "---\n"
            + WaypointFixture.staticEntry("tls", "tls.example.com", 80, upstream.port(), "HTTP")
            // TLS origination towards a plain HTTP server: the handshake fails
            + WaypointFixture.destinationRule("tls", "tls.example.com", "tls: {mode: SIMPLE}"));
  }

  @AfterEach
  void stop() {
    fixture.close();
    upstream.close();
  }

  @Test
  void queriesOnlyMetricsAndLabelsTheWaypointExports() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> exprs = new ArrayList<>();
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : dashboard.get("panels")) {
      assertThat(ids.add(panel.get("id").asInt())).as("panel ids are unique").isTrue();
      for (JsonNode target : panel.path("targets")) {
        exprs.add(target.get("expr").asText());
      }
    }
    for (JsonNode variable : dashboard.at("/templating/list")) {
      if (variable.has("definition")) {
        exprs.add(variable.get("definition").asText());
      }
    }
    assertThat(exprs).hasSizeGreaterThan(15);

    traffic();
    PrometheusText metrics = scrape();

    Set<String> queried = new LinkedHashSet<>();
    for (String expr : exprs) {
      Matcher m = METRIC.matcher(expr);
      Set<String> inExpr = new LinkedHashSet<>();
      while (m.find()) {
        inExpr.add(m.group(1));
      }
      queried.addAll(inExpr);
      Set<String> labels = labelsOf(metrics, inExpr);
      Matcher s = SELECTOR.matcher(expr);
      while (s.find()) {
        Set<String> own = labelsOf(metrics, Set.of(s.group(1)));
        Matcher l = MATCHER.matcher(s.group(2));
        while (l.find()) {
          assertThat(own).as("labels of %s in %s", s.group(1), expr).contains(l.group(1));
        }
      }
      Matcher by = BY.matcher(expr);
      while (by.find()) {
        for (String label : by.group(1).split(",")) {
          if (!label.trim().equals("le")) {
            assertThat(labels).as("labels grouped by in %s", expr).contains(label.trim());
          }
        }
      }
    }
    for (String name : queried) {
      assertThat(metrics.has(name)).as("%s on /metrics", name).isTrue();
    }
    assertThat(queried)
        .contains(
            "istio_requests_total",
            "istio_request_duration_milliseconds_bucket",
            "istio_request_bytes_sum",
            "istio_response_bytes_sum",
            "istio_tcp_connections_opened_total",
            "istio_tcp_sent_bytes_total");
  }

  private static Set<String> labelsOf(PrometheusText metrics, Set<String> names) {
    Set<String> labels = new HashSet<>();
    for (PrometheusText.Sample s : metrics.samples) {
      if (names.contains(s.name())) {
        labels.addAll(s.labels().keySet());
      }
    }
    return labels;
  }

  /** A request, a refusal, a failed TLS origination and a CONNECT tunnel. */
  private void traffic() throws Exception {
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      assertThat(client.send("GET / HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read().status())
          .isEqualTo(301);
      assertThat(client.send("GET / HTTP/1.1\r\nHost: nope.example.com\r\n\r\n").read().status())
          .isEqualTo(403);
      assertThat(client.send("GET / HTTP/1.1\r\nHost: tls.example.com\r\n\r\n").read().status())
          .isEqualTo(503);
    }
    InetSocketAddress at = fixture.waypoint.httpAddress();
    try (Socket s = new Socket(at.getAddress(), at.getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(
          "CONNECT raw.example.com:9000 HTTP/1.1\r\nHost: raw.example.com:9000\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        head.append((char) in.read());
      }
      assertThat(head.toString()).startsWith("HTTP/1.1 200");
      out.write(
          "GET / HTTP/1.1\r\nHost: raw.example.com\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).contains("301");
    }
    for (int i = 0; i < 4; i++) {
      fixture.nextLog();
    }
  }

  private PrometheusText scrape() throws Exception {
    return PrometheusText.scrape(fixture.waypoint.metricsAddress());
  }
}
