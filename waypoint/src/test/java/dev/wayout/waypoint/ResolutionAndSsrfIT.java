package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestDns;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * resolution DNS through a name server the test runs, wildcard hosts resolving the asked-for name,
 * and the address check: a registered host whose DNS answer is internal is never dialled.
 */
class ResolutionAndSsrfIT {

  private TestDns dns;
  private TestUpstream upstream;
  private WaypointFixture fixture;

  @BeforeEach
  void start() throws Exception {
    dns = new TestDns();
    upstream = TestUpstream.http();
  }

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
    upstream.close();
    dns.close();
  }

  private void waypoint(boolean allowLoopback, String yaml) throws Exception {
    fixture =
        new WaypointFixture(
            Map.of(
                "WAYOUT_WAYPOINT_DNS_SERVERS", dns.address(),
                "WAYOUT_WAYPOINT_ALLOW_LOOPBACK_UPSTREAMS", Boolean.toString(allowLoopback),
                "WAYOUT_WAYPOINT_CLUSTER_CIDRS", "10.96.0.0/12"));
    fixture.apply(yaml);
  }

  private static String dnsEntry(String host, int port, int targetPort, String resolution) {
    return """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: api, namespace: istio-egress}
        spec:
          hosts: ["%s"]
          ports: [{number: %d, name: http, protocol: HTTP, targetPort: %d}]
          resolution: %s
        """
        .formatted(host, port, targetPort, resolution);
  }

  private RawHttp.Response get(String host) throws Exception {
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      return client.send("GET /echo HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read();
    }
  }

  @Test
  void resolvesARegisteredHostThroughTheConfiguredNameServer() throws Exception {
    dns.answer("api.example.test", "127.0.0.1");
    waypoint(true, dnsEntry("api.example.test", 80, upstream.port(), "DNS"));

    assertThat(get("api.example.test").status()).isEqualTo(200);
    assertThat(get("api.example.test").status()).isEqualTo(200);

    assertThat(dns.queries.get()).isPositive();
    assertThat(fixture.nextLog().get("upstream_host").asText())
        .isEqualTo("127.0.0.1:" + upstream.port());
  }

  @Test
  void aWildcardEntryResolvesTheNameThatWasAskedFor() throws Exception {
    dns.answer("eu.api.example.test", "127.0.0.1");
    waypoint(true, dnsEntry("*.example.test", 80, upstream.port(), "DYNAMIC_DNS"));

    assertThat(get("eu.api.example.test").status()).isEqualTo(200);
    assertThat(upstream.requests.get(0).headers()).containsEntry("host", "eu.api.example.test");
    assertThat(get("example.test").status()).isEqualTo(403);
    JsonNode first = fixture.nextLog();
    assertThat(first.get("upstream_cluster").asText()).isEqualTo("outbound|80||*.example.test");
  }

  @Test
  void refusesAHostWhoseAnswerIsTheCloudMetadataAddress() throws Exception {
    dns.answer("metadata.example.test", "169.254.169.254");
    waypoint(true, dnsEntry("metadata.example.test", 80, 80, "DNS"));

    RawHttp.Response r = get("metadata.example.test");

    assertThat(r.status()).isEqualTo(403);
    assertThat(r.body()).contains("169.254.169.254 is link-local");
    JsonNode log = fixture.nextLog();
    assertThat(log.get("upstream_transport_failure_reason").asText()).contains("169.254.169.254");
    assertThat(log.get("upstream_host").isNull()).isTrue();
  }

  @Test
  void refusesLoopbackAndClusterAddressesUnlessTestsAllowLoopback() throws Exception {
    dns.answer("local.example.test", "127.0.0.1");
    dns.answer("cluster.example.test", "10.96.0.10");
    waypoint(
        false,
        dnsEntry("local.example.test", 80, upstream.port(), "DNS")
            + "---\n"
            + dnsEntry("cluster.example.test", 80, 80, "DNS").replace("name: api", "name: api2"));

    assertThat(get("local.example.test").body()).contains("127.0.0.1 is a loopback address");
    assertThat(get("cluster.example.test").body())
        .contains("10.96.0.10 is inside the cluster range 10.96.0.0/12");
    assertThat(upstream.requests).isEmpty();
  }

  @Test
  void dialsOnlyTheCheckedAddressesOfAMixedAnswer() throws Exception {
    dns.answer("mixed.example.test", "169.254.169.254", "127.0.0.1");
    waypoint(true, dnsEntry("mixed.example.test", 80, upstream.port(), "DNS"));

    assertThat(get("mixed.example.test").status()).isEqualTo(200);
    assertThat(fixture.nextLog().get("upstream_host").asText()).startsWith("127.0.0.1:");
  }

  @Test
  void answers503WithDnsFailureForANameThatDoesNotResolve() throws Exception {
    waypoint(true, dnsEntry("nowhere.example.test", 80, 80, "DNS"));

    assertThat(get("nowhere.example.test").status()).isEqualTo(503);
    assertThat(fixture.nextLog().get("response_flags").asText()).isEqualTo("DF");
  }
}
