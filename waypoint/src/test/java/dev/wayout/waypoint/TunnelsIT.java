package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.certs.CertificateAuthority;
import dev.wayout.certs.ServingCertificate;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import io.netty.handler.ssl.SslContextBuilder;
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
 * Byte tunnels: TLS captured on 15443 routed by SNI, and CONNECT on 15001; the client's TLS goes
 * end to end to the upstream, untouched by the waypoint.
 */
class TunnelsIT {

  private static final Clock CLOCK = Clock.systemUTC();
  private final CertificateAuthority ca =
      CertificateAuthority.create(CLOCK, "tunnel CA", Duration.ofDays(1));
  private TestUpstream upstream;
  private WaypointFixture fixture;

  @BeforeEach
  void start() throws Exception {
    ServingCertificate cert =
        ca.issueServing(CLOCK, List.of("secure.example.com"), List.of(), Duration.ofDays(1));
    upstream =
        TestUpstream.https(
            SslContextBuilder.forServer(
                    cert.privateKey(), cert.chain().toArray(new X509Certificate[0]))
                .build());
    fixture = new WaypointFixture();
    fixture.apply(
        WaypointFixture.staticEntry("secure", "secure.example.com", 443, upstream.port(), "HTTPS"));
  }

  @AfterEach
  void stop() {
    fixture.close();
    upstream.close();
  }

  /** A JDK TLS client that trusts the test CA and sends the given SNI. */
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

  private static String get(SSLSocket s, String host) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(
        ("GET /echo HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void passesCapturedTlsThroughBySni() throws Exception {
    InetSocketAddress tlsPort = fixture.waypoint.tlsAddress();
    try (SSLSocket s =
        tls(new Socket(tlsPort.getAddress(), tlsPort.getPort()), "secure.example.com")) {
      assertThat(get(s, "secure.example.com")).startsWith("HTTP/1.1 200").endsWith("GET /echo ");
    }
    assertThat(upstream.requests).singleElement().satisfies(r -> assertThat(r.tls()).isTrue());
    JsonNode log = fixture.nextLog();
    assertThat(log.get("requested_server_name").asText()).isEqualTo("secure.example.com");
    assertThat(log.get("upstream_host").asText()).isEqualTo("127.0.0.1:" + upstream.port());
    assertThat(log.get("upstream_cluster").asText()).isEqualTo("outbound|443||secure.example.com");
    assertThat(log.get("bytes_received").asLong()).isPositive();
    assertThat(log.get("bytes_sent").asLong()).isPositive();
  }

  @Test
  void closesCapturedTlsForAnUnregisteredSni() throws Exception {
    InetSocketAddress tlsPort = fixture.waypoint.tlsAddress();
    try (SSLSocket s =
        tls(new Socket(tlsPort.getAddress(), tlsPort.getPort()), "evil.example.com")) {
      assertThatThrownBy(s::startHandshake).hasMessageContaining("unrecognized_name");
    }
    JsonNode log = fixture.nextLog();
    assertThat(log.get("response_flags").asText()).isEqualTo("NR");
    assertThat(log.get("requested_server_name").asText()).isEqualTo("evil.example.com");
    assertThat(upstream.connections.get()).isZero();
  }

  @Test
  void tunnelsConnectToARegisteredHost() throws Exception {
    InetSocketAddress http = fixture.waypoint.httpAddress();
    Socket plain = new Socket(http.getAddress(), http.getPort());
    plain.setSoTimeout(10_000);
    plain
        .getOutputStream()
        .write(
            "CONNECT secure.example.com:443 HTTP/1.1\r\nHost: secure.example.com:443\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
    StringBuilder head = new StringBuilder();
    InputStream in = plain.getInputStream();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      assertThat(c).isNotEqualTo(-1);
      head.append((char) c);
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 200");
    try (SSLSocket s = tls(plain, "secure.example.com")) {
      assertThat(get(s, "secure.example.com")).startsWith("HTTP/1.1 200");
    }
    JsonNode log = fixture.nextLog();
    assertThat(log.get("method").asText()).isEqualTo("CONNECT");
    assertThat(log.get("response_code").asInt()).isEqualTo(200);
    assertThat(log.get("authority").asText()).isEqualTo("secure.example.com:443");
    assertThat(log.get("bytes_sent").asLong()).isPositive();
  }

  @Test
  void closesAConnectTunnelWhoseTlsIsForAnotherSite() throws Exception {
    InetSocketAddress http = fixture.waypoint.httpAddress();
    Socket plain = new Socket(http.getAddress(), http.getPort());
    plain.setSoTimeout(10_000);
    plain
        .getOutputStream()
        .write(
            "CONNECT secure.example.com:443 HTTP/1.1\r\nHost: secure.example.com:443\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
    InputStream in = plain.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      assertThat(c).isNotEqualTo(-1);
      head.append((char) c);
    }
    assertThat(head.toString()).startsWith("HTTP/1.1 200");
    try (SSLSocket s = tls(plain, "fronted.example.org")) {
      assertThatThrownBy(s::startHandshake).isInstanceOf(java.io.IOException.class);
    }
    JsonNode log = fixture.nextLog();
    assertThat(log.get("response_flags").asText()).isEqualTo("NR");
    assertThat(log.get("requested_server_name").asText()).isEqualTo("fronted.example.org");
    assertThat(upstream.requests).isEmpty();
  }

  @Test
  void refusesConnectToAnUnregisteredHost() throws Exception {
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      RawHttp.Response r =
          client
              .send("CONNECT evil.example.com:443 HTTP/1.1\r\nHost: evil.example.com:443\r\n\r\n")
              .read();
      assertThat(r.status()).isEqualTo(403);
      assertThat(client.closedByPeer()).isTrue();
    }
    assertThat(fixture.nextLog().get("response_flags").asText()).isEqualTo("NR");
  }
}
