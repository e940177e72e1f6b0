package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.certs.CertificateAuthority;
import dev.wayout.certs.ServingCertificate;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS origination (DestinationRule tls SIMPLE / MUTUAL) against real HTTPS upstreams on loopback.
 */
class TlsOriginationIT {

  private static final Clock CLOCK = Clock.systemUTC();
  private static final Duration DAY = Duration.ofDays(1);

  @TempDir Path dir;
  private final CertificateAuthority ca = CertificateAuthority.create(CLOCK, "wayout test CA", DAY);
  private TestUpstream upstream;
  private WaypointFixture fixture;

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static SslContext server(ServingCertificate cert, CertificateAuthority clientCa)
      throws Exception {
    SslContextBuilder b =
        SslContextBuilder.forServer(
            cert.privateKey(), cert.chain().toArray(new X509Certificate[0]));
    if (clientCa != null) {
      b.clientAuth(ClientAuth.REQUIRE).trustManager(clientCa.certificate());
    }
    return b.build();
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  /** The seed's Step 5 resources, unchanged but for where 443 really listens in a test. */
  private static String seedStep5(int httpsPort) {
    return WaypointFixture.staticEntry("external-svc-aliyun", "aliyun.com", 80, httpsPort, "HTTP")
        + """
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: aliyun-com
          namespace: istio-egress
        spec:
          host: aliyun.com
          trafficPolicy:
            portLevelSettings:
            - port:
                number: 80
              tls:
                mode: SIMPLE
        """;
  }

  private RawHttp.Response get(String host) throws Exception {
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      return client
          .send("GET / HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: curl/8.8.0\r\n\r\n")
          .read();
    }
  }

  @Test
  void upgradesPort80ToHttpsOnTargetPortAsInTheSeedsStep5() throws Exception {
    upstream =
        TestUpstream.https(
            server(ca.issueServing(CLOCK, List.of("aliyun.com"), List.of(), DAY), null));
    Path trusted = write("ca.pem", ca.certificatePem());
    fixture = new WaypointFixture(Map.of("WAYOUT_WAYPOINT_TRUSTED_CA_FILE", trusted.toString()));
    fixture.apply(seedStep5(upstream.port()));

    RawHttp.Response r = get("aliyun.com");

    assertThat(r.status()).isEqualTo(301);
    assertThat(r.body()).hasSize(239);
    assertThat(upstream.requests).singleElement().satisfies(s -> assertThat(s.tls()).isTrue());
    JsonNode log = fixture.nextLog();
    assertThat(log.get("response_code").asInt()).isEqualTo(301);
    assertThat(log.get("bytes_sent").asInt()).isEqualTo(239);
    assertThat(log.get("upstream_host").asText()).isEqualTo("127.0.0.1:" + upstream.port());
    assertThat(log.get("upstream_cluster").asText()).isEqualTo("outbound|80||aliyun.com");
  }

  @Test
  void trustsTheCaNamedByCaCertificates() throws Exception {
    upstream =
        TestUpstream.https(
            server(ca.issueServing(CLOCK, List.of("aliyun.com"), List.of(), DAY), null));
    Path caFile = write("ca.pem", ca.certificatePem());
    fixture = new WaypointFixture();
    fixture.apply(
        seedStep5(upstream.port())
            .replace("mode: SIMPLE", "mode: SIMPLE\n        caCertificates: " + caFile));

    assertThat(get("aliyun.com").status()).isEqualTo(301);
  }

  @Test
  void answers503WithTheReasonWhenTheUpstreamsCaIsNotTrusted() throws Exception {
    CertificateAuthority other = CertificateAuthority.create(CLOCK, "someone else", DAY);
    upstream =
        TestUpstream.https(
            server(other.issueServing(CLOCK, List.of("aliyun.com"), List.of(), DAY), null));
    fixture =
        new WaypointFixture(
            Map.of(
                "WAYOUT_WAYPOINT_TRUSTED_CA_FILE",
                write("ca.pem", ca.certificatePem()).toString()));
    fixture.apply(seedStep5(upstream.port()));

    RawHttp.Response r = get("aliyun.com");

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.body()).contains("TLS error");
    JsonNode log = fixture.nextLog();
    assertThat(log.get("response_flags").asText()).isEqualTo("UF");
    assertThat(log.get("upstream_transport_failure_reason").asText())
        .startsWith("TLS error:")
        .containsIgnoringCase("certification path");
    assertThat(upstream.requests).isEmpty();
    assertThat(fixture.waypoint.metrics().scrape())
        .contains(
            "wayout_waypoint_upstream_tls_handshake_failures_total{destination_host=\"aliyun.com\"} 1.0");
  }

  @Test
  void answers503WhenTheCertificateDoesNotNameTheHost() throws Exception {
    upstream =
        TestUpstream.https(
            server(ca.issueServing(CLOCK, List.of("other.example.com"), List.of(), DAY), null));
    fixture =
        new WaypointFixture(
            Map.of(
                "WAYOUT_WAYPOINT_TRUSTED_CA_FILE",
                write("ca.pem", ca.certificatePem()).toString()));
    fixture.apply(seedStep5(upstream.port()));

    assertThat(get("aliyun.com").status()).isEqualTo(503);
    assertThat(fixture.nextLog().get("upstream_transport_failure_reason").asText())
        .contains("aliyun.com");
  }

  @Test
  void checksSubjectAltNamesInsteadOfTheHostWhenTheRuleListsThem() throws Exception {
    upstream =
        TestUpstream.https(
            server(
                ca.issueServing(CLOCK, List.of("backend.internal.example"), List.of(), DAY), null));
    fixture =
        new WaypointFixture(
            Map.of(
                "WAYOUT_WAYPOINT_TRUSTED_CA_FILE",
                write("ca.pem", ca.certificatePem()).toString()));
    String rule = seedStep5(upstream.port());
    fixture.apply(
        rule.replace(
            "mode: SIMPLE", "mode: SIMPLE\n        subjectAltNames: [backend.internal.example]"));
    RawHttp.Response first = get("aliyun.com");
    assertThat(first.status()).as(first.body()).isEqualTo(301);

    fixture.apply(
        rule.replace("mode: SIMPLE", "mode: SIMPLE\n        subjectAltNames: [spiffe.example]"));
    assertThat(get("aliyun.com").status()).isEqualTo(503);
    assertThat(fixture.nextLog().get("response_code").asInt()).isEqualTo(301);
    assertThat(fixture.nextLog().get("upstream_transport_failure_reason").asText())
        .contains("match none of the DestinationRule's subjectAltNames [spiffe.example]");
  }

  @Test
  void presentsAClientCertificateInMutualMode() throws Exception {
    CertificateAuthority clients = CertificateAuthority.create(CLOCK, "clients", DAY);
    ServingCertificate client = clients.issueClient(CLOCK, "waypoint", List.of(), DAY);
    upstream =
        TestUpstream.https(
            server(ca.issueServing(CLOCK, List.of("aliyun.com"), List.of(), DAY), clients));
    Path caFile = write("ca.pem", ca.certificatePem());
    Path cert = write("client.pem", client.chainPem());
    Path key = write("client-key.pem", client.privateKeyPem());
    fixture = new WaypointFixture();
    String mutual =
        "mode: MUTUAL\n        caCertificates: "
            + caFile
            + "\n        clientCertificate: "
            + cert
            + "\n        privateKey: "
            + key;
    fixture.apply(seedStep5(upstream.port()).replace("mode: SIMPLE", mutual));

    assertThat(get("aliyun.com").status()).isEqualTo(301);
  }
}
