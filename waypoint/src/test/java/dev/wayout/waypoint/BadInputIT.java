package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Request smuggling and limits: each case gets its status and a closed connection, and no request
 * reaches the upstream (Netty's past HTTP/1.1 CVEs are the list of cases).
 */
class BadInputIT {

  private TestUpstream upstream;
  private WaypointFixture fixture;

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.http();
    fixture =
        new WaypointFixture(
            Map.of(
                "WAYOUT_WAYPOINT_REQUEST_HEADER_TIMEOUT", "3s",
                "WAYOUT_WAYPOINT_MAX_CLIENT_CONNECTIONS", "20"));
    fixture.apply(
        WaypointFixture.staticEntry("api", "api.example.com", 80, upstream.port(), "HTTP"));
  }

  @AfterEach
  void stop() {
    fixture.close();
    upstream.close();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          Content-Length with Transfer-Encoding | 400 | POST / HTTP/1.1\\r\\nHost: api.example.com\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n
          two different Content-Lengths        | 400 | POST / HTTP/1.1\\r\\nHost: api.example.com\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\nab
          two equal Content-Lengths            | 400 | POST / HTTP/1.1\\r\\nHost: api.example.com\\r\\nContent-Length: 2\\r\\nContent-Length: 2\\r\\n\\r\\nab
          Content-Length that is not a number  | 400 | POST / HTTP/1.1\\r\\nHost: api.example.com\\r\\nContent-Length: 1a\\r\\n\\r\\nab
          negative Content-Length              | 400 | POST / HTTP/1.1\\r\\nHost: api.example.com\\r\\nContent-Length: -1\\r\\n\\r\\nab
          space before the colon               | 400 | POST / HTTP/1.1\\r\\nHost: api.example.com\\r\\nTransfer-Encoding : chunked\\r\\n\\r\\n0\\r\\n\\r\\n
          chunked not last                     | 400 | POST / HTTP/1.1\\r\\nHost: api.example.com\\r\\nTransfer-Encoding: chunked, identity\\r\\n\\r\\n0\\r\\n\\r\\n
          obs-folded header                    | 400 | GET / HTTP/1.1\\r\\nHost: api.example.com\\r\\nX-Folded: a\\r\\n b\\r\\n\\r\\n
          obs-folded Transfer-Encoding         | 400 | POST / HTTP/1.1\\r\\nHost: api.example.com\\r\\nTransfer-Encoding:\\r\\n chunked\\r\\n\\r\\n0\\r\\n\\r\\n
          control character in a header name   | 400 | GET / HTTP/1.1\\r\\nHost: api.example.com\\r\\nX-A\\u0001b: 1\\r\\n\\r\\n
          bare LF line ending                  | 400 | GET / HTTP/1.1\\nHost: api.example.com\\n\\n
          malformed chunk size                 | 400 | POST / HTTP/1.1\\r\\nHost: api.example.com\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\nabc\\r\\n0\\r\\n\\r\\n
          no Host header                       | 400 | GET / HTTP/1.1\\r\\n\\r\\n
          two Host headers                     | 400 | GET / HTTP/1.1\\r\\nHost: api.example.com\\r\\nHost: evil.example.com\\r\\n\\r\\n
          user info in the target              | 400 | GET http://api.example.com@evil.example.com/ HTTP/1.1\\r\\nHost: api.example.com\\r\\n\\r\\n
          unknown HTTP version                 | 505 | GET / HTTP/1.2\\r\\nHost: api.example.com\\r\\n\\r\\n
          """)
  void refusesAndCloses(String name, int status, String request) throws Exception {
    String raw = request.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0001", "\u0001");
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      RawHttp.Response r = client.send(raw).read();
      assertThat(r.status()).as(name + ": " + r.body()).isEqualTo(status);
      assertThat(client.closedByPeer()).as(name + ": connection closed").isTrue();
    }
    assertThat(upstream.requests).as(name + ": nothing reaches the upstream").isEmpty();
  }

  @Test
  void answers431ToMoreThan100HeaderFields() throws Exception {
    StringBuilder req = new StringBuilder("GET / HTTP/1.1\r\nHost: api.example.com\r\n");
    for (int i = 0; i < 101; i++) {
      req.append("X-H").append(i).append(": v\r\n");
    }
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      assertThat(client.send(req.append("\r\n").toString()).read().status()).isEqualTo(431);
      assertThat(client.closedByPeer()).isTrue();
    }
    assertThat(upstream.requests).isEmpty();
  }

  @Test
  void answers431ToHeadersOver60KiB() throws Exception {
    String big = "x".repeat(61 * 1024);
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      RawHttp.Response r =
          client
              .send("GET / HTTP/1.1\r\nHost: api.example.com\r\nX-Big: " + big + "\r\n\r\n")
              .read();
      assertThat(r.status()).isEqualTo(431);
      assertThat(client.closedByPeer()).isTrue();
    }
    assertThat(upstream.requests).isEmpty();
  }

  @Test
  void answers408ToAClientThatSendsItsHeadTooSlowly() throws Exception {
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      RawHttp.Response r = client.send("GET / HTTP/1.1\r\nHost: api.exa").read();
      assertThat(r.status()).isEqualTo(408);
      assertThat(client.closedByPeer()).isTrue();
    }
    assertThat(upstream.requests).isEmpty();
  }

  @Test
  void closesConnectionsBeyondTheCap() throws Exception {
    Socket[] held = new Socket[20];
    try {
      for (int i = 0; i < held.length; i++) {
        held[i] =
            new Socket(
                fixture.waypoint.httpAddress().getAddress(),
                fixture.waypoint.httpAddress().getPort());
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> fixture.waypoint.metrics().downstreamConnections() == 20);
      try (RawHttp extra = new RawHttp(fixture.waypoint.httpAddress())) {
        assertThat(extra.closedByPeer()).isTrue();
      }
    } finally {
      for (Socket s : held) {
        if (s != null) {
          s.close();
        }
      }
    }
  }
}
