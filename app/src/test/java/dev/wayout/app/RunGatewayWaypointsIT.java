package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.wayout.testing.TestAssets;
import dev.wayout.testing.WayoutProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wayout run --config DIR} with the seed's Gateway and a second one in the folder: one local
 * waypoint per Gateway besides the default, each on its own ports, serving the ServiceEntries bound
 * to it by {@code istio.io/use-waypoint}; a request for another waypoint's host is forwarded to
 * that waypoint, and one for a waypoint no Gateway makes is refused naming it, as in the cluster.
 * Stand-in upstreams listen on loopback.
 */
class RunGatewayWaypointsIT {

  @TempDir static Path folder;

  private static HttpServer upstreamA;
  private static HttpServer upstreamB;
  private static HttpServer upstreamShop;
  private static WayoutProcess wayout;
  private static String listing;

  @BeforeAll
  static void startWayoutRunWithTwoGateways() throws IOException {
    upstreamA = upstream("upstream a");
    upstreamB = upstream("upstream b");
    upstreamShop = upstream("upstream shop");
    Files.copy(
        TestAssets.repositoryRoot().resolve("examples/seed/waypoint/gateway.yaml"),
        folder.resolve("gateway.yaml"));
    Files.writeString(
        folder.resolve("waypoints.yaml"),
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: partner
        spec:
          gatewayClassName: wayout-waypoint
          listeners:
          - name: mesh
            port: 15008
            protocol: HBONE
        ---
        # as the seed labels it: kubectl label namespace istio-egress istio.io/use-waypoint=waypoint
        apiVersion: v1
        kind: Namespace
        metadata:
          name: istio-egress
          labels:
            istio.io/use-waypoint: waypoint
        """);
    Files.writeString(
        folder.resolve("entries.yaml"),
        entry("a", "istio-egress", "", upstreamA)
            + "---\n"
            + entry("b", "istio-egress", "istio.io/use-waypoint: partner", upstreamB)
            + "---\n"
            + entry("gone", "istio-egress", "istio.io/use-waypoint: gone", upstreamA)
            + "---\n"
            + entry("shop", "shop", "", upstreamShop));
    wayout =
        WayoutProcess.start(
            "run-gateways",
            List.of(
                "run", "--config", folder.toString(), "-n", "istio-egress", "--gateway-ports", "0"),
            Map.of(
                "WAYOUT_WAYPOINT_HTTP_PORT", "0",
                "WAYOUT_WAYPOINT_TLS_PORT", "0",
                "WAYOUT_WAYPOINT_METRICS_PORT", "0",
                "WAYOUT_WAYPOINT_HEALTH_PORT", "0",
                "WAYOUT_WAYPOINT_ALLOW_LOOPBACK_UPSTREAMS", "true"));
    wayout.awaitStdout(l -> l.contains("access log: one JSON line"), Duration.ofSeconds(90));
    listing = String.join("\n", wayout.stdout());
  }

  @AfterAll
  static void stop() {
    if (wayout != null) {
      wayout.close();
    }
    for (HttpServer s : new HttpServer[] {upstreamA, upstreamB, upstreamShop}) {
      if (s != null) {
        s.stop(0);
      }
    }
  }

  @Test
  void startUpListsEachWaypointWithItsPortsAndServiceEntries() {
    assertThat(listing)
        .contains("== 3/3 waypoints serving")
        .containsPattern(
            "default waypoint \"waypoint\" \\(what no Gateway is bound to\\): http=127\\.0\\.0\\.1:\\d+"
                + " tls=127\\.0\\.0\\.1:\\d+ metrics=127\\.0\\.0\\.1:\\d+ health=127\\.0\\.0\\.1:\\d+\n"
                + "     serves ServiceEntry shop/shop \\[shop\\.example\\.test\\]")
        .containsPattern(
            "Gateway istio-egress/partner \\(gatewayClassName wayout-waypoint\\): http=\\S+ tls=\\S+"
                + " metrics=\\S+ health=\\S+\n"
                + "     serves ServiceEntry istio-egress/b \\[b\\.example\\.test\\]")
        .containsPattern(
            "Gateway istio-egress/waypoint \\(gatewayClassName istio-waypoint\\): http=\\S+ tls=\\S+"
                + " metrics=\\S+ health=\\S+\n"
                + "     serves ServiceEntry istio-egress/a \\[a\\.example\\.test\\]")
        .contains(
            "ServiceEntry istio-egress/gone [gone.example.test]: bound to waypoint"
                + " istio-egress/gone, which no Gateway of the folder makes");
    assertThat(
            List.of(
                httpPort("default waypoint"),
                httpPort("Gateway istio-egress/partner"),
                httpPort("Gateway istio-egress/waypoint")))
        .doesNotHaveDuplicates();
  }

  @Test
  void eachWaypointServesItsOwnServiceEntries() throws IOException {
    assertThat(get(httpPort("Gateway istio-egress/waypoint"), "a.example.test"))
        .startsWith("HTTP/1.1 200")
        .endsWith("upstream a");
    assertThat(get(httpPort("Gateway istio-egress/partner"), "b.example.test"))
        .startsWith("HTTP/1.1 200")
        .endsWith("upstream b");
    assertThat(get(httpPort("default waypoint"), "shop.example.test"))
        .startsWith("HTTP/1.1 200")
        .endsWith("upstream shop");
  }

  @Test
  void anotherWaypointsHostIsForwardedToThatWaypoint() throws IOException {
    int seedWaypoint = httpPort("Gateway istio-egress/waypoint");
    assertThat(get(seedWaypoint, "b.example.test"))
        .startsWith("HTTP/1.1 200")
        .endsWith("upstream b");
    assertThat(get(seedWaypoint, "shop.example.test"))
        .startsWith("HTTP/1.1 200")
        .endsWith("upstream shop");
    assertThat(get(httpPort("default waypoint"), "a.example.test"))
        .startsWith("HTTP/1.1 200")
        .endsWith("upstream a");
    // the access log is written in batches, just after the response
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(wayout.stdout())
                    .anyMatch(
                        l ->
                            l.contains("\"authority\":\"b.example.test\"")
                                && l.contains(
                                    "\"upstream_cluster\":\"outbound|15001||partner.istio-egress"
                                        + ".svc.cluster.local\"")));
  }

  @Test
  void aHostBoundToAWaypointNoGatewayMakesIsRefusedNamingIt() throws IOException {
    for (String from : List.of("Gateway istio-egress/waypoint", "default waypoint")) {
      assertThat(get(httpPort(from), "gone.example.test"))
          .as("from the %s", from)
          .startsWith("HTTP/1.1 503")
          .contains(
              "egress to gone.example.test:80 is served by waypoint istio-egress/gone, which does"
                  + " not exist or is not ready")
          .doesNotContain("upstream a");
    }
  }

  private static int httpPort(String who) {
    Matcher m =
        Pattern.compile(Pattern.quote(who) + "[^\n]*: http=127\\.0\\.0\\.1:(\\d+)")
            .matcher(listing);
    assertThat(m.find()).as("%s in the start-up listing:\n%s", who, listing).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static String entry(String name, String namespace, String label, HttpServer upstream) {
    return """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: %s
          namespace: %s
          labels: {%s}
        spec:
          hosts: [%s.example.test]
          location: MESH_EXTERNAL
          ports: [{number: 80, name: http, protocol: HTTP, targetPort: %d}]
          resolution: STATIC
          endpoints: [{address: 127.0.0.1}]
        """
        .formatted(name, namespace, label, name, upstream.getAddress().getPort());
  }

  private static HttpServer upstream(String body) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
    return server;
  }

  /** One request on its own connection; returns the whole response as text. */
  private static String get(int port, String host) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}
