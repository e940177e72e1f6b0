package dev.wayout.waypoint;

import static dev.wayout.waypoint.testsupport.ScriptedUpstream.readHead;
import static dev.wayout.waypoint.testsupport.ScriptedUpstream.readToEnd;
import static dev.wayout.waypoint.testsupport.ScriptedUpstream.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.testing.FreePorts;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.ScriptedUpstream;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Upstreams that answer oddly or not at all, a large response to a slow client, and the
 * connection-pool limit: what the client gets, whether its connection survives, what is logged.
 */
@Timeout(value = 15, threadMode = ThreadMode.SEPARATE_THREAD)
class UpstreamEdgeCasesIT {

  private static final String GET = "GET /a HTTP/1.1\r\nHost: api.example.com\r\n\r\n";
  private static final String UPSTREAM_CLOSED =
      "the upstream closed the connection before the response was complete";

  private static WaypointFixture fixture(int port) throws Exception {
    return new WaypointFixture(Map.of("WAYOUT_WAYPOINT_REQUEST_TIMEOUT", "2s"))
        .apply(WaypointFixture.staticEntry("api", "api.example.com", 80, port, "HTTP"));
  }

  @Test
  void relaysALargeResponseWholeToAClientThatReadsLate() throws Exception {
    int size = 6_000_000;
    AtomicLong written = new AtomicLong();
    try (ScriptedUpstream up =
            new ScriptedUpstream(
                (in, out) -> {
                  readHead(in);
                  write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n");
                  byte[] chunk = new byte[65_536];
                  for (int sent = 0; sent < size; sent += chunk.length) {
                    int n = Math.min(chunk.length, size - sent);
                    for (int i = 0; i < n; i++) {
                      chunk[i] = (byte) ((sent + i) % 251);
                    }
                    out.write(chunk, 0, n);
                    written.addAndGet(n);
                  }
                  out.flush();
                  readToEnd(in);
                });
        WaypointFixture f = fixture(up.port());
        Socket c = new Socket()) {
      c.setReceiveBufferSize(8192);
      c.setSoTimeout(10_000);
      c.connect(f.waypoint.httpAddress());
      c.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
      // The client reads nothing until the upstream is well ahead of it.
      await().atMost(Duration.ofSeconds(5)).until(() -> written.get() >= 3 * 65_536);
      InputStream in = c.getInputStream();
      assertThat(readHead(in)).startsWith("HTTP/1.1 200 OK\r\n");
      byte[] body = in.readNBytes(size);
      assertThat(body).hasSize(size);
      for (int i = 0; i < size; i++) {
        if (body[i] != (byte) (i % 251)) {
          throw new AssertionError("byte " + i + " of the body differs");
        }
      }
      JsonNode log = f.nextLog();
      assertThat(log.get("response_code").asInt()).isEqualTo(200);
      assertThat(log.get("response_flags").asText()).isEqualTo("-");
      assertThat(log.get("bytes_sent").asLong()).isEqualTo(size);
    }
  }

  @Test
  void dropsAnInterimContinueAndKeepsTheUpstreamConnection() throws Exception {
    try (ScriptedUpstream up =
            new ScriptedUpstream(
                (in, out) -> {
                  while (!readHead(in).isEmpty()) {
                    write(
                        out,
                        "HTTP/1.1 100 Continue\r\n\r\n"
                            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                  }
                });
        WaypointFixture f = fixture(up.port());
        RawHttp c = new RawHttp(f.waypoint.httpAddress())) {
      for (int i = 0; i < 2; i++) {
        RawHttp.Response r = c.send(GET).read();
        assertThat(r.status()).as("request " + i).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok");
      }
      assertThat(up.connections.get()).isEqualTo(1);
      assertThat(f.nextLog().get("bytes_sent").asInt()).isEqualTo(2);
    }
  }

  @Test
  void answers502WithUpeToAResponseThatIsNotHttpAndKeepsTheClient() throws Exception {
    try (ScriptedUpstream up =
            new ScriptedUpstream(
                (in, out) -> {
                  if (readHead(in).startsWith("GET /garbage ")) {
                    write(out, "garbage here\r\n\r\n");
                    readToEnd(in);
                  } else {
                    write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                  }
                });
        WaypointFixture f = fixture(up.port());
        RawHttp c = new RawHttp(f.waypoint.httpAddress())) {
      RawHttp.Response r = c.send("GET /garbage HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(502);
      assertThat(r.headers()).containsEntry("x-wayout-refusal", "true");
      assertThat(r.body())
          .startsWith(
              "502 for api.example.com:80 (istio-egress/api): "
                  + "the upstream's response was not valid HTTP/1.1");
      JsonNode log = f.nextLog();
      assertThat(log.get("response_code").asInt()).isEqualTo(502);
      assertThat(log.get("response_flags").asText()).isEqualTo("UPE");
      assertThat(log.get("upstream_transport_failure_reason").asText())
          .startsWith("the upstream's response was not valid HTTP/1.1");
      assertThat(log.get("bytes_sent").asInt()).isEqualTo(r.body().length());
      assertThat(log.get("upstream_service_time").isNull()).isTrue();
      // The client's connection serves the next request, on a new upstream connection.
      assertThat(c.send(GET).read().body()).isEqualTo("ok");
      assertThat(up.connections.get()).isEqualTo(2);
    }
  }

  /**
   * An upstream that answers one request with two responses (or frames its answer so that it can be
   * read as two) must not hand the second to whichever client's request takes the pooled connection
   * next: each client gets the answer to its own request.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          a well-behaved answer (the control)     | HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok
          an unsolicited second response          | HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nokHTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\nSECRET
          a second response after a 204           | HTTP/1.1 204 No Content\\r\\n\\r\\nHTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\nSECRET
          Content-Length with Transfer-Encoding   | HTTP/1.1 200 OK\\r\\nContent-Length: 45\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n2\\r\\nok\\r\\n0\\r\\n\\r\\nHTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\nSECRET
          """)
  void neverGivesOneClientTheResponseMeantForNoOne(String name, String answer) throws Exception {
    String wire = answer.replace("\\r", "\r").replace("\\n", "\n");
    try (ScriptedUpstream up =
            new ScriptedUpstream(
                (in, out) -> {
                  while (!readHead(in).isEmpty()) {
                    write(out, wire); // the same doubled answer to every request
                  }
                });
        WaypointFixture f = fixture(up.port())) {
      int clients = 4;
      for (int client = 0; client < clients; client++) {
        try (RawHttp c = new RawHttp(f.waypoint.httpAddress())) {
          RawHttp.Response r =
              c.send("GET /a HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\n")
                  .read();
          assertThat(r.body()).as(name + ", client " + client).doesNotContain("SECRET");
          assertThat(r.status()).as(name).isIn(200, 204, 502);
        }
      }
      if (name.endsWith("(the control)")) { // pools are per event loop: reuse, not one for all
        assertThat(up.connections.get()).as("pooled connections reused").isLessThan(clients);
      } else {
        assertThat(up.connections.get())
            .as("a connection that said too much is never reused")
            .isEqualTo(clients);
      }
    }
  }

  @Test
  void closesAPooledConnectionThatSpeaksWhileIdle() throws Exception {
    try (ScriptedUpstream up =
            new ScriptedUpstream(
                (in, out) -> {
                  while (!readHead(in).isEmpty()) {
                    write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                    Thread.sleep(100); // the connection is back in the pool by now
                    write(out, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nSECRET");
                  }
                });
        WaypointFixture f = fixture(up.port());
        RawHttp c = new RawHttp(f.waypoint.httpAddress())) {
      assertThat(c.send(GET).read().body()).isEqualTo("ok");
      Thread.sleep(300);
      assertThat(c.send(GET).read().body()).isEqualTo("ok");
      assertThat(up.connections.get()).isEqualTo(2);
    }
  }

  @Test
  void answers502WithUcWhenTheUpstreamClosesBeforeRespondingToGetOrPost() throws Exception {
    try (ScriptedUpstream up = new ScriptedUpstream((in, out) -> readHead(in));
        WaypointFixture f = fixture(up.port());
        RawHttp c = new RawHttp(f.waypoint.httpAddress())) {
      String post = "POST /a HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 3\r\n\r\nabc";
      String answer = "502 for api.example.com:80 (istio-egress/api): " + UPSTREAM_CLOSED + "\n";
      for (String request : new String[] {GET, post}) {
        RawHttp.Response r = c.send(request).read();
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.body()).isEqualTo(answer);
      }
      for (int bytesReceived : new int[] {0, 3}) {
        JsonNode log = f.nextLog();
        assertThat(log.get("response_code").asInt()).isEqualTo(502);
        assertThat(log.get("response_flags").asText()).isEqualTo("UC");
        assertThat(log.get("upstream_transport_failure_reason").asText())
            .isEqualTo(UPSTREAM_CLOSED);
        assertThat(log.get("bytes_received").asInt()).isEqualTo(bytesReceived);
        assertThat(log.get("bytes_sent").asInt()).isEqualTo(answer.length());
      }
      // One connection each: a fresh connection's failure is not retried.
      assertThat(up.connections.get()).isEqualTo(2);
    }
  }

  @Test
  void closesTheClientWhenTheUpstreamClosesMidResponse() throws Exception {
    try (ScriptedUpstream up =
            new ScriptedUpstream(
                (in, out) -> {
                  readHead(in);
                  write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
                });
        WaypointFixture f = fixture(up.port());
        RawHttp c = new RawHttp(f.waypoint.httpAddress())) {
      RawHttp.Response r = c.send(GET).read(); // reads what comes before the close
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("0123456789");
      assertThat(c.closedByPeer()).isTrue();
      JsonNode log = f.nextLog();
      assertThat(log.get("response_code").asInt()).isEqualTo(200);
      assertThat(log.get("response_flags").asText()).isEqualTo("UC"); // the waypoint closed it
      assertThat(log.get("upstream_transport_failure_reason").asText()).startsWith(UPSTREAM_CLOSED);
      assertThat(log.get("bytes_sent").asInt()).isEqualTo(10);
    }
  }

  @Test
  void aRequestOverMaxConnectionsWaitsForTheConnectionAsInEnvoy() throws Exception {
    // Istio leaves http1MaxPendingRequests unlimited by default: over maxConnections a request
    // waits in the pending queue instead of failing (TrafficPolicyIT shows the overflow).
    try (TestUpstream up = TestUpstream.http();
        WaypointFixture f =
            new WaypointFixture(Map.of("WAYOUT_WAYPOINT_EVENT_LOOP_THREADS", "1"))) {
      f.apply(
          WaypointFixture.staticEntry("api", "api.example.com", 80, up.port(), "HTTP")
              + WaypointFixture.destinationRule(
                  "api", "api.example.com", "connectionPool: {tcp: {maxConnections: 1}}"));
      try (RawHttp c1 = new RawHttp(f.waypoint.httpAddress());
          RawHttp c2 = new RawHttp(f.waypoint.httpAddress())) {
        c1.send("GET /slow HTTP/1.1\r\nHost: api.example.com\r\n\r\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> up.requests.size() == 1);
        c2.send("GET /echo HTTP/1.1\r\nHost: api.example.com\r\n\r\n");
        assertThat(c1.read().status()).isEqualTo(301);
        assertThat(c2.read().status()).isEqualTo(200);
      }
      assertThat(f.nextLog().get("response_code").asInt()).isEqualTo(301);
      assertThat(f.nextLog().get("response_flags").asText()).isEqualTo("-");
      assertThat(up.requests).hasSize(2);
    }
  }

  @Test
  void answers503WithUfUrxToConnectWhenTheUpstreamPortIsClosed() throws Exception {
    int closed = FreePorts.loopback();
    try (WaypointFixture f = new WaypointFixture();
        RawHttp c = new RawHttp(f.waypoint.httpAddress())) {
      f.apply(WaypointFixture.staticEntry("api", "api.example.com", 443, closed, "TLS"));
      RawHttp.Response r =
          c.send("CONNECT api.example.com:443 HTTP/1.1\r\nHost: api.example.com:443\r\n\r\n")
              .read();
      assertThat(r.status()).isEqualTo(503);
      // The same shape as the HTTP failure answers: status, host:port, ServiceEntry, reason.
      assertThat(r.body())
          .startsWith("503 for api.example.com:443 (istio-egress/api): connect to ")
          .contains("127.0.0.1:" + closed + " failed");
      JsonNode log = f.nextLog();
      assertThat(log.get("method").asText()).isEqualTo("CONNECT");
      assertThat(log.get("response_code").asInt()).isEqualTo(503);
      assertThat(log.get("response_flags").asText()).isEqualTo("UF,URX");
      assertThat(log.get("upstream_transport_failure_reason").asText())
          .isEqualTo("connect to 127.0.0.1:" + closed + " failed: Connection refused");
      assertThat(log.get("upstream_cluster").asText()).isEqualTo("outbound|443||api.example.com");
      assertThat(log.get("service_entry").asText()).isEqualTo("istio-egress/api");
      assertThat(log.get("upstream_host").isNull()).isTrue();
      assertThat(log.get("bytes_sent").asInt()).isZero();
    }
  }
}
