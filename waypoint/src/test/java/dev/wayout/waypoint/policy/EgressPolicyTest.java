package dev.wayout.waypoint.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.model.IstioDocuments;
import dev.wayout.waypoint.upstream.TlsContexts;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EgressPolicyTest {

  private static final String ENTRIES =
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: aliyun, namespace: istio-egress}
      spec:
        hosts: [aliyun.com]
        location: MESH_EXTERNAL
        ports:
        - {number: 80, name: http, protocol: HTTP, targetPort: 443}
        - {number: 443, name: https, protocol: HTTPS}
        resolution: DNS
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: wildcard, namespace: istio-egress}
      spec:
        hosts: ["*.example.com"]
        ports: [{number: 80, name: http, protocol: HTTP}]
        resolution: DYNAMIC_DNS
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: narrower, namespace: istio-egress}
      spec:
        hosts: ["*.api.example.com"]
        ports: [{number: 80, name: http, protocol: HTTP}]
        resolution: DYNAMIC_DNS
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: private, namespace: shop}
      spec:
        hosts: [payments.example.net]
        exportTo: ["."]
        ports: [{number: 80, name: http, protocol: HTTP}]
        resolution: DNS
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: other-waypoint, namespace: istio-egress, labels: {istio.io/use-waypoint: other}}
      spec:
        hosts: [other.example.org]
        ports: [{number: 80, name: http, protocol: HTTP}]
        resolution: DNS
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: aliyun-com, namespace: istio-egress}
      spec:
        host: aliyun.com
        trafficPolicy:
          portLevelSettings:
          - port: {number: 80}
            tls: {mode: SIMPLE}
      """;

  private static EgressPolicy policy(WaypointBinding binding) {
    return new EgressPolicyBuilder(
            () -> binding,
            new TlsContexts(null, null),
            Duration.ofSeconds(1),
            Duration.ofSeconds(60))
        .build(IstioDocuments.parse(ENTRIES, "test.yaml", "default"));
  }

  private final EgressPolicy all = policy(WaypointBinding.everything("waypoint"));

  @Test
  void routesAnExactHostAndPortWithTargetPortAndTls() {
    Route r = all.route("aliyun.com", 80, Listener.HTTP, null);
    assertThat(r.upstreamPort()).isEqualTo(443);
    assertThat(r.tls()).isNotNull();
    assertThat(r.tls().error()).isNull();
    assertThat(r.clusterName()).isEqualTo("outbound|80||aliyun.com");
  }

  @Test
  void keepsHttpsPortsForTunnelsAndHttpPortsForRequests() {
    assertThat(all.route("aliyun.com", 443, Listener.HTTP, null)).isNull();
    assertThat(all.route("aliyun.com", 443, Listener.TUNNEL, null)).isNotNull();
    assertThat(all.route("aliyun.com", 80, Listener.TUNNEL, null)).isNull();
  }

  @Test
  void theMostSpecificWildcardWins() {
    assertThat(all.route("a.api.example.com", 80, Listener.HTTP, null).entry().name())
        .isEqualTo("narrower");
    assertThat(all.route("www.example.com", 80, Listener.HTTP, null).entry().name())
        .isEqualTo("wildcard");
    assertThat(all.route("example.com", 80, Listener.HTTP, null)).isNull();
  }

  @Test
  void honoursExportToWhenTheClientsNamespaceIsKnown() {
    assertThat(all.route("payments.example.net", 80, Listener.HTTP, "shop")).isNotNull();
    assertThat(all.route("payments.example.net", 80, Listener.HTTP, "blog")).isNull();
    assertThat(all.route("payments.example.net", 80, Listener.HTTP, null)).isNotNull();
  }

  @Test
  void servesOnlyEntriesBoundToThisWaypointAndSendsAnotherWaypointsToThatWaypoint() {
    // bound to istio-egress/other, which does not exist: never out from here, refused naming it
    Route toOther = all.route("other.example.org", 80, Listener.HTTP, null);
    assertThat(toOther.peer()).isEqualTo(new dev.wayout.model.WaypointRef("istio-egress", "other"));
    assertThat(toOther.staticEndpoints()).isEmpty();
    assertThat(toOther.tls()).isNull();
    EgressPolicy bound = policy(WaypointBinding.namespaces("waypoint", Set.of("shop")));
    assertThat(bound.route("aliyun.com", 80, Listener.HTTP, null)).isNull();
    assertThat(bound.route("payments.example.net", 80, Listener.HTTP, null)).isNotNull();
    EgressPolicy other = policy(WaypointBinding.namespaces("other", Set.of()));
    assertThat(other.route("other.example.org", 80, Listener.HTTP, null).toPeer()).isFalse();
  }
}
