package dev.wayout.waypoint.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.model.IstioDocuments;
import dev.wayout.model.ResourceSet;
import dev.wayout.model.SourceIdentity;
import dev.wayout.waypoint.policy.EgressPolicy;
import dev.wayout.waypoint.policy.EgressPolicyBuilder;
import dev.wayout.waypoint.policy.Listener;
import dev.wayout.waypoint.policy.Route;
import dev.wayout.waypoint.policy.WaypointBinding;
import dev.wayout.waypoint.upstream.TlsContexts;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** VirtualService tls and tcp routes decided over plain connection data: no socket. */
class ConnectionRoutesTest {

  private static final String YAML =
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: api, namespace: shop}
      spec:
        hosts: ["*.example.com"]
        ports: [{number: 443, name: tls, protocol: TLS}, {number: 5432, name: pg, protocol: TCP}]
        resolution: NONE
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: mirror, namespace: shop}
      spec:
        hosts: [mirror.example.org]
        ports: [{number: 443, name: tls, protocol: TLS}]
        resolution: DNS
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: db, namespace: shop}
      spec:
        hosts: [db.example.org]
        ports: [{number: 6432, name: pg, protocol: TCP}]
        resolution: DNS
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: edge, namespace: shop}
      spec:
        hosts: ["*.example.com"]
        tls:
        - match: [{sniHosts: [a.example.com]}]
          route: [{destination: {host: mirror.example.org}}]
        - match: [{sniHosts: ["*.ops.example.com"], sourceNamespace: ops}]
          route: [{destination: {host: mirror.example.org}}]
        - match: [{sniHosts: [b.example.com], sourceLabels: {team: sre}}]
          route: [{destination: {host: gone.example.org, port: {number: 443}}}]
        - match: [{sniHosts: [c.example.com], gateways: [shop/edge-gw]}]
          route: [{destination: {host: mirror.example.org}}]
        - match: [{sniHosts: [w.example.com]}]
          route:
          - {destination: {host: mirror.example.org}, weight: 75}
          - {destination: {host: w.example.com}, weight: 25}
          - {destination: {host: never.example.org}, weight: 0}
        tcp:
        - match: [{port: 5432}]
          route: [{destination: {host: db.example.org}}]
      """;

  private static final EgressPolicy POLICY = policy();

  private static EgressPolicy policy() {
    ResourceSet set = IstioDocuments.parse(YAML, "t.yaml", "shop");
    assertThat(set.problems()).isEmpty();
    return new EgressPolicyBuilder(
            () -> WaypointBinding.everything("waypoint"),
            new TlsContexts(null, null),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1))
        .build(set);
  }

  private static ConnectionRule decide(String host, int port, String sni, SourceIdentity source) {
    Route route = POLICY.route(host, port, Listener.TUNNEL, source.namespace());
    assertThat(route).isNotNull();
    return POLICY.virtualRoutes().connection(route, source.namespace(), sni, port, source);
  }

  private static final SourceIdentity SHOP_SRE =
      SourceIdentity.of("shop", "default", "client", Map.of("team", "sre"));
  private static final SourceIdentity OPS = SourceIdentity.of("ops", "default", "x", Map.of());

  @ParameterizedTest(name = "{0} from {1}: {2}")
  @CsvSource({
    "a.example.com, shop, shop/edge.tls[0]",
    "x.ops.example.com, ops, shop/edge.tls[1]",
    "x.ops.example.com, shop, default",
    "b.example.com, sre, shop/edge.tls[2]",
    "b.example.com, shop, default",
    "b.example.com, unknown, default",
    "c.example.com, shop, default",
    "z.example.com, shop, default",
  })
  void tlsRoutesMatchBySniAndSource(String sni, String who, String expected) {
    SourceIdentity source =
        switch (who) {
          case "sre" -> SHOP_SRE;
          case "ops" -> OPS;
          case "unknown" -> SourceIdentity.UNKNOWN;
          default -> SourceIdentity.of("shop", "default", "y", Map.of());
        };
    ConnectionRule rule = decide(sni, 443, sni, source);
    assertThat(rule == null ? "default" : rule.name()).isEqualTo(expected);
  }

  @Test
  void aDestinationNoServiceEntryRegistersHasNoRoute() {
    Target t = decide("b.example.com", 443, "b.example.com", SHOP_SRE).pick();
    assertThat(t.route()).isNull();
    assertThat(t.description()).isEqualTo("gone.example.org:443");
  }

  @Test
  void destinationsWithoutPortTakeTheHostsOnlyPort() {
    Target t = decide("a.example.com", 443, "a.example.com", SHOP_SRE).pick();
    assertThat(t.route().host()).isEqualTo("mirror.example.org");
    assertThat(t.route().cluster().name()).isEqualTo("outbound|443||mirror.example.org");
    assertThat(t.sameHost()).isFalse();
  }

  @Test
  void weightZeroIsNeverDrawnAndTheOwnHostDialsTheAskedName() {
    ConnectionRule rule = decide("w.example.com", 443, "w.example.com", SHOP_SRE);
    assertThat(rule.targets()).hasSize(2);
    int mirror = 0;
    for (int i = 0; i < 4000; i++) {
      Target t = rule.pick();
      if (t.route().host().equals("mirror.example.org")) {
        mirror++;
      } else {
        assertThat(t.route().host()).isEqualTo("*.example.com");
        assertThat(t.sameHost()).isTrue();
      }
    }
    assertThat(mirror).isBetween(2700, 3300);
  }

  @Test
  void tcpRoutesMatchByPortAndNeverTakeTlsRoutes() {
    ConnectionRule rule = decide("p.example.com", 5432, null, SHOP_SRE);
    assertThat(rule.name()).isEqualTo("shop/edge.tcp[0]");
    Target t = rule.pick();
    assertThat(t.route().cluster().name()).isEqualTo("outbound|6432||db.example.org");
    // a.example.com on the TCP port: plain TCP carries no SNI, so only tcp routes apply
    assertThat(decide("a.example.com", 5432, null, SHOP_SRE).name()).isEqualTo("shop/edge.tcp[0]");
  }

  @Test
  void tcpRoutesApplyToTlsTrafficNoTlsRouteTakes() {
    // Istio's waypoint: TLS routes first, then TCP routes; the tcp route matches port 5432 only
    assertThat(decide("z.example.com", 443, "z.example.com", SHOP_SRE)).isNull();
  }
}
