package dev.wayout.webhook.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wayout.model.Registry;
import dev.wayout.webhook.Fixtures;
import dev.wayout.webhook.admission.AdmissionResponse;
import org.junit.jupiter.api.Test;

class IstioReviewerTest {

  private final IstioReviewer reviewer = new IstioReviewer(() -> Registry.EMPTY);

  @Test
  void allowsTheSeedServiceEntryAndDestinationRule() {
    assertThat(
            reviewer
                .review(
                    Fixtures.request(
                        Fixtures.review("CREATE", Fixtures.object("seed-serviceentry.yaml"))))
                .allowed())
        .isTrue();
    assertThat(
            reviewer
                .review(
                    Fixtures.request(
                        Fixtures.review("UPDATE", Fixtures.object("seed-destinationrule.yaml"))))
                .allowed())
        .isTrue();
  }

  @Test
  void refusesAnInvalidServiceEntryNamingTheField() {
    AdmissionResponse response =
        reviewer.review(
            Fixtures.request(
                Fixtures.review("CREATE", Fixtures.object("no-hosts-serviceentry.yaml"))));

    assertThat(response.allowed()).isFalse();
    assertThat(response.code()).isEqualTo(403);
    assertThat(response.message()).startsWith("spec.hosts: ");
  }

  @Test
  void reportsEveryFieldOfTheWrongTypeTogether() {
    AdmissionResponse response =
        reviewer.review(
            Fixtures.request(
                Fixtures.review("CREATE", Fixtures.object("wrong-types-serviceentry.yaml"))));

    assertThat(response.allowed()).isFalse();
    assertThat(response.message())
        .contains("spec.hosts")
        .contains("spec.ports[0].number")
        .contains("; ");
  }

  @Test
  void fillsInTheNamespaceFromTheRequest() {
    ObjectNode entry = Fixtures.object("seed-serviceentry.yaml");
    ObjectNode review = Fixtures.review("CREATE", entry);
    ((ObjectNode) review.path("request").path("object").path("metadata")).remove("namespace");

    assertThat(reviewer.review(Fixtures.request(review)).allowed()).isTrue();
  }

  @Test
  void refusesAVirtualServiceWithTwoRoutingActions() {
    ObjectNode vs =
        Fixtures.yaml(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: a, namespace: shop}
            spec:
              hosts: [a.example.com]
              http:
              - redirect: {uri: /b}
                route: [{destination: {host: a.example.com}}]
            """);

    AdmissionResponse response = reviewer.review(Fixtures.request(Fixtures.review("CREATE", vs)));

    assertThat(response.allowed()).isFalse();
    assertThat(response.message())
        .isEqualTo(
            "spec.http[0].route: a route that redirects cannot also route; keep either redirect"
                + " or route");
  }

  @Test
  void allowsDeletesWithoutLooking() {
    ObjectNode review =
        Fixtures.review(
            "DELETE", null, Fixtures.object("no-hosts-serviceentry.yaml"), Fixtures.ADMIN);
    assertThat(reviewer.review(Fixtures.request(review)).allowed()).isTrue();
  }
}
