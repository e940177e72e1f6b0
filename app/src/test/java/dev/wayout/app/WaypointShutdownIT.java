package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wayout.testing.TestAssets;
import dev.wayout.testing.WayoutProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The waypoint process writes its access log in batches; a SIGTERM right after requests must still
 * leave one line for each of them on stdout.
 */
class WaypointShutdownIT {

  private static final Pattern HTTP_PORT =
      Pattern.compile("listening: http=/127\\.0\\.0\\.1:(\\d+)");

  @Test
  void everyRequestIsLoggedEvenWhenTheProcessIsStoppedAtOnce() throws Exception {
    try (WayoutProcess waypoint =
        startSeedWaypoint(
            Map.of(
                "WAYOUT_WAYPOINT_HTTP_PORT", "0",
                "WAYOUT_WAYPOINT_DRAIN_TIMEOUT", "1s",
                // Nothing is written before shutdown: only the drain at exit can write the lines.
                "WAYOUT_WAYPOINT_ACCESS_LOG_FLUSH_INTERVAL", "1h"))) {
      Matcher m =
          HTTP_PORT.matcher(
              waypoint.awaitStderr(l -> HTTP_PORT.matcher(l).find(), Duration.ofSeconds(60)));
      assertThat(m.find()).isTrue();
      int port = Integer.parseInt(m.group(1));

      for (int i = 0; i < 3; i++) {
        assertThat(get(port, "example.org", "/request-" + i)).startsWith("HTTP/1.1 403");
      }
      assertThat(waypoint.stdout()).isEmpty();

      assertThat(waypoint.stop())
          .as("exit status after SIGTERM")
          .isIn(0, 143); // 143: the JVM's own

      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(waypoint.stdout()).as(waypoint.printed()).hasSize(3));
      ObjectMapper json = new ObjectMapper();
      for (int i = 0; i < 3; i++) {
        JsonNode line = json.readTree(waypoint.stdout().get(i));
        assertThat(line.get("path").asText()).isEqualTo("/request-" + i);
        assertThat(line.get("response_code").asInt()).isEqualTo(403);
        assertThat(line.get("response_flags").asText()).isEqualTo("NR");
      }
    }
  }

  @Test
  void aPortInUseIsReportedWithTheVariableToChangeNotAStackTrace() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        WayoutProcess waypoint =
            startSeedWaypoint(
                Map.of("WAYOUT_WAYPOINT_HTTP_PORT", Integer.toString(taken.getLocalPort())))) {
      String error =
          waypoint.awaitStderr(l -> l.startsWith("wayout waypoint: "), Duration.ofSeconds(60));
      assertThat(error)
          .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .contains("WAYOUT_WAYPOINT_HTTP_PORT");
      await().atMost(Duration.ofSeconds(20)).until(() -> !waypoint.isAlive());
      assertThat(waypoint.stop()).isEqualTo(2);
      assertThat(waypoint.stderr())
          .noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception"));
    }
  }

  /** {@code wayout waypoint} serving the seed's Step 4 on 127.0.0.1, other ports picked freely. */
  private static WayoutProcess startSeedWaypoint(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.put("WAYOUT_WAYPOINT_BIND_ADDRESS", "127.0.0.1");
    all.put("WAYOUT_WAYPOINT_TLS_PORT", "0");
    all.put("WAYOUT_WAYPOINT_METRICS_PORT", "0");
    all.put("WAYOUT_WAYPOINT_HEALTH_PORT", "0");
    return WayoutProcess.start(
        "waypoint",
        List.of(
            "waypoint",
            "--config",
            TestAssets.repositoryRoot().resolve("examples/seed/step4").toString(),
            "-n",
            "istio-egress"),
        all);
  }

  /** One request on its own connection; returns the whole response as text. */
  private static String get(int port, String host, String path) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}
