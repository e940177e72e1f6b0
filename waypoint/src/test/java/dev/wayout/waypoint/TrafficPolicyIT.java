package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A DestinationRule's traffic policy applied by a real waypoint to several stand-in upstreams on
 * loopback: load balancing, outlier ejection and return, connection-pool overflow, subsets by
 * endpoint labels, and a live change.
 */
class TrafficPolicyIT {

  private static final String GET = "GET /echo HTTP/1.1\r\nHost: api.example.com\r\n";

  /** A STATIC ServiceEntry whose endpoints are the upstreams, labelled version=v1, v2, ... */
  private static String entry(List<TestUpstream> ups) {
    StringBuilder b =
        new StringBuilder(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: api, namespace: istio-egress}
            spec:
              hosts: [api.example.com]
              location: MESH_EXTERNAL
              ports: [{number: 80, name: http, protocol: HTTP}]
              resolution: STATIC
              endpoints:
            """);
    for (int i = 0; i < ups.size(); i++) {
      b.append("  - {address: 127.0.0.1, ports: {http: ")
          .append(ups.get(i).port())
          .append("}, labels: {version: v")
          .append(i + 1)
          .append("}}\n");
    }
    return b.toString();
  }

  private static String rule(String spec) {
    return """
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: api, namespace: istio-egress}
        spec:
          host: api.example.com
        """
        + spec.indent(2);
  }

  private static List<TestUpstream> upstreams(int n) throws InterruptedException {
    List<TestUpstream> ups = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ups.add(TestUpstream.http());
    }
    return ups;
  }

  private static void closeAll(List<TestUpstream> ups) {
    ups.forEach(TestUpstream::close);
  }

  /** Sends {@code n} requests on one keep-alive connection; returns their statuses. */
  private static List<Integer> send(WaypointFixture f, int n, String extraHeaders)
      throws Exception {
    List<Integer> statuses = new ArrayList<>();
    try (RawHttp c = new RawHttp(f.waypoint.httpAddress())) {
      for (int i = 0; i < n; i++) {
        statuses.add(c.send(GET + extraHeaders + "\r\n").read().status());
      }
    }
    return statuses;
  }

  private static double metric(WaypointFixture f, String name, String cluster) {
    Matcher m =
        Pattern.compile(
                "(?m)^" + name + "\\{cluster_name=\"" + Pattern.quote(cluster) + "\"} (\\S+)$")
            .matcher(f.waypoint.metrics().scrape());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void subsetsSelectEndpointsByLabelsAndMergeTheirPolicy() throws Exception {
    List<TestUpstream> ups = upstreams(3);
    try (WaypointFixture f = new WaypointFixture()) {
      f.apply(
          entry(ups)
              + rule(
                  """
                  trafficPolicy: {loadBalancer: {simple: RANDOM}, connectionPool: {tcp: {maxConnections: 7}}}
                  subsets:
                  - {name: v2, labels: {version: v2}}
                  - name: v1-or-v3
                    labels: {}
                    trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
                  - {name: none, labels: {version: v9}}
                  """));
      var policy = f.waypoint.policy();
      var v2 = policy.cluster("api.example.com", "v2", 80, null);
      assertThat(v2.name()).isEqualTo("outbound|80|v2|api.example.com");
      assertThat(v2.endpoints())
          .extracting(e -> e.socket().getPort())
          .containsExactly(ups.get(1).port());
      // The subset inherits the host-wide blocks it does not set, and replaces those it sets.
      assertThat(v2.balancing().algorithm().name()).isEqualTo("RANDOM");
      var all = policy.cluster("api.example.com", "v1-or-v3", 80, null);
      assertThat(all.endpoints()).hasSize(3);
      assertThat(all.balancing().algorithm().name()).isEqualTo("ROUND_ROBIN");
      assertThat(all.limits().maxConnections()).isEqualTo(7);
      assertThat(policy.cluster("api.example.com", "none", 80, null).endpoints()).isEmpty();
      assertThat(policy.cluster("api.example.com", "v7", 80, null)).isNull();
      assertThat(policy.cluster("api.example.com", null, 80, null).name())
          .isEqualTo("outbound|80||api.example.com");
      // Requests through the subset's cluster reach only its endpoint, over real sockets.
      try (SubsetClient client = new SubsetClient(f)) {
        for (int i = 0; i < 20; i++) {
          assertThat(client.remotePort(v2)).isEqualTo(ups.get(1).port());
        }
        assertThat(client.failure(policy.cluster("api.example.com", "none", 80, null)))
            .contains("UH");
      }
    } finally {
      closeAll(ups);
    }
  }

  @Test
  void roundRobinSpreadsRequestsEvenlyOverTheEndpoints() throws Exception {
    List<TestUpstream> ups = upstreams(3);
    try (WaypointFixture f = new WaypointFixture()) {
      f.apply(entry(ups) + rule("trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}"));
      assertThat(send(f, 300, "")).containsOnly(200);
      // Strict rotation: 100 each, give or take the one request in flight at a reload.
      for (TestUpstream up : ups) {
        assertThat(up.requests.size()).isBetween(99, 101);
      }
    } finally {
      closeAll(ups);
    }
  }

  @Test
  void randomAndLeastRequestSpreadWithinATolerance() throws Exception {
    for (String lb : List.of("RANDOM", "LEAST_REQUEST")) {
      List<TestUpstream> ups = upstreams(3);
      try (WaypointFixture f = new WaypointFixture()) {
        f.apply(entry(ups) + rule("trafficPolicy: {loadBalancer: {simple: " + lb + "}}"));
        assertThat(send(f, 300, "")).containsOnly(200);
        // 100 expected each; 40 is about five standard deviations of a fair draw.
        for (TestUpstream up : ups) {
          assertThat(up.requests.size()).as(lb).isBetween(60, 140);
        }
      } finally {
        closeAll(ups);
      }
    }
  }

  @Test
  void consistentHashKeepsOneKeyOnOneEndpoint() throws Exception {
    List<TestUpstream> ups = upstreams(3);
    try (WaypointFixture f = new WaypointFixture()) {
      f.apply(
          entry(ups)
              + rule("trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}"));
      Map<String, Integer> endpointOfUser = new HashMap<>();
      for (int user = 0; user < 30; user++) {
        int[] before = ups.stream().mapToInt(u -> u.requests.size()).toArray();
        assertThat(send(f, 5, "x-user: user-" + user + "\r\n")).containsOnly(200);
        int hit = -1;
        for (int i = 0; i < ups.size(); i++) {
          int got = ups.get(i).requests.size() - before[i];
          if (got > 0) {
            assertThat(got).as("all five requests of user-%d on one endpoint", user).isEqualTo(5);
            hit = i;
          }
        }
        endpointOfUser.put("user-" + user, hit);
      }
      // 30 keys over 3 endpoints: more than one endpoint is used.
      assertThat(endpointOfUser.values().stream().distinct().count()).isGreaterThan(1);
    } finally {
      closeAll(ups);
    }
  }

  @Test
  void anOutlierIsEjectedAndComesBack() throws Exception {
    List<TestUpstream> ups = upstreams(2);
    TestUpstream bad = ups.get(0);
    TestUpstream good = ups.get(1);
    bad.forcedStatus = 503;
    try (WaypointFixture f = new WaypointFixture()) {
      f.apply(
          entry(ups)
              + rule(
                  "trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}, outlierDetection:"
                      + " {consecutive5xxErrors: 2, interval: 500ms, baseEjectionTime: 1s,"
                      + " maxEjectionPercent: 100}}"));
      List<Integer> statuses = send(f, 20, "");
      // Two 503s reach the client, then the bad endpoint is out of the pool.
      assertThat(statuses.stream().filter(s -> s == 503).count()).isEqualTo(2);
      assertThat(bad.requests).hasSize(2);
      assertThat(good.requests).hasSize(18);
      assertThat(
              metric(
                  f,
                  "envoy_cluster_outlier_detection_ejections_enforced_total",
                  "outbound|80||api.example.com"))
          .isEqualTo(1.0);
      bad.forcedStatus = 0;
      // Back after baseEjectionTime, at an interval tick: it serves requests again.
      long ejectedAt = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                send(f, 2, "");
                return bad.requests.size() > 2;
              });
      assertThat(Duration.ofNanos(System.nanoTime() - ejectedAt))
          .isGreaterThanOrEqualTo(Duration.ofMillis(400));
    } finally {
      closeAll(ups);
    }
  }

  @Test
  void withEveryEndpointEjectedTheAnswerIs503WithUh() throws Exception {
    List<TestUpstream> ups = upstreams(1);
    ups.get(0).forcedStatus = 500;
    try (WaypointFixture f = new WaypointFixture()) {
      f.apply(
          entry(ups)
              + rule(
                  "trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1,"
                      + " baseEjectionTime: 30s, maxEjectionPercent: 100}}"));
      try (RawHttp c = new RawHttp(f.waypoint.httpAddress())) {
        assertThat(c.send(GET + "\r\n").read().status()).isEqualTo(500);
        RawHttp.Response r = c.send(GET + "\r\n").read();
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.body()).contains("no healthy upstream");
      }
      f.nextLog();
      JsonNode log = f.nextLog();
      assertThat(log.get("response_flags").asText()).isEqualTo("UH");
      assertThat(log.get("upstream_cluster").asText()).isEqualTo("outbound|80||api.example.com");
      assertThat(ups.get(0).requests).hasSize(1);
      assertThat(
              metric(
                  f,
                  "envoy_cluster_upstream_cx_none_healthy_total",
                  "outbound|80||api.example.com"))
          .isEqualTo(1.0);
    } finally {
      closeAll(ups);
    }
  }

  @Test
  void theDefaultTenPercentNeverEjectsTheOnlyEndpoint() throws Exception {
    List<TestUpstream> ups = upstreams(1);
    ups.get(0).forcedStatus = 502;
    try (WaypointFixture f = new WaypointFixture()) {
      f.apply(entry(ups) + rule("trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1}}"));
      assertThat(send(f, 5, "")).containsOnly(502);
      assertThat(ups.get(0).requests).hasSize(5);
    } finally {
      closeAll(ups);
    }
  }

  @Test
  void maxConnectionsOverflowQueuesThenAnswers503WithUo() throws Exception {
    List<TestUpstream> ups = upstreams(1);
    TestUpstream up = ups.get(0);
    try (WaypointFixture f =
        new WaypointFixture(Map.of("WAYOUT_WAYPOINT_EVENT_LOOP_THREADS", "1"))) {
      f.apply(
          entry(ups)
              + rule(
                  "trafficPolicy: {connectionPool: {tcp: {maxConnections: 1}, http:"
                      + " {http1MaxPendingRequests: 1}}}"));
      try (RawHttp c1 = new RawHttp(f.waypoint.httpAddress());
          RawHttp c2 = new RawHttp(f.waypoint.httpAddress());
          RawHttp c3 = new RawHttp(f.waypoint.httpAddress())) {
        c1.send("GET /slow HTTP/1.1\r\nHost: api.example.com\r\n\r\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> up.requests.size() == 1);
        c2.send(GET + "\r\n"); // waits for the one connection
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    metric(
                            f,
                            "envoy_cluster_upstream_cx_overflow_total",
                            "outbound|80||api.example.com")
                        == 1.0);
        RawHttp.Response r3 = c3.send(GET + "\r\n").read(); // the queue is full
        assertThat(r3.status()).isEqualTo(503);
        assertThat(r3.body())
            .contains(
                "connectionPool.tcp.maxConnections (1) and http.http1MaxPendingRequests (1)"
                    + " reached for api.example.com");
        assertThat(c1.read().status()).isEqualTo(301);
        assertThat(c2.read().status()).isEqualTo(200); // served once the connection was free
      }
      JsonNode overflow = f.nextLog();
      assertThat(overflow.get("response_code").asInt()).isEqualTo(503);
      assertThat(overflow.get("response_flags").asText()).isEqualTo("UO");
      assertThat(up.requests).hasSize(2);
      assertThat(up.openConnections()).isLessThanOrEqualTo(1);
      assertThat(
              metric(
                  f,
                  "envoy_cluster_upstream_rq_pending_overflow_total",
                  "outbound|80||api.example.com"))
          .isEqualTo(1.0);
    } finally {
      closeAll(ups);
    }
  }

  /**
   * Acquires connections from the upstream clusters of a waypoint's policy with an {@code
   * Upstreams} of its own (real sockets), as a VirtualService destination with a subset will.
   */
  private static final class SubsetClient implements AutoCloseable {
    private final io.netty.channel.EventLoopGroup group =
        new io.netty.channel.MultiThreadIoEventLoopGroup(
            1, io.netty.channel.nio.NioIoHandler.newFactory());
    private final dev.wayout.waypoint.upstream.UpstreamResolver resolver =
        new dev.wayout.waypoint.upstream.UpstreamResolver(
            List.of(),
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            io.netty.channel.socket.nio.NioDatagramChannel.class);
    private final dev.wayout.waypoint.upstream.Upstreams upstreams;

    SubsetClient(WaypointFixture f) {
      upstreams =
          new dev.wayout.waypoint.upstream.Upstreams(
              new dev.wayout.waypoint.upstream.UpstreamAddresses(
                  resolver, new dev.wayout.waypoint.upstream.AddressGuard(List.of(), true)),
              io.netty.channel.socket.nio.NioSocketChannel.class,
              f.waypoint.metrics(),
              8192);
    }

    private io.netty.util.concurrent.Future<dev.wayout.waypoint.upstream.UpstreamConnection>
        acquire(dev.wayout.waypoint.upstream.UpstreamCluster cluster) throws Exception {
      io.netty.channel.EventLoop loop = group.next();
      return loop.submit(
              () -> upstreams.acquire(loop, cluster, "api.example.com", null, null, false, true))
          .get()
          .await();
    }

    int remotePort(dev.wayout.waypoint.upstream.UpstreamCluster cluster) throws Exception {
      var f = acquire(cluster);
      assertThat(f.isSuccess()).as(String.valueOf(f.cause())).isTrue();
      var channel = f.getNow().channel();
      int port = ((java.net.InetSocketAddress) channel.remoteAddress()).getPort();
      channel.close().sync();
      return port;
    }

    String failure(dev.wayout.waypoint.upstream.UpstreamCluster cluster) throws Exception {
      var f = acquire(cluster);
      var u = (dev.wayout.waypoint.upstream.UpstreamFailure) f.cause();
      return u.flag() + " " + u.reason();
    }

    @Override
    public void close() {
      resolver.close();
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void aChangedRuleAppliesLiveWithoutDroppingConnections() throws Exception {
    List<TestUpstream> ups = upstreams(1);
    TestUpstream up = ups.get(0);
    try (WaypointFixture f = new WaypointFixture()) {
      f.apply(
          entry(ups)
              + rule("trafficPolicy: {connectionPool: {http: {maxRequestsPerConnection: 1}}}"));
      try (RawHttp client = new RawHttp(f.waypoint.httpAddress());
          RawHttp slow = new RawHttp(f.waypoint.httpAddress())) {
        for (int i = 0; i < 5; i++) {
          assertThat(client.send(GET + "\r\n").read().status()).isEqualTo(200);
        }
        assertThat(up.connections.get()).isEqualTo(5); // one upstream connection per request
        slow.send("GET /slow HTTP/1.1\r\nHost: api.example.com\r\n\r\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> up.requests.size() == 6);
        f.apply(entry(ups) + rule("trafficPolicy: {connectionPool: {http: {idleTimeout: 30s}}}"));
        assertThat(slow.read().status()).isEqualTo(301); // in flight across the change
        int before = up.connections.get();
        for (int i = 0; i < 5; i++) {
          assertThat(client.send(GET + "\r\n").read().status()).isEqualTo(200);
        }
        // The same client connection, and now upstream connections are reused.
        assertThat(up.connections.get() - before).isLessThanOrEqualTo(1);
      }
    } finally {
      closeAll(ups);
    }
  }
}
