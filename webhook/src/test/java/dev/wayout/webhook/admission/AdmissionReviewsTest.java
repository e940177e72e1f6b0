package dev.wayout.webhook.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wayout.webhook.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdmissionReviewsTest {

  @Test
  void decodesTheRequestTheApiServerSends() {
    ObjectNode review =
        Fixtures.review("CREATE", Fixtures.object("seed-serviceentry.yaml"), null, Fixtures.ALICE);
    review.with("request").put("dryRun", true);

    AdmissionRequest request = AdmissionReviews.decode(Fixtures.bytes(review));

    assertThat(request.uid()).isEqualTo(review.path("request").path("uid").asText());
    assertThat(request.group()).isEqualTo("networking.istio.io");
    assertThat(request.version()).isEqualTo("v1");
    assertThat(request.kind()).isEqualTo("ServiceEntry");
    assertThat(request.operation()).isEqualTo("CREATE");
    assertThat(request.namespace()).isEqualTo("istio-egress");
    assertThat(request.objectRef()).isEqualTo("istio-egress/external-svc-aliyun");
    assertThat(request.userInfo()).isEqualTo(Fixtures.ALICE);
    assertThat(request.object().path("spec").path("hosts").get(0).asText()).isEqualTo("aliyun.com");
    assertThat(request.oldObject()).isNull();
    assertThat(request.dryRun()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          empty body            |                                                         | 400 | the request body is empty
          blank body            |'   '                                                    | 400 | the request body is empty
          not JSON              | {"apiVersion":                                          | 400 | the request body is not JSON
          trailing garbage      | {"a":1} x                                               | 400 | the request body is not JSON
          array                 | []                                                      | 400 | not a JSON object
          no apiVersion         | {"kind":"AdmissionReview"}                              | 400 | apiVersion is missing
          old apiVersion        | {"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u"}} | 400 | apiVersion "admission.k8s.io/v1beta1" is not valid; expected "admission.k8s.io/v1"
          wrong kind            | {"apiVersion":"admission.k8s.io/v1","kind":"Pod"}       | 400 | kind "Pod" is not valid; expected "AdmissionReview"
          no request            | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"} | 400 | request is missing
          no uid                | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE"}} | 400 | request.uid is missing
          numeric uid           | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":7}} | 400 | request.uid 7 is not valid
          no kind               | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE"}} | 400 | request.kind.kind is missing
          bad operation         | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"kind":"Namespace"},"operation":"PATCH"}} | 400 | request.operation "PATCH" is not one of
          object not an object  | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"kind":"Namespace"},"operation":"CREATE","object":"x"}} | 400 | request.object is not a Kubernetes object
          dryRun not a boolean  | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"kind":"Namespace"},"operation":"CREATE","dryRun":"yes"}} | 400 | request.dryRun is not true or false
          groups not a list     | {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"kind":"Namespace"},"operation":"CREATE","userInfo":{"groups":"x"}}} | 400 | request.userInfo.groups is not a list
          """)
  void refusesWhatIsNotAnAdmissionReview(String what, String body, int status, String message) {
    byte[] bytes = (body == null ? "" : body).getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> AdmissionReviews.decode(bytes))
        .isInstanceOfSatisfying(
            InvalidReviewException.class,
            e -> {
              assertThat(e.status()).isEqualTo(status);
              assertThat(e.getMessage()).contains(message);
            });
  }

  @Test
  void keepsTheUidOfAnInvalidReviewWhenItCanBeRead() {
    byte[] body =
        "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"abc\"}}"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> AdmissionReviews.decode(body))
        .isInstanceOfSatisfying(
            InvalidReviewException.class, e -> assertThat(e.uid()).isEqualTo("abc"));
  }

  @Test
  void refusesBodiesOver3MiB() {
    byte[] body = new byte[AdmissionReviews.MAX_BODY_BYTES + 1];
    assertThatThrownBy(() -> AdmissionReviews.decode(body))
        .isInstanceOfSatisfying(
            InvalidReviewException.class,
            e -> {
              assertThat(e.status()).isEqualTo(413);
              assertThat(e.getMessage()).contains("over 3 MiB");
            });
  }

  @Test
  void writesADenialWithStatusAndWarnings() throws Exception {
    byte[] out =
        AdmissionReviews.encode(
            "u-1", AdmissionResponse.deny("spec.hosts: bad; fix it", List.of("w1")));
    JsonNode review = Fixtures.JSON.readTree(out);

    assertThat(review.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(review.path("kind").asText()).isEqualTo("AdmissionReview");
    JsonNode response = review.path("response");
    assertThat(response.path("uid").asText()).isEqualTo("u-1");
    assertThat(response.path("allowed").asBoolean()).isFalse();
    assertThat(response.path("status").path("code").asInt()).isEqualTo(403);
    assertThat(response.path("status").path("message").asText())
        .isEqualTo("spec.hosts: bad; fix it");
    assertThat(response.path("warnings").get(0).asText()).isEqualTo("w1");
    assertThat(response.has("patch")).isFalse();
  }

  @Test
  void writesAPatchAsBase64JsonPatch() throws Exception {
    String patch = "[{\"op\":\"add\",\"path\":\"/metadata/labels/x\",\"value\":\"y\"}]";
    JsonNode response =
        Fixtures.JSON
            .readTree(AdmissionReviews.encode("u-2", AdmissionResponse.patch(patch)))
            .path("response");

    assertThat(response.path("allowed").asBoolean()).isTrue();
    assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
    assertThat(
            new String(
                Base64.getDecoder().decode(response.path("patch").asText()),
                StandardCharsets.UTF_8))
        .isEqualTo(patch);
    assertThat(response.has("status")).isFalse();
  }
}
