package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * VirtualServices applied by the waypoint, with real sockets: three stand-in upstreams on loopback
 * (api.example.com, api-v2.example.com and a mirror), each a STATIC ServiceEntry, and clients that
 * see what a user would: statuses, headers, bodies, the access log, timings.
 */
class VirtualServiceIT {

  private TestUpstream v1;
  private TestUpstream v2;
  private TestUpstream mirror;
  private WaypointFixture fixture;

  @BeforeEach
  void start() throws Exception {
    v1 = TestUpstream.http();
    v2 = TestUpstream.http();
    mirror = TestUpstream.http();
    fixture = new WaypointFixture();
  }

  @AfterEach
  void stop() {
    fixture.close();
    v1.close();
    v2.close();
    mirror.close();
  }

  private String entries() {
    return WaypointFixture.staticEntry("api", "api.example.com", 80, v1.port(), "HTTP")
        + "---\n"
        + WaypointFixture.staticEntry("api-v2", "api-v2.example.com", 80, v2.port(), "HTTP")
        + "---\n"
        + WaypointFixture.staticEntry("mirror", "mirror.example.com", 80, mirror.port(), "HTTP");
  }

  /** The three ServiceEntries and a VirtualService for api.example.com with these http routes. */
  private void apply(String http) {
    fixture.apply(
        entries()
            + """
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: api, namespace: istio-egress}
            spec:
              hosts: [api.example.com]
              http:
            """
            + http.indent(2));
  }

  private RawHttp client() throws Exception {
    return new RawHttp(fixture.waypoint.httpAddress());
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: api.example.com\r\n\r\n";
  }

  private JsonNode logOf(int status) throws Exception {
    while (true) {
      JsonNode log = fixture.nextLog();
      if (log.path("response_code").asInt() == status) {
        return log;
      }
    }
  }

  @Test
  void splitsTrafficByWeightWithinTolerance() throws Exception {
    apply(
        """
        - name: split
          route:
          - destination: {host: api.example.com}
            weight: 80
          - destination: {host: api-v2.example.com}
            weight: 20
        """);
    int requests = 400;
    try (RawHttp c = client()) {
      for (int i = 0; i < requests; i++) {
        assertThat(c.send(get("/echo")).read().status()).isEqualTo(200);
      }
    }
    // 20% of 400 is 80; a binomial standard deviation of 8 makes 50..110 a 3.75-sigma band.
    assertThat(v2.requests.size()).isBetween(50, 110);
    assertThat(v1.requests.size() + v2.requests.size()).isEqualTo(requests);
    JsonNode log = fixture.nextLog();
    assertThat(log.path("route_name").asText()).isEqualTo("split");
  }

  @Test
  void headerOperationsAndRewritesReachTheUpstreamAndTheClient() throws Exception {
    apply(
        """
        - name: rewritten
          match:
          - name: old
            uri: {prefix: /old/}
            headers: {x-tenant: {exact: blue}}
          rewrite: {uri: /echo/, authority: internal.example.com}
          headers:
            request:
              set: {x-set: one}
              add: {x-added: two}
              remove: [x-secret]
            response:
              set: {x-served-by: wayout}
              remove: [content-type]
          route:
          - destination: {host: api.example.com}
            headers:
              request: {set: {x-destination: v1}}
        """);
    try (RawHttp c = client()) {
      RawHttp.Response r =
          c.send(
                  "GET /old/items?id=7 HTTP/1.1\r\nHost: api.example.com\r\nx-tenant: blue\r\n"
                      + "x-secret: s3cr3t\r\nx-set: zero\r\n\r\n")
              .read();

      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("GET /echo/items?id=7 ");
      assertThat(r.headers())
          .containsEntry("x-served-by", "wayout")
          .doesNotContainKey("content-type");
    }
    TestUpstream.Seen seen = v1.requests.get(0);
    assertThat(seen.uri()).isEqualTo("/echo/items?id=7");
    assertThat(seen.headers())
        .containsEntry("host", "internal.example.com")
        .containsEntry("x-set", "one")
        .containsEntry("x-added", "two")
        .containsEntry("x-destination", "v1")
        .doesNotContainKey("x-secret");
    assertThat(fixture.nextLog().path("route_name").asText()).isEqualTo("rewritten.old");
  }

  @Test
  void routesByHeaderMethodAndQueryAndAnswers404WhenNothingMatches() throws Exception {
    apply(
        """
        - name: canary
          match:
          - headers: {x-canary: {regex: "yes|true"}}
          - queryParams: {canary: {exact: "1"}}
          route: [{destination: {host: api-v2.example.com}}]
        - name: reads
          match: [{method: {exact: GET}}]
          route: [{destination: {host: api.example.com}}]
        """);
    try (RawHttp c = client()) {
      assertThat(
              c.send("GET /echo HTTP/1.1\r\nHost: api.example.com\r\nx-canary: true\r\n\r\n")
                  .read()
                  .status())
          .isEqualTo(200);
      assertThat(c.send(get("/echo?canary=1")).read().status()).isEqualTo(200);
      assertThat(c.send(get("/echo")).read().status()).isEqualTo(200);
      RawHttp.Response none =
          c.send("DELETE /echo HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read();
      assertThat(none.status()).isEqualTo(404);
    }
    assertThat(v2.requests).hasSize(2);
    assertThat(v1.requests).hasSize(1);
    JsonNode notFound = logOf(404);
    assertThat(notFound.path("response_flags").asText()).isEqualTo("NR");
  }

  @Test
  void mirrorGetsCopiesWithAShadowAuthorityAndASlowMirrorDoesNotSlowTheClient() throws Exception {
    mirror.delayMillis = 3000;
    apply(
        """
        - route: [{destination: {host: api.example.com}}]
          mirror: {host: mirror.example.com}
          mirrorPercentage: {value: 100}
        """);
    try (RawHttp c = client()) {
      for (int i = 0; i < 5; i++) {
        long start = System.nanoTime();
        RawHttp.Response r =
            c.send(
                    "POST /echo HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 5\r\n\r\n"
                        + "hello")
                .read();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("POST /echo hello");
        assertThat(millis).as("the mirror answers after 3 s").isLessThan(1500);
      }
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(mirror.requests).hasSize(5));
    assertThat(mirror.requests.get(0).headers()).containsEntry("host", "api.example.com-shadow");
    assertThat(mirror.requests.get(0).body()).isEqualTo("hello");
    assertThat(v1.requests).hasSize(5);
  }

  @Test
  void retriesFlakyUpstreamsAndGivesUpWithUrxWhenAttemptsRunOut() throws Exception {
    apply(
        """
        - route: [{destination: {host: api.example.com}}]
          retries: {attempts: 3, retryOn: "5xx"}
        """);
    v1.failNext.set(2);
    try (RawHttp c = client()) {
      assertThat(c.send(get("/echo")).read().status()).isEqualTo(200);
      assertThat(v1.requests).hasSize(3);

      v1.failNext.set(10);
      assertThat(c.send(get("/echo")).read().status()).isEqualTo(503);
    }
    assertThat(v1.requests).hasSize(3 + 4);
    JsonNode failed = logOf(503);
    assertThat(failed.path("response_flags").asText()).contains("URX");
  }

  @Test
  void routeTimeoutAndPerTryTimeoutFire() throws Exception {
    apply(
        """
        - match: [{uri: {prefix: /slow}, headers: {x-try: {exact: each}}}]
          route: [{destination: {host: api.example.com}}]
          retries: {attempts: 1, perTryTimeout: 150ms, retryOn: "5xx"}
        - route: [{destination: {host: api.example.com}}]
          timeout: 200ms
        """);
    try (RawHttp c = client()) {
      long start = System.nanoTime();
      RawHttp.Response r = c.send(get("/slow")).read();
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(r.status()).isEqualTo(504);
      assertThat(millis).isBetween(190L, 450L);
    }
    assertThat(logOf(504).path("response_flags").asText()).isEqualTo("UT");
    int before = v1.requests.size();
    try (RawHttp c = client()) {
      RawHttp.Response r =
          c.send("GET /slow HTTP/1.1\r\nHost: api.example.com\r\nx-try: each\r\n\r\n").read();
      assertThat(r.status()).isEqualTo(504);
    }
    // the first try timed out after 150 ms and was tried once more
    Awaitility.await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(() -> assertThat(v1.requests.size() - before).isEqualTo(2));
  }

  @Test
  void faultsAbortAndDelayRequests() throws Exception {
    apply(
        """
        - match: [{uri: {prefix: /abort}}]
          fault: {abort: {httpStatus: 418, percentage: {value: 100}}}
          route: [{destination: {host: api.example.com}}]
        - fault: {delay: {fixedDelay: 300ms, percentage: {value: 100}}}
          route: [{destination: {host: api.example.com}}]
        """);
    try (RawHttp c = client()) {
      RawHttp.Response aborted = c.send(get("/abort")).read();
      assertThat(aborted.status()).isEqualTo(418);
      assertThat(aborted.body()).isEqualTo("fault filter abort");

      long start = System.nanoTime();
      assertThat(c.send(get("/echo")).read().status()).isEqualTo(200);
      assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(290L);
    }
    assertThat(v1.requests).hasSize(1);
    assertThat(logOf(418).path("response_flags").asText()).isEqualTo("FI");
    assertThat(logOf(200).path("response_flags").asText()).isEqualTo("DI");
  }

  @Test
  void redirectsAndAnswersDirectly() throws Exception {
    apply(
        """
        - match: [{uri: {prefix: /old}}]
          redirect: {prefixRewrite: /new, authority: api-v2.example.com, redirectCode: 308}
        - match: [{uri: {exact: /down}}]
          directResponse: {status: 503, body: {string: "down for maintenance"}}
        - route: [{destination: {host: api.example.com}}]
        """);
    try (RawHttp c = client()) {
      RawHttp.Response moved = c.send(get("/old/page?x=1")).read();
      assertThat(moved.status()).isEqualTo(308);
      assertThat(moved.headers())
          .containsEntry("location", "http://api-v2.example.com/new/page?x=1");

      RawHttp.Response down =
          c.send("POST /down HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 3\r\n\r\nabc")
              .read();
      assertThat(down.status()).isEqualTo(503);
      assertThat(down.body()).isEqualTo("down for maintenance");
      assertThat(c.send(get("/echo")).read().status()).isEqualTo(200);
    }
    assertThat(v1.requests).hasSize(1);
  }

  @Test
  void answersCorsPreflightsAndAddsCorsHeadersForAllowedOrigins() throws Exception {
    apply(
        """
        - corsPolicy:
            allowOrigins: [{exact: "https://app.example.com"}]
            allowMethods: [GET, POST]
            allowHeaders: [x-token]
            maxAge: 1h
          route: [{destination: {host: api.example.com}}]
        """);
    try (RawHttp c = client()) {
      RawHttp.Response preflight =
          c.send(
                  "OPTIONS /echo HTTP/1.1\r\nHost: api.example.com\r\nOrigin: https://app.example.com"
                      + "\r\nAccess-Control-Request-Method: POST\r\n\r\n")
              .read();
      assertThat(preflight.status()).isEqualTo(200);
      assertThat(preflight.headers())
          .containsEntry("access-control-allow-origin", "https://app.example.com")
          .containsEntry("access-control-allow-methods", "GET,POST")
          .containsEntry("access-control-max-age", "3600");

      RawHttp.Response actual =
          c.send(
                  "GET /echo HTTP/1.1\r\nHost: api.example.com\r\nOrigin: https://app.example.com"
                      + "\r\n\r\n")
              .read();
      assertThat(actual.headers())
          .containsEntry("access-control-allow-origin", "https://app.example.com");
      RawHttp.Response other =
          c.send(
                  "GET /echo HTTP/1.1\r\nHost: api.example.com\r\nOrigin: https://evil.example\r\n\r\n")
              .read();
      assertThat(other.headers()).doesNotContainKey("access-control-allow-origin");
    }
    assertThat(v1.requests).hasSize(2); // the preflight never reached the upstream
  }

  @Test
  void aChangedVirtualServiceAppliesLiveWithoutDroppingConnections() throws Exception {
    apply("- route: [{destination: {host: api.example.com}}]\n");
    AtomicBoolean running = new AtomicBoolean(true);
    List<String> failures = new CopyOnWriteArrayList<>();
    AtomicInteger ok = new AtomicInteger();
    ExecutorService clients = Executors.newFixedThreadPool(3);
    List<Future<?>> loads = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      loads.add(
          clients.submit(
              () -> {
                try (RawHttp c = client()) {
                  long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                  while (running.get() && System.nanoTime() < end) {
                    int status = c.send(get("/echo")).read().status();
                    if (status == 200) {
                      ok.incrementAndGet();
                    } else {
                      failures.add("status " + status);
                    }
                  }
                } catch (Exception e) {
                  failures.add(e.toString());
                }
                return null;
              }));
    }
    Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> v1.requests.size() > 20);
    apply("- route: [{destination: {host: api-v2.example.com}}]\n");
    Awaitility.await().atMost(Duration.ofSeconds(3)).until(() -> v2.requests.size() > 20);
    apply("- route: [{destination: {host: api.example.com}}]\n");
    int v1Before = v1.requests.size();
    Awaitility.await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> v1.requests.size() > v1Before + 20);
    running.set(false);
    for (Future<?> f : loads) {
      f.get();
    }
    clients.shutdown();
    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThan(60);
    // every client kept its one connection through both changes
    assertThat(fixture.accessLog.stream().map(l -> l.contains("\"downstream_remote_address\"")))
        .isNotEmpty();
  }
}
