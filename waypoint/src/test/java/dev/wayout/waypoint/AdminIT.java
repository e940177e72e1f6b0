package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Readiness on 15021, Prometheus metrics on 15020, and draining on shutdown. */
class AdminIT {

  private final HttpClient http = HttpClient.newHttpClient();
  private TestUpstream upstream;
  private WaypointFixture fixture;

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.http();
    fixture = new WaypointFixture();
  }

  @AfterEach
  void stop() {
    fixture.close();
    upstream.close();
  }

  private HttpResponse<String> admin(java.net.InetSocketAddress at, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void isReadyOnlyOnceAConfigurationIsLoaded() throws Exception {
    HttpResponse<String> before = admin(fixture.waypoint.healthAddress(), "/healthz/ready");
    assertThat(before.statusCode()).isEqualTo(503);
    assertThat(before.body()).contains("no configuration loaded yet");

    fixture.apply(
        WaypointFixture.staticEntry("api", "api.example.com", 80, upstream.port(), "HTTP"));

    assertThat(admin(fixture.waypoint.healthAddress(), "/healthz/ready").statusCode())
        .isEqualTo(200);
  }

  @Test
  void exportsRequestsByDestinationCodeAndSourceNamespace() throws Exception {
    fixture.apply(
        WaypointFixture.staticEntry("api", "api.example.com", 80, upstream.port(), "HTTP"));
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      client.send("GET / HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read();
      client.send("GET / HTTP/1.1\r\nHost: nope.example.com\r\n\r\n").read();
    }
    fixture.nextLog();
    fixture.nextLog();
    String metrics = admin(fixture.waypoint.metricsAddress(), "/metrics").body();
    assertThat(metrics)
        .contains(
            "wayout_waypoint_requests_total{destination_host=\"api.example.com\",response_code=\"301\",source_namespace=\"unknown\"} 1.0")
        .contains(
            "wayout_waypoint_requests_total{destination_host=\"unregistered\",response_code=\"403\",source_namespace=\"unknown\"} 1.0")
        .contains(
            "wayout_waypoint_request_duration_seconds_bucket{destination_host=\"api.example.com\"")
        .contains(
            "wayout_waypoint_upstream_connections_opened_total{destination_host=\"api.example.com\"} 1.0")
        .contains("wayout_waypoint_routes 1.0")
        .contains("wayout_waypoint_access_log_lines_lost_total 0.0");
  }

  @Test
  void drainLetsTheRequestInFlightFinishAndStopsAccepting() throws Exception {
    fixture.apply(
        WaypointFixture.staticEntry("api", "api.example.com", 80, upstream.port(), "HTTP"));
    RawHttp client = new RawHttp(fixture.waypoint.httpAddress());
    client.send("GET /slow HTTP/1.1\r\nHost: api.example.com\r\n\r\n");
    org.awaitility.Awaitility.await().until(() -> upstream.requests.size() == 1);
    CompletableFuture<Void> drained =
        CompletableFuture.runAsync(() -> fixture.waypoint.drain(java.time.Duration.ofSeconds(5)));

    RawHttp.Response r = client.read();

    assertThat(r.status()).isEqualTo(301);
    assertThat(r.headers()).containsEntry("connection", "close");
    assertThat(client.closedByPeer()).isTrue();
    drained.get();
    client.close();
    assertThat(admin(fixture.waypoint.healthAddress(), "/healthz/ready").statusCode())
        .isEqualTo(503);
  }
}
