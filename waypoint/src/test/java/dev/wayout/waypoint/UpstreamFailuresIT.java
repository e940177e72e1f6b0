package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.testing.FreePorts;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Upstream failures become the waypoint's own answers with Envoy's flags: UT, UF/URX. */
class UpstreamFailuresIT {

  @Test
  void answers504WithUpstreamTimeoutWhenTheResponseIsLate() throws Exception {
    try (TestUpstream upstream = TestUpstream.http();
        WaypointFixture fixture =
            new WaypointFixture(Map.of("WAYOUT_WAYPOINT_REQUEST_TIMEOUT", "150ms"))) {
      fixture.apply(
          WaypointFixture.staticEntry("api", "api.example.com", 80, upstream.port(), "HTTP"));
      try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
        RawHttp.Response r =
            client.send("GET /slow HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(504);
        // The connection stays usable for the next request.
        assertThat(
                client.send("GET /echo HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read().status())
            .isEqualTo(200);
      }
      JsonNode log = fixture.nextLog();
      assertThat(log.get("response_code").asInt()).isEqualTo(504);
      assertThat(log.get("response_flags").asText()).isEqualTo("UT");
    }
  }

  @Test
  void servesTheNextRequestWhenTheUpstreamClosedItsPooledConnection() throws Exception {
    try (TestUpstream upstream = TestUpstream.http();
        WaypointFixture fixture =
            new WaypointFixture(Map.of("WAYOUT_WAYPOINT_EVENT_LOOP_THREADS", "1"))) {
      fixture.apply(
          WaypointFixture.staticEntry("api", "api.example.com", 80, upstream.port(), "HTTP"));
      try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
        assertThat(
                client.send("GET /echo HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read().status())
            .isEqualTo(200);
        upstream.closeConnections();
        assertThat(
                client.send("GET /echo HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read().status())
            .isEqualTo(200);
      }
      assertThat(upstream.connections.get()).isEqualTo(2);
    }
  }

  @Test
  void retriesAFailedConnectOnceForAnIdempotentRequestThenAnswers503() throws Exception {
    int closedPort = FreePorts.loopback();
    try (WaypointFixture fixture = new WaypointFixture()) {
      fixture.apply(WaypointFixture.staticEntry("api", "api.example.com", 80, closedPort, "HTTP"));
      try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
        RawHttp.Response r = client.send("GET / HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).contains("connect to");
      }
      JsonNode log = fixture.nextLog();
      assertThat(log.get("response_flags").asText()).isEqualTo("UF,URX");
      assertThat(log.get("upstream_transport_failure_reason").asText())
          .contains("127.0.0.1:" + closedPort);
    }
  }
}
