package dev.wayout.waypoint;

import static dev.wayout.waypoint.testsupport.ScriptedUpstream.readHead;
import static dev.wayout.waypoint.testsupport.ScriptedUpstream.readToEnd;
import static dev.wayout.waypoint.testsupport.ScriptedUpstream.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.ScriptedUpstream;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request bodies: large ones forwarded whole (Content-Length and chunked, to a slow upstream), and
 * the rest of a body the upstream answered early, dropped up to 64 KiB so the client connection
 * serves its next request, closed beyond that.
 */
@Timeout(value = 15, threadMode = ThreadMode.SEPARATE_THREAD)
class RequestBodiesIT {

  private static WaypointFixture fixture(int port) throws Exception {
    return new WaypointFixture(Map.of("WAYOUT_WAYPOINT_REQUEST_TIMEOUT", "2s"))
        .apply(WaypointFixture.staticEntry("api", "api.example.com", 80, port, "HTTP"));
  }

  @Test
  void forwardsLargeContentLengthAndChunkedBodiesOnOneUpstreamConnection() throws Exception {
    String sized = "x".repeat(400_000);
    StringBuilder chunked = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      chunked.append(Integer.toHexString(50_000)).append("\r\n").append("y".repeat(50_000));
      chunked.append("\r\n");
    }
    try (TestUpstream up = TestUpstream.http();
        WaypointFixture f = fixture(up.port());
        RawHttp c = new RawHttp(f.waypoint.httpAddress())) {
      RawHttp.Response r =
          c.send(
                  "POST /echo HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 400000\r\n\r\n"
                      + sized)
              .read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("POST /echo " + sized);
      r =
          c.send(
                  "PUT /echo HTTP/1.1\r\nHost: api.example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + chunked
                      + "0\r\n\r\n")
              .read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("PUT /echo " + "y".repeat(500_000));

      assertThat(up.requests).extracting(s -> s.body().length()).containsExactly(400_000, 500_000);
      assertThat(up.connections.get()).isEqualTo(1);
      for (int[] bytes : new int[][] {{400_000, 400_011}, {500_000, 500_010}}) {
        JsonNode log = f.nextLog();
        assertThat(log.get("response_code").asInt()).isEqualTo(200);
        assertThat(log.get("bytes_received").asInt()).isEqualTo(bytes[0]);
        assertThat(log.get("bytes_sent").asInt()).isEqualTo(bytes[1]);
      }
    }
  }

  @Test
  void forwardsA5MbBodyWholeToAnUpstreamThatStartsReadingLate() throws Exception {
    int size = 5_000_000;
    try (ScriptedUpstream up =
            new ScriptedUpstream(
                (in, out) -> {
                  readHead(in);
                  Thread.sleep(300); // a slow upstream: the waypoint must hold the client back
                  byte[] body = in.readNBytes(size);
                  boolean same = body.length == size;
                  for (int i = 0; same && i < size; i++) {
                    same = body[i] == (byte) (i % 251);
                  }
                  String answer = "got " + body.length + (same ? " intact" : " changed");
                  write(
                      out,
                      "HTTP/1.1 200 OK\r\nContent-Length: "
                          + answer.length()
                          + "\r\n\r\n"
                          + answer);
                  readToEnd(in);
                });
        WaypointFixture f = fixture(up.port());
        Socket c = new Socket()) {
      c.setSoTimeout(10_000);
      c.connect(f.waypoint.httpAddress());
      OutputStream out = c.getOutputStream();
      out.write(
          ("POST /up HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: " + size + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[100_000];
      for (int sent = 0; sent < size; sent += chunk.length) {
        for (int i = 0; i < chunk.length; i++) {
          chunk[i] = (byte) ((sent + i) % 251);
        }
        out.write(chunk);
      }
      out.flush();
      InputStream in = c.getInputStream();
      assertThat(readHead(in)).startsWith("HTTP/1.1 200 OK\r\n");
      String expected = "got 5000000 intact";
      assertThat(new String(in.readNBytes(expected.length()), StandardCharsets.US_ASCII))
          .isEqualTo(expected);
      JsonNode log = f.nextLog();
      assertThat(log.get("response_code").asInt()).isEqualTo(200);
      assertThat(log.get("bytes_received").asInt()).isEqualTo(size);
    }
  }

  /** Answers a GET with 200 "ok"; any other request with 413 "big" at once, then reads to end. */
  private static ScriptedUpstream earlyAnswering(AtomicLong bodyAfterHead) throws IOException {
    return new ScriptedUpstream(
        (in, out) -> {
          String head;
          while (!(head = readHead(in)).isEmpty()) {
            if (head.startsWith("GET ")) {
              write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            } else {
              write(out, "HTTP/1.1 413 Too Big\r\nContent-Length: 3\r\n\r\nbig");
              bodyAfterHead.set(readToEnd(in));
              return;
            }
          }
        });
  }

  /**
   * The client waits for the answer before it sends the rest of its body. A pooled upstream
   * connection is read all along; a new one must be read from the start too, or the answer waits
   * for a body the client is not sending.
   */
  @ParameterizedTest(name = "pooled upstream connection: {0}")
  @ValueSource(booleans = {true, false})
  void dropsTheRestOfABodyAnsweredEarlyAndServesTheNextRequest(boolean pooled) throws Exception {
    AtomicLong upstreamGot = new AtomicLong(-1);
    try (ScriptedUpstream up = earlyAnswering(upstreamGot);
        WaypointFixture f = fixture(up.port());
        RawHttp c = new RawHttp(f.waypoint.httpAddress())) {
      if (pooled) {
        assertThat(c.send("GET /w HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read().body())
            .isEqualTo("ok");
        assertThat(f.nextLog().get("response_code").asInt()).isEqualTo(200);
      }
      c.send(
          "POST /up HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 20000\r\n\r\n"
              + "z".repeat(2000));
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.body()).isEqualTo("big");
      c.send("z".repeat(18_000)); // the rest, which no one wants any more
      r = c.send("GET /again HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok");

      // The upstream connection with the unfinished request was closed, not reused.
      await().atMost(Duration.ofSeconds(5)).until(() -> upstreamGot.get() >= 0);
      assertThat(upstreamGot.get()).isLessThanOrEqualTo(2000);
      assertThat(up.connections.get()).isEqualTo(2); // the one for /again is new
      JsonNode log = f.nextLog();
      assertThat(log.get("response_code").asInt()).isEqualTo(413);
      assertThat(log.get("response_flags").asText()).isEqualTo("-");
      assertThat(log.get("bytes_sent").asInt()).isEqualTo(3);
      assertThat(log.get("bytes_received").asInt()).isEqualTo(20_000); // the dropped rest too
      assertThat(f.nextLog().get("response_code").asInt()).isEqualTo(200);
    }
  }

  @Test
  void closesTheClientWhenTheBodyAnsweredEarlyGoesOnPast64KiB() throws Exception {
    AtomicLong upstreamGot = new AtomicLong(-1);
    try (ScriptedUpstream up = earlyAnswering(upstreamGot);
        WaypointFixture f = fixture(up.port());
        RawHttp c = new RawHttp(f.waypoint.httpAddress())) {
      // A pooled upstream connection (a new one: see the test above).
      assertThat(c.send("GET /w HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read().body())
          .isEqualTo("ok");
      c.send(
          "POST /up HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 300000\r\n\r\n"
              + "z".repeat(2000));
      RawHttp.Response r = c.read();
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.body()).isEqualTo("big");
      try {
        c.send("z".repeat(150_000));
      } catch (IOException e) {
        // the waypoint may close before all of it is written
      }
      assertThat(c.closedByPeer()).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> upstreamGot.get() >= 0);
      assertThat(upstreamGot.get()).isLessThanOrEqualTo(2000);
      assertThat(f.nextLog().get("response_code").asInt()).isEqualTo(200);
      JsonNode log = f.nextLog();
      assertThat(log.get("response_code").asInt()).isEqualTo(413);
      assertThat(log.get("bytes_sent").asInt()).isEqualTo(3);
      // Logged when the waypoint closed the client: what was read by then, and no DC (the
      // client did not go away).
      assertThat(log.get("bytes_received").asInt()).isGreaterThan(64 * 1024);
      assertThat(log.get("response_flags").asText()).isEqualTo("-");
    }
  }
}
