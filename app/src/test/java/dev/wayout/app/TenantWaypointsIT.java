package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wayout.certs.CertificateAuthority;
import dev.wayout.testing.CommandResult;
import dev.wayout.testing.FakeExternalSite;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.NetworkLab;
import dev.wayout.testing.WayoutProcess;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two tenants, each with a waypoint of its own, and the default waypoint, as real processes in
 * network namespaces against the real test API server: each tenant's waypoint serves its own
 * registered host; a request for tenant B's host that reaches tenant A's waypoint (or the default
 * one, where pods' captured traffic goes) is forwarded to tenant B's waypoint and leaves from
 * there, never from A; with B's waypoint gone it is refused, naming B's waypoint, and nothing goes
 * out.
 *
 * <p>No controller-manager runs here: the waypoint Services and their EndpointSlices (the pods'
 * addresses, documentation addresses of the lab hosts) are written by the test, as the Gateway
 * controller and the EndpointSlice controller would write them. The test has an API server of its
 * own: its tenants, waypoint Services and namespace {@code wayout-system} would otherwise be seen
 * by the tests that share the run's server.
 */
class TenantWaypointsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CLUSTER_CIDRS = "192.0.2.0/24,10.96.0.0/16";

  private final List<AutoCloseable> running = new ArrayList<>();
  private KubeApiServer api;

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = running.size() - 1; i >= 0; i--) {
      running.get(i).close();
    }
  }

  @Test
  void eachTenantReachesOnlyItsOwnHostsAndAnotherTenantsHostIsNeverSentOutFromTheWrongWaypoint()
      throws Exception {
    api = KubeApiServer.start();
    running.add(api);
    api.installIstioCrds();
    NetworkLab lab = NetworkLab.create();
    running.add(lab);
    NetworkLab.Host client = lab.addHost("client", "192.0.2.10/24", List.of("203.0.113.0/24"));
    NetworkLab.Host dflt = lab.addHost("default", "192.0.2.20/24", List.of("203.0.113.0/24"));
    NetworkLab.Host hostA = lab.addHost("tenant-a", "192.0.2.21/24", List.of("203.0.113.0/24"));
    NetworkLab.Host hostB = lab.addHost("tenant-b", "192.0.2.22/24", List.of("203.0.113.0/24"));
    NetworkLab.Host extA = lab.addHost("site-a", "203.0.113.10/24", List.of("192.0.2.0/24"));
    NetworkLab.Host extB = lab.addHost("site-b", "203.0.113.11/24", List.of("192.0.2.0/24"));
    Map<String, String> names =
        Map.of("a.example.com", extA.address(), "b.example.com", extB.address());
    int apiPort = Integer.parseInt(api.url().substring(api.url().lastIndexOf(':') + 1));
    for (NetworkLab.Host h : List.of(client, dflt, hostA, hostB)) {
      h.writeHosts(names);
    }
    for (NetworkLab.Host h : List.of(dflt, hostA, hostB)) {
      lab.forwardLoopbackPort(h, apiPort);
    }
    CertificateAuthority ca =
        CertificateAuthority.create(Clock.systemUTC(), "tenants-test-ca", Duration.ofDays(1));
    FakeExternalSite siteA = FakeExternalSite.start(extA, ca, "a.example.com");
    running.add(siteA);
    FakeExternalSite siteB = FakeExternalSite.start(extB, ca, "b.example.com");
    running.add(siteB);

    apply(
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: wayout-system}
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: tenant-a
          labels: {istio.io/use-waypoint: egress}
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: tenant-b
          labels: {istio.io/use-waypoint: egress}
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: site-a, namespace: tenant-a}
        spec:
          hosts: [a.example.com]
          location: MESH_EXTERNAL
          resolution: DNS
          ports: [{number: 80, name: http, protocol: HTTP}, {number: 443, name: https, protocol: HTTPS}]
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: site-b, namespace: tenant-b}
        spec:
          hosts: [b.example.com]
          location: MESH_EXTERNAL
          resolution: DNS
          ports: [{number: 80, name: http, protocol: HTTP}, {number: 443, name: https, protocol: HTTPS}]
        """);
    waypointService("tenant-a", "egress", hostA.address(), false);
    waypointService("tenant-b", "egress", hostB.address(), false);
    waypointService("wayout-system", "waypoint", dflt.address(), true);

    WayoutProcess waypointA = startWaypoint(hostA, "tenant-a", "egress", false);
    WayoutProcess waypointB = startWaypoint(hostB, "tenant-b", "egress", false);
    WayoutProcess waypointD = startWaypoint(dflt, "wayout-system", "waypoint", true);

    // Each tenant's own host, through its own waypoint, goes out from that waypoint.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> curl(client, hostA, "http://a.example.com/").startsWith("301"));
    assertThat(siteA.requests()).hasSize(1);
    assertThat(curl(client, hostB, "http://b.example.com/")).startsWith("301");
    assertThat(siteB.requests()).hasSize(1);
    awaitLog(waypointB, "b.example.com", extB.address() + ":80");

    // B's host through A's waypoint: A forwards it to B's waypoint, B sends it out.
    assertThat(curl(client, hostA, "http://b.example.com/")).startsWith("301");
    assertThat(siteB.requests()).hasSize(2);
    assertThat(siteA.requests()).hasSize(1);
    JsonNode forwarded = awaitLog(waypointA, "b.example.com", hostB.address() + ":15001");
    assertThat(forwarded.path("upstream_cluster").asText())
        .isEqualTo("outbound|15001||egress.tenant-b.svc.cluster.local");
    assertThat(forwarded.path("response_code").asInt()).isEqualTo(301);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                logs(waypointB).stream()
                    .anyMatch(
                        l ->
                            l.path("downstream_remote_address")
                                    .asText()
                                    .startsWith(hostA.address() + ":")
                                && l.path("upstream_host")
                                    .asText()
                                    .equals(extB.address() + ":80")));
    assertThat(logs(waypointA))
        .as("A never dialled B's site itself")
        .noneMatch(l -> l.path("upstream_host").asText().startsWith(extB.address()));

    // Where pods' captured traffic goes (the default waypoint): each host to its tenant's waypoint.
    assertThat(curl(client, dflt, "http://a.example.com/")).startsWith("301");
    awaitLog(waypointD, "a.example.com", hostA.address() + ":15001");
    assertThat(siteA.requests()).hasSize(2);

    // TLS passthrough: A relays B's ClientHello to B's 15443 by SNI.
    CommandResult tls =
        client.exec(
            Duration.ofSeconds(20),
            "curl",
            "-sk",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--connect-to",
            "b.example.com:443:" + hostA.address() + ":15443",
            "https://b.example.com/");
    assertThat(tls.stdout()).as(tls.toString()).isEqualTo("301");
    assertThat(siteB.requests()).hasSize(3);

    // An unregistered host is refused by A, and nothing leaves.
    assertThat(curl(client, hostA, "http://example.org/")).startsWith("403");

    // B's waypoint gone (its endpoints not ready): A refuses, naming it; B's site sees nothing.
    waypointB.stop();
    markNotReady("tenant-b", "egress", hostB.address());
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(curl(client, hostA, "http://b.example.com/"))
                    .startsWith("503")
                    .contains(
                        "is served by waypoint tenant-b/egress, which does not exist or is not ready"));
    assertThat(siteB.requests()).hasSize(3);
    assertThat(curl(client, hostA, "http://a.example.com/")).startsWith("301");
    assertThat(logs(waypointA))
        .noneMatch(l -> l.path("upstream_host").asText().startsWith(extB.address()));
  }

  /** "CODE BODY" of a request through {@code waypoint}'s 15001 (absolute-form, as curl -x). */
  private static String curl(NetworkLab.Host client, NetworkLab.Host waypoint, String url) {
    CommandResult r =
        client.exec(
            Duration.ofSeconds(20),
            "curl",
            "-s",
            "-m",
            "10",
            "-x",
            waypoint.address() + ":15001",
            "-w",
            "%{http_code} ",
            "-o",
            "/dev/stderr",
            url);
    return r.stdout() + r.stderr();
  }

  private WayoutProcess startWaypoint(
      NetworkLab.Host host, String namespace, String name, boolean isDefault) {
    Map<String, String> env = new HashMap<>(api.clientEnvironment());
    env.put("WAYOUT_WAYPOINT_NAME", name);
    env.put("WAYOUT_WAYPOINT_NAMESPACE", namespace);
    env.put("WAYOUT_WAYPOINT_DEFAULT", Boolean.toString(isDefault));
    env.put("WAYOUT_WAYPOINT_CLUSTER_CIDRS", CLUSTER_CIDRS);
    env.put("WAYOUT_WAYPOINT_METRICS_PORT", "0");
    env.put("WAYOUT_WAYPOINT_HEALTH_PORT", "0");
    WayoutProcess p =
        WayoutProcess.startIn(host, "waypoint-" + namespace, List.of("waypoint"), env);
    running.add(p);
    p.awaitStderr(l -> l.contains(" listening: "), Duration.ofSeconds(60));
    return p;
  }

  /** The Service and EndpointSlice of a waypoint, as its controllers would write them. */
  private void waypointService(String ns, String name, String address, boolean isDefault) {
    String defaultLabel = isDefault ? "\n    wayout.dev/waypoint-default: \"true\"" : "";
    apply(
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: %1$s
          namespace: %2$s
          labels:
            wayout.dev/waypoint: %1$s%4$s
        spec:
          selector: {gateway.networking.k8s.io/gateway-name: %1$s}
          ports:
          - {name: http, port: 15001}
          - {name: tls, port: 15443}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: %1$s-lab
          namespace: %2$s
          labels:
            kubernetes.io/service-name: %1$s
            wayout.dev/waypoint: %1$s
        addressType: IPv4
        ports:
        - {name: http, port: 15001, protocol: TCP}
        - {name: tls, port: 15443, protocol: TCP}
        endpoints:
        - addresses: [%3$s]
          conditions: {ready: true}
        """
            .formatted(name, ns, address, defaultLabel));
  }

  private void markNotReady(String ns, String name, String address) {
    CommandResult r =
        api.kubectl(
            "patch",
            "endpointslice",
            name + "-lab",
            "-n",
            ns,
            "--type=json",
            "-p",
            "[{\"op\":\"replace\",\"path\":\"/endpoints/0/conditions/ready\",\"value\":false}]");
    assertThat(r.succeeded()).as(r.toString()).isTrue();
  }

  private void apply(String yaml) {
    CommandResult r = api.applyYaml(yaml);
    assertThat(r.succeeded()).as(r.toString()).isTrue();
  }

  /** Every access-log line the waypoint has written so far. */
  private static List<JsonNode> logs(WayoutProcess waypoint) {
    List<JsonNode> out = new ArrayList<>();
    for (String line : waypoint.stdout()) {
      if (line.startsWith("{")) {
        try {
          out.add(JSON.readTree(line));
        } catch (java.io.IOException e) {
          throw new AssertionError("not JSON: " + line, e);
        }
      }
    }
    return out;
  }

  /** The access-log line for {@code authority} sent to {@code upstreamHost}, once written. */
  private static JsonNode awaitLog(WayoutProcess waypoint, String authority, String upstreamHost) {
    JsonNode[] found = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              found[0] =
                  logs(waypoint).stream()
                      .filter(
                          l ->
                              l.path("authority").asText().equals(authority)
                                  && l.path("upstream_host").asText().equals(upstreamHost))
                      .reduce((a, b) -> b)
                      .orElse(null);
              assertThat(found[0])
                  .as("a log line for %s to %s in %s", authority, upstreamHost, waypoint.printed())
                  .isNotNull();
            });
    return found[0];
  }
}
