package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plain HTTP through 15001: origin-form by Host, absolute-form from a proxy client, refusals. */
class ForwardingIT {

  private TestUpstream upstream;
  private WaypointFixture fixture;

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.http();
    fixture = new WaypointFixture();
    fixture.apply(
        WaypointFixture.staticEntry(
            "external-svc-aliyun", "aliyun.com", 80, upstream.port(), "HTTP"));
  }

  @AfterEach
  void stop() {
    fixture.close();
    upstream.close();
  }

  @Test
  void forwardsTheSeedRequestAndLogsItWithIstioFields() throws Exception {
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      RawHttp.Response r =
          client
              .send(
                  "GET / HTTP/1.1\r\nHost: aliyun.com\r\nUser-Agent: curl/8.8.0\r\nAccept: */*\r\n\r\n")
              .read();
      assertThat(r.status()).isEqualTo(301);
      assertThat(r.headers()).containsEntry("location", "https://aliyun.com/");
      assertThat(r.body()).hasSize(239);
    }
    JsonNode log = fixture.nextLog();
    assertThat(log.get("authority").asText()).isEqualTo("aliyun.com");
    assertThat(log.get("method").asText()).isEqualTo("GET");
    assertThat(log.get("path").asText()).isEqualTo("/");
    assertThat(log.get("protocol").asText()).isEqualTo("HTTP/1.1");
    assertThat(log.get("response_code").asInt()).isEqualTo(301);
    assertThat(log.get("response_flags").asText()).isEqualTo("-");
    assertThat(log.get("bytes_sent").asInt()).isEqualTo(239);
    assertThat(log.get("bytes_received").asInt()).isZero();
    assertThat(log.get("upstream_host").asText()).isEqualTo("127.0.0.1:" + upstream.port());
    assertThat(log.get("route_name").asText()).isEqualTo("default");
    assertThat(log.get("upstream_cluster").asText()).isEqualTo("outbound|80||aliyun.com");
    assertThat(log.get("user_agent").asText()).isEqualTo("curl/8.8.0");
    assertThat(log.get("request_id").asText()).matches("[0-9a-f-]{36}");
    assertThat(log.get("service_entry").asText()).isEqualTo("istio-egress/external-svc-aliyun");
    assertThat(log.get("start_time").asText())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    for (String field :
        new String[] {
          "downstream_local_address",
          "downstream_remote_address",
          "duration",
          "requested_server_name",
          "trace_id",
          "upstream_local_address",
          "upstream_service_time",
          "upstream_transport_failure_reason",
          "x_forwarded_for"
        }) {
      assertThat(log.has(field)).as(field).isTrue();
    }
    assertThat(upstream.requests)
        .singleElement()
        .satisfies(
            seen -> {
              assertThat(seen.uri()).isEqualTo("/");
              assertThat(seen.headers())
                  .containsEntry("host", "aliyun.com")
                  .containsKey("x-request-id");
            });
  }

  @Test
  void dropsHopByHopHeadersAndTheOnesConnectionNamesBeforeTheUpstream() throws Exception {
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      assertThat(
              client
                  .send(
                      "GET /echo HTTP/1.1\r\nHost: aliyun.com\r\n"
                          + "Connection: keep-alive, X-Hop-Secret ,x-other-hop\r\n"
                          + "Connection: Transfer-Encoding\r\n"
                          + "X-Hop-Secret: 1\r\nX-Other-Hop: 2\r\nKeep-Alive: timeout=5\r\n"
                          + "TE: trailers\r\nX-End-To-End: 3\r\n\r\n")
                  .read()
                  .status())
          .isEqualTo(200);
    }
    assertThat(upstream.requests.get(0).headers())
        .containsEntry("x-end-to-end", "3")
        .doesNotContainKeys("x-hop-secret", "x-other-hop", "keep-alive", "te");
  }

  @Test
  void answersHeadLikeCurlDashIWithTheHeadersAndNoBody() throws Exception {
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      RawHttp.Response head =
          client
              .send("HEAD / HTTP/1.1\r\nHost: aliyun.com\r\nUser-Agent: curl/8.8.0\r\n\r\n")
              .readHeadOnly();
      assertThat(head.status()).isEqualTo(301);
      assertThat(head.headers())
          .containsEntry("content-length", "239")
          .containsEntry("location", "https://aliyun.com/");
      // No body was sent: the next response on the connection starts right away.
      assertThat(client.send("GET /echo HTTP/1.1\r\nHost: aliyun.com\r\n\r\n").read().status())
          .isEqualTo(200);
    }
    JsonNode log = fixture.nextLog();
    assertThat(log.get("method").asText()).isEqualTo("HEAD");
    assertThat(log.get("response_code").asInt()).isEqualTo(301);
    assertThat(log.get("bytes_sent").asInt()).isZero(); // body bytes, as Envoy counts them
  }

  @Test
  void reusesTheUpstreamConnectionAcrossRequestsAndClients() throws Exception {
    for (int i = 0; i < 3; i++) {
      try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
        for (int j = 0; j < 3; j++) {
          assertThat(client.send("GET /echo HTTP/1.1\r\nHost: aliyun.com\r\n\r\n").read().status())
              .isEqualTo(200);
        }
      }
    }
    assertThat(upstream.requests).hasSize(9);
    // Two event loops: at most one upstream connection each.
    assertThat(upstream.connections.get()).isBetween(1, 2);
  }

  @Test
  void closesAPooledUpstreamConnectionOnceItHasBeenIdleForTheIdleTimeout() throws Exception {
    fixture.apply(
        WaypointFixture.staticEntry(
                "external-svc-aliyun", "aliyun.com", 80, upstream.port(), "HTTP")
            + WaypointFixture.destinationRule(
                "aliyun", "aliyun.com", "connectionPool: {http: {idleTimeout: 300ms}}"));
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      assertThat(client.send("GET /echo HTTP/1.1\r\nHost: aliyun.com\r\n\r\n").read().status())
          .isEqualTo(200);
      assertThat(upstream.openConnections()).isEqualTo(1); // pooled, not closed after use

      await().atMost(Duration.ofSeconds(5)).until(() -> upstream.openConnections() == 0);

      assertThat(client.send("GET /echo HTTP/1.1\r\nHost: aliyun.com\r\n\r\n").read().status())
          .isEqualTo(200);
    }
    assertThat(upstream.connections.get()).isEqualTo(2);
  }

  @Test
  void forwardsAbsoluteFormFromAProxyClient() throws Exception {
    HttpClient client =
        HttpClient.newBuilder().proxy(ProxySelector.of(fixture.waypoint.httpAddress())).build();
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create("http://aliyun.com/echo?x=1"))
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .POST(HttpRequest.BodyPublishers.ofString("hello"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("POST /echo?x=1 hello");
    TestUpstream.Seen seen = upstream.requests.get(0);
    assertThat(seen.uri()).isEqualTo("/echo?x=1");
    assertThat(seen.headers())
        .containsEntry("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .doesNotContainKey("proxy-connection");
    JsonNode log = fixture.nextLog();
    assertThat(log.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(log.get("bytes_received").asInt()).isEqualTo(5);
    assertThat(log.get("method").asText()).isEqualTo("POST");
  }

  @Test
  void refusesAnUnregisteredHostWith403AndNoRouteFlag() throws Exception {
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      RawHttp.Response r = client.send("GET / HTTP/1.1\r\nHost: evil.example.com\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.body())
          .contains("egress to evil.example.com:80 is not allowed")
          .contains("ServiceEntry")
          .contains("istio.io/use-waypoint=waypoint");
      // The connection stays usable for a registered host.
      assertThat(client.send("GET /echo HTTP/1.1\r\nHost: aliyun.com\r\n\r\n").read().status())
          .isEqualTo(200);
    }
    JsonNode log = fixture.nextLog();
    assertThat(log.get("response_code").asInt()).isEqualTo(403);
    assertThat(log.get("response_flags").asText()).isEqualTo("NR");
    assertThat(log.get("authority").asText()).isEqualTo("evil.example.com");
    assertThat(log.get("upstream_host").isNull()).isTrue();
    assertThat(upstream.requests).hasSize(1);
  }

  @Test
  void refusesARegisteredHostOnAnUnregisteredPort() throws Exception {
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      assertThat(client.send("GET / HTTP/1.1\r\nHost: aliyun.com:8080\r\n\r\n").read().status())
          .isEqualTo(403);
    }
    assertThat(fixture.nextLog().get("response_flags").asText()).isEqualTo("NR");
  }
}
