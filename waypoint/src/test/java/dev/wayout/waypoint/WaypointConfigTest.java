package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WaypointConfigTest {

  @Test
  void defaultsToIstiosPortsAndSafeLimits() {
    WaypointConfig c = WaypointConfig.defaults();
    assertThat(c.name()).isEqualTo("waypoint");
    assertThat(c.httpPort()).isEqualTo(15001);
    assertThat(c.tlsPort()).isEqualTo(15443);
    assertThat(c.metricsPort()).isEqualTo(15020);
    assertThat(c.healthPort()).isEqualTo(15021);
    assertThat(c.maxHeaderBytes()).isEqualTo(60 * 1024);
    assertThat(c.maxHeaders()).isEqualTo(100);
    assertThat(c.allowLoopbackUpstreams()).isFalse();
    assertThat(c.eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
  }

  @Test
  void runsTheEventLoopsItIsGiven() {
    WaypointConfig c = WaypointConfig.fromEnv(Map.of("WAYOUT_WAYPOINT_EVENT_LOOP_THREADS", "3"));
    assertThat(c.eventLoops()).isEqualTo(3);
  }

  @Test
  void readsEveryVariable() {
    WaypointConfig c =
        WaypointConfig.fromEnv(
            Map.of(
                "WAYOUT_WAYPOINT_NAME", "egress",
                "WAYOUT_WAYPOINT_HTTP_PORT", "8080",
                "WAYOUT_WAYPOINT_CLUSTER_CIDRS", "10.0.0.0/8, fd00::/8",
                "WAYOUT_WAYPOINT_DNS_SERVERS", "10.96.0.10,127.0.0.1:5353",
                "WAYOUT_WAYPOINT_CONNECT_TIMEOUT", "250ms",
                "WAYOUT_WAYPOINT_ALLOW_LOOPBACK_UPSTREAMS", "true"));
    assertThat(c.name()).isEqualTo("egress");
    assertThat(c.httpPort()).isEqualTo(8080);
    assertThat(c.clusterCidrs())
        .extracting(Object::toString)
        .containsExactly("10.0.0.0/8", "fd00::/8");
    assertThat(c.dnsServers()).extracting(a -> a.getPort()).containsExactly(53, 5353);
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.allowLoopbackUpstreams()).isTrue();
  }

  @Test
  void namesEveryBadVariableWithItsValueAndWhatIsExpected() {
    assertThatThrownBy(
            () ->
                WaypointConfig.fromEnv(
                    Map.of(
                        "WAYOUT_WAYPOINT_HTTP_PORT", "80a",
                        "WAYOUT_WAYPOINT_CONNECT_TIMEOUT", "ten seconds",
                        "WAYOUT_WAYPOINT_DNS_SERVERS", "dns.example.com")))
        .hasMessageContaining(
            "WAYOUT_WAYPOINT_HTTP_PORT: \"80a\" (expected: an integer from 0 to 65535")
        .hasMessageContaining(
            "WAYOUT_WAYPOINT_CONNECT_TIMEOUT: \"ten seconds\" (expected: a duration such as")
        .hasMessageContaining(
            "WAYOUT_WAYPOINT_DNS_SERVERS: \"dns.example.com\" (expected: comma-separated IP[:port]");
  }
}
