package dev.wayout.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WaypointChecksTest {

  private static final WaypointRef DEFAULT = WaypointChecks.DEFAULT_WAYPOINT;

  /** A cluster holding these Gateways and GatewayClasses. */
  private static WaypointChecks.Place cluster(List<Gateway> gateways, List<GatewayClass> classes) {
    return new WaypointChecks.Place() {
      @Override
      public WaypointChecks.Lookup<Gateway> gateway(WaypointRef ref) {
        return gateways.stream()
            .filter(g -> g.ref().equals(ref))
            .findFirst()
            .map(WaypointChecks.Lookup::of)
            .orElse(WaypointChecks.Lookup.missing());
      }

      @Override
      public WaypointChecks.Lookup<GatewayClass> gatewayClass(String name) {
        return classes.stream()
            .filter(c -> c.name().equals(name))
            .findFirst()
            .map(WaypointChecks.Lookup::of)
            .orElse(WaypointChecks.Lookup.missing());
      }

      @Override
      public String where() {
        return "in the cluster";
      }
    };
  }

  private static ServiceEntry entry(String namespace, Map<String, String> labels) {
    return new ServiceEntry(
        namespace,
        "api",
        labels,
        List.of("api.example.com"),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  private static Gateway gateway(String namespace, String name, String cls) {
    return new Gateway(namespace, name, Map.of(), cls);
  }

  @Test
  void warnsAboutAnEntryBoundToAGatewayThatDoesNotExistNamingItWhereAndTheFix() {
    var result =
        WaypointChecks.serviceEntry(
            entry("shop", Map.of(Labels.USE_WAYPOINT, "egress")),
            Map.of(),
            cluster(List.of(), List.of()),
            DEFAULT);

    assertThat(result.warnings())
        .singleElement()
        .hasToString(
            "metadata.labels[\"istio.io/use-waypoint\"]: \"egress\" names waypoint shop/egress,"
                + " but no Gateway shop/egress exists (looked for in the cluster), so the"
                + " waypoints refuse traffic to this ServiceEntry's hosts; create the Gateway"
                + " (name: egress, namespace: shop, gatewayClassName: istio-waypoint) or correct"
                + " the label");
  }

  @Test
  void saysTheWaypointCannotExistWhereTheGatewayApiIsNotInstalled() {
    WaypointChecks.Place noGatewayApi =
        new WaypointChecks.Place() {
          @Override
          public WaypointChecks.Lookup<Gateway> gateway(WaypointRef ref) {
            return WaypointChecks.Lookup.impossible(
                "the API server does not serve the Gateway API (gateway.networking.k8s.io)");
          }

          @Override
          public WaypointChecks.Lookup<GatewayClass> gatewayClass(String name) {
            return WaypointChecks.Lookup.missing();
          }

          @Override
          public String where() {
            return "in the cluster";
          }
        };

    var result =
        WaypointChecks.serviceEntry(
            entry("shop", Map.of(Labels.USE_WAYPOINT, "egress")), Map.of(), noGatewayApi, DEFAULT);
    var dflt =
        WaypointChecks.serviceEntry(
            entry("shop", Map.of(Labels.USE_WAYPOINT, "waypoint")),
            Map.of(),
            noGatewayApi,
            DEFAULT);

    assertThat(result.warnings())
        .singleElement()
        .hasToString(
            "metadata.labels[\"istio.io/use-waypoint\"]: \"egress\" names waypoint shop/egress,"
                + " but no Gateway shop/egress can exist: the API server does not serve the"
                + " Gateway API (gateway.networking.k8s.io), so the waypoints refuse traffic to"
                + " this ServiceEntry's hosts; install the Gateway API CRDs"
                + " (gateway.networking.k8s.io v1), then create the Gateway (name: egress,"
                + " namespace: shop, gatewayClassName: istio-waypoint) or correct the label");
    // the default waypoint needs no Gateway
    assertThat(dflt.all()).isEmpty();
  }

  @Test
  void readsTheWaypointNamespaceAndTheNamespaceLabelAsIstioDoes() {
    var result =
        WaypointChecks.serviceEntry(
            entry("shop", Map.of()),
            Map.of(Labels.USE_WAYPOINT, "egress", Labels.USE_WAYPOINT_NAMESPACE, "istio-egress"),
            cluster(List.of(gateway("shop", "egress", "istio-waypoint")), List.of()),
            DEFAULT);

    assertThat(result.warnings())
        .singleElement()
        .asString()
        .startsWith(
            "metadata.namespace: namespace \"shop\" is labelled istio.io/use-waypoint=egress,"
                + " which binds this ServiceEntry to waypoint istio-egress/egress, but no Gateway"
                + " istio-egress/egress exists");
  }

  @Test
  void acceptsAnExistingGatewayNoneAndTheDefaultWaypoint() {
    var place = cluster(List.of(gateway("shop", "egress", "wayout-waypoint")), List.of());

    assertThat(
            WaypointChecks.serviceEntry(
                    entry("shop", Map.of(Labels.USE_WAYPOINT, "egress")), Map.of(), place, DEFAULT)
                .all())
        .isEmpty();
    assertThat(
            WaypointChecks.serviceEntry(
                    entry("shop", Map.of(Labels.USE_WAYPOINT, "none")),
                    Map.of(Labels.USE_WAYPOINT, "missing"),
                    place,
                    DEFAULT)
                .all())
        .isEmpty();
    // no Gateway "waypoint" in shop: the default waypoint serves that name
    assertThat(
            WaypointChecks.serviceEntry(
                    entry("shop", Map.of(Labels.USE_WAYPOINT, "waypoint")),
                    Map.of(),
                    place,
                    DEFAULT)
                .all())
        .isEmpty();
  }

  @Test
  void warnsAboutAnEntryBoundToAGatewayOfAClassWayoutDoesNotServe() {
    var result =
        WaypointChecks.serviceEntry(
            entry("shop", Map.of(Labels.USE_WAYPOINT, "egress")),
            Map.of(),
            cluster(List.of(gateway("shop", "egress", "nginx")), List.of()),
            DEFAULT);

    assertThat(result.warnings())
        .singleElement()
        .asString()
        .contains("Gateway shop/egress has gatewayClassName \"nginx\", which Wayout does not serve")
        .endsWith(
            "set its gatewayClassName to istio-waypoint or wayout-waypoint, or correct the label");
  }

  @Test
  void warnsAboutANamespaceLabelledForAMissingWaypoint() {
    var result =
        WaypointChecks.namespace(
            new KubeNamespace("shop", Map.of(Labels.USE_WAYPOINT, "egress")),
            cluster(List.of(), List.of()),
            DEFAULT);

    assertThat(result.warnings())
        .singleElement()
        .asString()
        .startsWith(
            "metadata.labels[\"istio.io/use-waypoint\"]: \"egress\" names waypoint shop/egress,"
                + " but no Gateway shop/egress exists")
        .contains("the hosts of this namespace's ServiceEntries");
  }

  @Test
  void filesSayWhenTheCheckCannotBeMade() {
    var place =
        WaypointChecks.files(
            List.of(gateway("istio-egress", "waypoint", "istio-waypoint")), List.of());

    var unknown =
        WaypointChecks.serviceEntry(
            entry("shop", Map.of(Labels.USE_WAYPOINT, "egress")), Map.of(), place, DEFAULT);
    var missing =
        WaypointChecks.serviceEntry(
            entry("istio-egress", Map.of(Labels.USE_WAYPOINT, "egress")), Map.of(), place, DEFAULT);

    assertThat(unknown.warnings()).isEmpty();
    assertThat(unknown.unchecked())
        .singleElement()
        .asString()
        .contains(
            "which could not be checked: the files hold no Gateway of namespace \"shop\", so"
                + " whether it exists in the cluster is not known");
    assertThat(missing.warnings())
        .singleElement()
        .asString()
        .contains("no Gateway istio-egress/egress exists (looked for in the files given)");
  }

  @Test
  void warnsAboutAGatewayMeantForWayoutWithAClassItDoesNotServe() {
    Gateway typo = gateway("shop", "egress", "istio-waypiont");

    var unbound = WaypointChecks.gateway(typo, List.of(), cluster(List.of(), List.of()));
    var bound =
        WaypointChecks.gateway(
            typo,
            List.of("ServiceEntry shop/api"),
            cluster(List.of(), List.of(new GatewayClass("istio-waypiont", "example.com/other"))));

    assertThat(unbound.warnings())
        .singleElement()
        .hasToString(
            "spec.gatewayClassName: \"istio-waypiont\" is not a class Wayout serves"
                + " (istio-waypoint, wayout-waypoint), yet this Gateway looks meant for a Wayout"
                + " waypoint: no GatewayClass \"istio-waypiont\" exists (looked for in the"
                + " cluster); no Wayout waypoint is deployed for it; use gatewayClassName:"
                + " istio-waypoint (or wayout-waypoint)");
    assertThat(bound.warnings())
        .singleElement()
        .asString()
        .contains("ServiceEntry shop/api is bound to it by istio.io/use-waypoint");
  }

  @Test
  void neverWarnsAboutAnotherProjectsGateway() {
    Gateway ingress = gateway("web", "public", "nginx");
    var place = cluster(List.of(), List.of(new GatewayClass("nginx", "k8s.io/nginx")));

    assertThat(WaypointChecks.gateway(ingress, List.of(), place).all()).isEmpty();
    // in files, a class that is not there is not known: no warning without a binding
    assertThat(
            WaypointChecks.gateway(ingress, List.of(), WaypointChecks.files(List.of(), List.of()))
                .all())
        .isEmpty();
  }

  @Test
  void warnsWhenWayoutsOwnClassIsNotInstalledOrNamesAnotherController() {
    Gateway own = gateway("shop", "egress", "wayout-waypoint");

    assertThat(WaypointChecks.gateway(own, List.of(), cluster(List.of(), List.of())).warnings())
        .singleElement()
        .asString()
        .contains("\"wayout-waypoint\" has no GatewayClass")
        .contains("kubectl apply -k manifests/gateway/");
    assertThat(
            WaypointChecks.gateway(
                    own,
                    List.of(),
                    cluster(List.of(), List.of(new GatewayClass("wayout-waypoint", "x.dev/y"))))
                .warnings())
        .singleElement()
        .asString()
        .contains("names controller \"x.dev/y\"");
    assertThat(
            WaypointChecks.gateway(
                    gateway("shop", "egress", "istio-waypoint"),
                    List.of(),
                    cluster(List.of(), List.of()))
                .all())
        .isEmpty();
  }

  @Test
  void findsWhatBindsToAGateway() {
    Gateway g = gateway("istio-egress", "waypoint", "istio-waypoint");

    List<String> bound =
        WaypointChecks.boundTo(
            g,
            List.of(
                new KubeNamespace("istio-egress", Map.of(Labels.USE_WAYPOINT, "waypoint")),
                new KubeNamespace("other", Map.of(Labels.USE_WAYPOINT, "waypoint"))),
            List.of(
                entry("istio-egress", Map.of()),
                entry(
                    "shop",
                    Map.of(
                        Labels.USE_WAYPOINT,
                        "waypoint",
                        Labels.USE_WAYPOINT_NAMESPACE,
                        "istio-egress"))),
            ns -> ns.equals("istio-egress") ? Map.of(Labels.USE_WAYPOINT, "waypoint") : Map.of());

    assertThat(bound)
        .containsExactly(
            "namespace istio-egress", "ServiceEntry istio-egress/api", "ServiceEntry shop/api");
  }
}
