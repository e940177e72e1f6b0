package dev.wayout.webhook.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.model.Cidr;
import dev.wayout.webhook.Fixtures;
import dev.wayout.webhook.admission.AdmissionResponse;
import dev.wayout.webhook.inject.InjectionConfig;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodInjectorTest {

  private static final InjectionConfig CONFIG =
      new InjectionConfig(
          "wayout:0.1.0", List.of(Cidr.parse("10.0.0.0/8")), List.of(), Set.of(), Set.of());

  private static final String POD =
      """
      apiVersion: v1
      kind: Pod
      metadata: {generateName: web-, namespace: shop}
      spec:
        containers: [{name: web, image: nginx}]
      """;

  @Test
  void followsTheWaypointAddressAsItChanges() {
    List<InetAddress> current = new ArrayList<>(List.of(Cidr.address("10.96.0.50")));
    PodInjector injector = new PodInjector(CONFIG, () -> List.copyOf(current), "Service a/b");

    String first = injector.review(Fixtures.request(review())).patch();
    current.set(0, Cidr.address("10.96.0.51"));
    String second = injector.review(Fixtures.request(review())).patch();

    assertThat(first).contains("\"--waypoint\",\"10.96.0.50\"");
    assertThat(second).contains("\"--waypoint\",\"10.96.0.51\"");
  }

  @Test
  void warnsThatThePodWillNotStartWhileTheWaypointIsUnknown() {
    PodInjector injector =
        new PodInjector(CONFIG, List::of, "Service wayout-system/wayout-waypoint");

    AdmissionResponse response = injector.review(Fixtures.request(review()));

    assertThat(response.allowed()).isTrue();
    assertThat(response.patch()).contains("wayout-init").doesNotContain("--waypoint");
    assertThat(response.warnings())
        .singleElement()
        .asString()
        .contains("Service wayout-system/wayout-waypoint has no cluster IP")
        .contains("the pod will not start");
  }

  @Test
  void ignoresOtherKinds() {
    PodInjector injector = new PodInjector(CONFIG, List::of, "x");

    AdmissionResponse response =
        injector.review(
            Fixtures.request(
                Fixtures.review("CREATE", Fixtures.object("namespace-nolabels.yaml"))));

    assertThat(response.hasPatch()).isFalse();
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode review() {
    return Fixtures.review("CREATE", Fixtures.yaml(POD), null, Fixtures.ALICE);
  }
}
