package dev.wayout.webhook.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.model.Gateway;
import dev.wayout.model.GatewayClass;
import dev.wayout.model.KubeNamespace;
import dev.wayout.model.Registry;
import dev.wayout.model.WaypointChecks.Lookup;
import dev.wayout.model.WaypointRef;
import dev.wayout.webhook.Fixtures;
import dev.wayout.webhook.admission.AdmissionResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The waypoint warnings through the validating reviewer, with a cluster held in memory. */
class WaypointWarningsTest {

  /** A cluster with one Gateway, istio-egress/waypoint, and no GatewayClass. */
  private static final WaypointView CLUSTER =
      new WaypointView() {
        @Override
        public Lookup<Gateway> gateway(WaypointRef ref) {
          return ref.equals(new WaypointRef("istio-egress", "waypoint"))
              ? Lookup.of(new Gateway("istio-egress", "waypoint", Map.of(), "istio-waypoint"))
              : Lookup.missing();
        }

        @Override
        public Lookup<GatewayClass> gatewayClass(String name) {
          return Lookup.missing();
        }

        @Override
        public String where() {
          return "in the cluster";
        }

        @Override
        public Map<String, String> namespaceLabels(String namespace) {
          return namespace.equals("shop") ? Map.of("istio.io/use-waypoint", "egress") : Map.of();
        }

        @Override
        public List<KubeNamespace> namespaces() {
          return List.of(new KubeNamespace("shop", namespaceLabels("shop")));
        }
      };

  private final WaypointWarnings warnings =
      new WaypointWarnings(
          CLUSTER, () -> Registry.EMPTY, new WaypointRef("wayout-system", "waypoint"));
  private final ValidatingReviewer reviewer =
      new ValidatingReviewer(
          new IstioReviewer(() -> Registry.EMPTY, warnings),
          new NamespaceLabelGuard(
              new EgressAdmins(
                  java.util.Set.of(), java.util.Set.of("system:masters"), java.util.Set.of())),
          warnings);

  private AdmissionResponse review(String yaml) {
    return reviewer.review(Fixtures.request(Fixtures.review("CREATE", Fixtures.yaml(yaml))));
  }

  @Test
  void admitsAServiceEntryOfANamespaceBoundToAMissingWaypointWithAWarning() {
    AdmissionResponse r =
        review(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: api, namespace: shop}
            spec:
              hosts: [api.example.com]
              resolution: DNS
              ports: [{number: 80, name: http, protocol: HTTP}]
            """);

    assertThat(r.allowed()).isTrue();
    assertThat(r.warnings())
        .anySatisfy(
            w ->
                assertThat(w)
                    .startsWith(
                        "metadata.namespace: namespace \"shop\" is labelled"
                            + " istio.io/use-waypoint=egress, which binds this ServiceEntry to"
                            + " waypoint shop/egress, but no Gateway shop/egress exists"));
  }

  @Test
  void admitsTheSeedsBindingWithoutAWaypointWarning() {
    AdmissionResponse r =
        review(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: api
              namespace: istio-egress
              labels: {istio.io/use-waypoint: waypoint}
            spec:
              hosts: [api.example.com]
              resolution: DNS
              ports: [{number: 80, name: http, protocol: HTTP}]
            """);

    assertThat(r.allowed()).isTrue();
    assertThat(r.warnings()).noneMatch(w -> w.contains("waypoint"));
  }

  @Test
  void warnsAboutANamespaceAndAGatewayButAdmitsBoth() {
    AdmissionResponse ns =
        review(
            """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: tenant
              labels: {istio.io/use-waypoint: egress, istio.io/use-waypoint-namespace: istio-egress}
            """);
    AdmissionResponse gateway =
        review(
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: egress, namespace: shop}
            spec: {gatewayClassName: nginx}
            """);

    assertThat(ns.allowed()).isTrue();
    assertThat(ns.warnings())
        .singleElement()
        .asString()
        .contains("names waypoint istio-egress/egress, but no Gateway istio-egress/egress exists");
    assertThat(gateway.allowed()).isTrue();
    assertThat(gateway.warnings())
        .singleElement()
        .asString()
        .contains("namespace shop is bound to it by istio.io/use-waypoint")
        .contains("no GatewayClass \"nginx\" exists (looked for in the cluster)");
  }
}
