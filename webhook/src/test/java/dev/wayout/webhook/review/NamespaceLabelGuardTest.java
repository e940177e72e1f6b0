package dev.wayout.webhook.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wayout.webhook.Fixtures;
import dev.wayout.webhook.admission.AdmissionResponse;
import dev.wayout.webhook.admission.UserInfo;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NamespaceLabelGuardTest {

  private static final UserInfo GITOPS =
      new UserInfo("system:serviceaccount:argocd:controller", List.of("system:serviceaccounts"));
  private static final UserInfo OPS = new UserInfo("ops", List.of());

  private final NamespaceLabelGuard guard =
      new NamespaceLabelGuard(
          new EgressAdmins(Set.of("ops"), Set.of("system:masters"), Set.of("argocd/controller")));

  private static ObjectNode namespace(String egress) {
    ObjectNode ns = Fixtures.object("namespace.yaml");
    if (!egress.equals("-")) {
      ns.with("metadata").with("labels").put("wayout.dev/egress", egress);
    }
    return ns;
  }

  private AdmissionResponse update(String before, String after, UserInfo user) {
    return guard.review(
        Fixtures.request(Fixtures.review("UPDATE", namespace(after), namespace(before), user)));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"enforced, exempt", "-, exempt", "enforced, -"})
  void refusesAliceTurningEnforcementOff(String before, String after) {
    AdmissionResponse response = update(before, after, Fixtures.ALICE);

    assertThat(response.allowed()).isFalse();
    assertThat(response.code()).isEqualTo(403);
    assertThat(response.message())
        .startsWith("metadata.labels[\"wayout.dev/egress\"]: ")
        .contains("\"alice\"")
        .contains("namespace \"shop\"")
        .contains(
            "only users \"ops\", groups \"system:masters\", service accounts \"argocd/controller\" may");
  }

  @Test
  void refusesAliceCreatingAnExemptNamespace() {
    AdmissionResponse response =
        guard.review(
            Fixtures.request(Fixtures.review("CREATE", namespace("exempt"), null, Fixtures.ALICE)));

    assertThat(response.allowed()).isFalse();
    assertThat(response.message()).contains("setting \"exempt\"");
  }

  @Test
  void letsConfiguredIdentitiesExempt() {
    assertThat(update("enforced", "exempt", OPS).allowed()).isTrue();
    assertThat(update("enforced", "exempt", Fixtures.ADMIN).allowed()).isTrue();
    assertThat(update("enforced", "exempt", GITOPS).allowed()).isTrue();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"-, enforced", "exempt, enforced", "enforced, enforced", "exempt, exempt", "-, -"})
  void letsAnyoneTurnEnforcementOnOrLeaveItAlone(String before, String after) {
    assertThat(update(before, after, Fixtures.ALICE).allowed()).isTrue();
  }

  @Test
  void refusesUnknownValuesFromAnyone() {
    AdmissionResponse response = update("-", "off", Fixtures.ADMIN);

    assertThat(response.allowed()).isFalse();
    assertThat(response.message())
        .isEqualTo(
            "metadata.labels[\"wayout.dev/egress\"]: \"off\" is not a value Wayout knows; use \"enforced\" or \"exempt\"");
  }

  @Test
  void allowsDeletes() {
    AdmissionResponse response =
        guard.review(
            Fixtures.request(
                Fixtures.review("DELETE", null, namespace("enforced"), Fixtures.ALICE)));
    assertThat(response.allowed()).isTrue();
  }
}
