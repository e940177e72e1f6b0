package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import io.netty.channel.uring.IoUring;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same request through each I/O transport: auto picks io_uring where the kernel allows it, and
 * epoll and NIO remain for kernels or seccomp profiles that do not.
 */
class TransportsIT {

  @ParameterizedTest
  @ValueSource(strings = {"io_uring", "epoll", "nio"})
  void forwardsAndPoolsOnEveryTransport(String transport) throws Exception {
    if (transport.equals("io_uring")) {
      assumeTrue(IoUring.isAvailable(), "io_uring is not available on this kernel");
    }
    try (TestUpstream upstream = TestUpstream.http();
        WaypointFixture fixture =
            new WaypointFixture(
                Map.of(
                    "WAYOUT_WAYPOINT_TRANSPORT",
                    transport,
                    "WAYOUT_WAYPOINT_EVENT_LOOP_THREADS",
                    "1"))) {
      fixture.apply(
          WaypointFixture.staticEntry(
              "external-svc-aliyun", "aliyun.com", 80, upstream.port(), "HTTP"));
      for (int i = 0; i < 3; i++) {
        try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
          RawHttp.Response r = client.send("GET / HTTP/1.1\r\nHost: aliyun.com\r\n\r\n").read();
          assertThat(r.status()).isEqualTo(301);
          assertThat(r.body()).hasSize(239);
        }
        JsonNode log = fixture.nextLog();
        assertThat(log.get("response_code").asInt()).isEqualTo(301);
      }
      assertThat(upstream.connections.get()).isEqualTo(1);
    }
  }

  @Test
  void anUnknownTransportIsRefusedWithTheChoices() {
    assertThatThrownBy(() -> WaypointConfig.fromEnv(Map.of("WAYOUT_WAYPOINT_TRANSPORT", "kqueue")))
        .hasMessageContaining("WAYOUT_WAYPOINT_TRANSPORT")
        .hasMessageContaining("kqueue")
        .hasMessageContaining("io_uring, epoll, nio");
  }

  @Test
  void autoPrefersIoUring() throws Exception {
    assumeTrue(IoUring.isAvailable(), "io_uring is not available on this kernel");
    try (WaypointFixture fixture = new WaypointFixture()) {
      assertThat(fixture.waypoint.transportName()).isEqualTo("io_uring");
    }
  }
}
