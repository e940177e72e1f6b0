package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.certs.CertificateAuthority;
import dev.wayout.certs.ServingCertificate;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * VirtualService tls and tcp routes on real sockets: captured TLS on 15443 and CONNECT tunnels go
 * where the first matching route sends them (weighted), the client's TLS end to end to stand-in
 * upstreams on loopback; unmatched connections go to their own ServiceEntry host; a destination no
 * ServiceEntry registers is never dialled.
 */
class ConnectionRoutesIT {

  private static final Clock CLOCK = Clock.systemUTC();
  private final CertificateAuthority ca =
      CertificateAuthority.create(CLOCK, "routes CA", Duration.ofDays(1));
  private TestUpstream front;
  private TestUpstream blue;
  private TestUpstream green;
  private TestUpstream db;
  private TestUpstream db2;
  private WaypointFixture fixture;

  @BeforeEach
  void start() throws Exception {
    // Passthrough keeps the client's SNI, so every stand-in serves the names clients ask for.
    ServingCertificate cert =
        ca.issueServing(CLOCK, List.of("*.example.com"), List.of(), Duration.ofDays(1));
    SslContext server =
        SslContextBuilder.forServer(cert.privateKey(), cert.chain().toArray(new X509Certificate[0]))
            .build();
    front = TestUpstream.https(server);
    blue = TestUpstream.https(server);
    green = TestUpstream.https(server);
    db = TestUpstream.http();
    db2 = TestUpstream.http();
    fixture = new WaypointFixture();
    fixture.apply(config("blue.example.com", 70, 30));
  }

  @AfterEach
  void stop() {
    fixture.close();
    for (TestUpstream u : List.of(front, blue, green, db, db2)) {
      u.close();
    }
  }

  private String config(String frontTo, int blueWeight, int greenWeight) {
    return String.join(
        "---\n",
        WaypointFixture.staticEntry("front", "front.example.com", 443, front.port(), "TLS"),
        WaypointFixture.staticEntry("split", "split.example.com", 443, front.port(), "TLS"),
        WaypointFixture.staticEntry("other", "other.example.com", 443, front.port(), "TLS"),
        WaypointFixture.staticEntry("bad", "bad.example.com", 443, front.port(), "TLS"),
        WaypointFixture.staticEntry("blue", "blue.example.com", 443, blue.port(), "TLS"),
        WaypointFixture.staticEntry("green", "green.example.com", 443, green.port(), "TLS"),
        WaypointFixture.staticEntry("db", "db.example.com", 5432, db.port(), "TCP"),
        WaypointFixture.staticEntry("db2", "db2.example.com", 5433, db2.port(), "TCP"),
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: edge, namespace: istio-egress}
        spec:
          hosts: [front.example.com, split.example.com, other.example.com, bad.example.com]
          tls:
          - match: [{sniHosts: [front.example.com]}]
            route: [{destination: {host: %s}}]
          - match: [{sniHosts: [split.example.com], port: 443}]
            route:
            - {destination: {host: blue.example.com}, weight: %d}
            - {destination: {host: green.example.com}, weight: %d}
          - match: [{sniHosts: [bad.example.com]}]
            route: [{destination: {host: gone.example.com, port: {number: 443}}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: db, namespace: istio-egress}
        spec:
          hosts: [db.example.com]
          tcp:
          - match: [{port: 6000}]
            route: [{destination: {host: nowhere.example.com}}]
          - match: [{port: 5432}]
            route: [{destination: {host: db2.example.com}}]
        """
            .formatted(frontTo, blueWeight, greenWeight));
  }

  private SSLSocket tls(Socket plain, String sni) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, sni, 443, true);
    SSLParameters p = s.getSSLParameters();
    p.setServerNames(List.of(new SNIHostName(sni)));
    p.setEndpointIdentificationAlgorithm("HTTPS");
    s.setSSLParameters(p);
    s.setSoTimeout(10_000);
    return s;
  }

  private SSLSocket captured(String sni) throws Exception {
    InetSocketAddress at = fixture.waypoint.tlsAddress();
    Socket plain = new Socket(at.getAddress(), at.getPort());
    plain.setSoTimeout(10_000);
    return tls(plain, sni);
  }

  private static String get(Socket s, String host) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(
        ("GET /echo HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  /** CONNECT host:port on 15001, answered 200: the plain socket is the tunnel. */
  private Socket connect(String authority) throws IOException {
    InetSocketAddress http = fixture.waypoint.httpAddress();
    Socket plain = new Socket(http.getAddress(), http.getPort());
    plain.setSoTimeout(10_000);
    plain
        .getOutputStream()
        .write(
            ("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    StringBuilder head = new StringBuilder();
    InputStream in = plain.getInputStream();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c == -1) {
        break;
      }
      head.append((char) c);
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 200");
    return plain;
  }

  @Test
  void sniHostsPickTheRouteAndTheAccessLogNamesIt() throws Exception {
    try (SSLSocket s = captured("front.example.com")) {
      assertThat(get(s, "front.example.com")).startsWith("HTTP/1.1 200").endsWith("GET /echo ");
    }
    assertThat(blue.requests).singleElement().satisfies(r -> assertThat(r.tls()).isTrue());
    assertThat(front.connections.get()).isZero();
    JsonNode log = fixture.nextLog();
    assertThat(log.get("requested_server_name").asText()).isEqualTo("front.example.com");
    assertThat(log.get("route_name").asText()).isEqualTo("istio-egress/edge.tls[0]");
    assertThat(log.get("upstream_cluster").asText()).isEqualTo("outbound|443||blue.example.com");
    assertThat(log.get("upstream_host").asText()).isEqualTo("127.0.0.1:" + blue.port());
    assertThat(log.get("service_entry").asText()).isEqualTo("istio-egress/blue");
  }

  @Test
  void aWeightedTlsRouteSplitsConnections() throws Exception {
    int n = 200;
    for (int i = 0; i < n; i++) {
      try (SSLSocket s = captured("split.example.com")) {
        assertThat(get(s, "split.example.com")).startsWith("HTTP/1.1 200");
      }
    }
    // 70/30 over 200 connections: 140 expected, sd 6.5; 105-175 fails once in ~10^7 runs.
    assertThat(blue.connections.get()).isBetween(105, 175);
    assertThat(blue.connections.get() + green.connections.get()).isEqualTo(n);
    assertThat(front.connections.get()).isZero();
  }

  @Test
  void anUnmatchedConnectionGoesToItsOwnServiceEntryHost() throws Exception {
    try (SSLSocket s = captured("other.example.com")) {
      assertThat(get(s, "other.example.com")).startsWith("HTTP/1.1 200");
    }
    assertThat(front.requests).hasSize(1);
    JsonNode log = fixture.nextLog();
    assertThat(log.get("route_name").asText()).isEqualTo("default");
    assertThat(log.get("upstream_cluster").asText()).isEqualTo("outbound|443||other.example.com");
  }

  @Test
  void aRouteToAnUnregisteredHostIsRefusedAndNothingIsDialled() throws Exception {
    try (SSLSocket s = captured("bad.example.com")) {
      assertThatThrownBy(s::startHandshake).hasMessageContaining("unrecognized_name");
    }
    JsonNode log = fixture.nextLog();
    assertThat(log.get("response_flags").asText()).isEqualTo("NC");
    assertThat(log.get("route_name").asText()).isEqualTo("istio-egress/edge.tls[2]");
    assertThat(log.get("upstream_transport_failure_reason").asText())
        .contains("gone.example.com:443");
    for (TestUpstream u : List.of(front, blue, green, db, db2)) {
      assertThat(u.connections.get()).isZero();
    }
  }

  @Test
  void aConnectTunnelToATlsPortTakesTheTlsRouteOfItsHost() throws Exception {
    try (SSLSocket s = tls(connect("front.example.com:443"), "front.example.com")) {
      assertThat(get(s, "front.example.com")).startsWith("HTTP/1.1 200");
    }
    assertThat(blue.requests).hasSize(1);
    assertThat(front.connections.get()).isZero();
    JsonNode log = fixture.nextLog();
    assertThat(log.get("method").asText()).isEqualTo("CONNECT");
    assertThat(log.get("route_name").asText()).isEqualTo("istio-egress/edge.tls[0]");
    assertThat(log.get("upstream_cluster").asText()).isEqualTo("outbound|443||blue.example.com");
  }

  @Test
  void aTcpRouteMatchesByPort() throws Exception {
    try (Socket s = connect("db.example.com:5432")) {
      assertThat(get(s, "db.example.com")).startsWith("HTTP/1.1 200").endsWith("GET /echo ");
    }
    assertThat(db2.requests).hasSize(1);
    assertThat(db.connections.get()).isZero();
    JsonNode log = fixture.nextLog();
    assertThat(log.get("route_name").asText()).isEqualTo("istio-egress/db.tcp[1]");
    assertThat(log.get("upstream_cluster").asText()).isEqualTo("outbound|5433||db2.example.com");
  }

  @Test
  void aSubsetDestinationDialsTheEndpointsItsLabelsSelect() throws Exception {
    fixture.apply(
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: pool, namespace: istio-egress}
        spec:
          hosts: [pool.example.com]
          location: MESH_EXTERNAL
          ports: [{number: 443, name: tls, protocol: TLS}]
          resolution: STATIC
          endpoints:
          - {address: 127.0.0.1, ports: {tls: %d}, labels: {version: v1}}
          - {address: 127.0.0.1, ports: {tls: %d}, labels: {version: v2}}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: pool, namespace: istio-egress}
        spec:
          host: pool.example.com
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: pool, namespace: istio-egress}
        spec:
          hosts: [pool.example.com]
          tls:
          - match: [{sniHosts: [pool.example.com]}]
            route: [{destination: {host: pool.example.com, subset: v2}}]
        """
            .formatted(blue.port(), green.port()));
    for (int i = 0; i < 5; i++) {
      try (SSLSocket s = captured("pool.example.com")) {
        assertThat(get(s, "pool.example.com")).startsWith("HTTP/1.1 200");
      }
    }
    assertThat(green.requests).hasSize(5);
    assertThat(blue.connections.get()).isZero();
    JsonNode log = fixture.nextLog();
    assertThat(log.get("route_name").asText()).isEqualTo("istio-egress/pool.tls[0]");
    assertThat(log.get("upstream_cluster").asText()).isEqualTo("outbound|443|v2|pool.example.com");
  }

  @Test
  void aChangedRouteAppliesToNewConnectionsAndKeepsEstablishedTunnels() throws Exception {
    try (SSLSocket established = captured("front.example.com")) {
      established.startHandshake();
      fixture.apply(config("green.example.com", 70, 30));
      try (SSLSocket s = captured("front.example.com")) {
        assertThat(get(s, "front.example.com")).startsWith("HTTP/1.1 200");
      }
      assertThat(green.requests).hasSize(1);
      // The tunnel opened before the change still carries bytes to where it went then.
      assertThat(get(established, "front.example.com")).startsWith("HTTP/1.1 200");
      assertThat(blue.requests).hasSize(1);
    }
  }
}
