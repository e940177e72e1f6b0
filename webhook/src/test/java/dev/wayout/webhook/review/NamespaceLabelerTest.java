package dev.wayout.webhook.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wayout.webhook.Fixtures;
import dev.wayout.webhook.admission.AdmissionResponse;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamespaceLabelerTest {

  private final NamespaceLabeler labeler =
      new NamespaceLabeler(Set.of("kube-system", "wayout-system"));

  @Test
  void labelsANewNamespaceEnforcedWithOneAddOperation() {
    AdmissionResponse response =
        labeler.review(
            Fixtures.request(Fixtures.review("CREATE", Fixtures.object("namespace.yaml"))));

    assertThat(response.allowed()).isTrue();
    assertThat(response.patch())
        .isEqualTo(
            "[{\"op\":\"add\",\"path\":\"/metadata/labels/wayout.dev~1egress\",\"value\":\"enforced\"}]");
  }

  @Test
  void addsTheLabelsMapWhenTheNamespaceHasNone() {
    AdmissionResponse response =
        labeler.review(
            Fixtures.request(
                Fixtures.review("CREATE", Fixtures.object("namespace-nolabels.yaml"))));

    assertThat(response.patch())
        .isEqualTo(
            "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"wayout.dev/egress\":\"enforced\"}}]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"enforced", "exempt"})
  void leavesAnAlreadyLabelledNamespaceAlone(String value) {
    ObjectNode ns = Fixtures.object("namespace.yaml");
    ns.with("metadata").with("labels").put("wayout.dev/egress", value);

    AdmissionResponse response = labeler.review(Fixtures.request(Fixtures.review("CREATE", ns)));

    assertThat(response.allowed()).isTrue();
    assertThat(response.hasPatch()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"kube-system", "wayout-system"})
  void leavesExcludedNamespacesAlone(String name) {
    ObjectNode ns = Fixtures.object("namespace.yaml");
    ns.with("metadata").put("name", name);

    assertThat(labeler.review(Fixtures.request(Fixtures.review("CREATE", ns))).hasPatch())
        .isFalse();
  }

  @Test
  void labelsOnlyOnCreate() {
    ObjectNode ns = Fixtures.object("namespace.yaml");
    AdmissionResponse response =
        labeler.review(Fixtures.request(Fixtures.review("UPDATE", ns, ns, Fixtures.ADMIN)));

    assertThat(response.allowed()).isTrue();
    assertThat(response.hasPatch()).isFalse();
  }
}
