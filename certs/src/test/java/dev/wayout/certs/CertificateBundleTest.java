package dev.wayout.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CertificateBundleTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private static final CertificateAuthority OLD =
      CertificateAuthority.create(CLOCK, "wayout-webhook-ca", Duration.ofDays(365));
  private static final CertificateAuthority NEW =
      CertificateAuthority.create(CLOCK, "wayout-webhook-ca", Duration.ofDays(365));
  private static final ServingCertificate SERVING =
      OLD.issueServing(
          CLOCK, List.of("wayout-webhook.wayout-system.svc"), List.of(), Duration.ofDays(7));

  @Test
  void roundTripsThroughTheSecretLayout() {
    CertificateBundle bundle = new CertificateBundle(OLD, SERVING, CLOCK.instant());

    Map<String, String> data = bundle.secretData();
    assertThat(data).containsOnlyKeys("tls.crt", "tls.key", "ca.crt", "ca.key");
    assertThat(Pem.certificates(data.get("tls.crt"))).containsExactlyElementsOf(SERVING.chain());
    assertThat(Pem.certificates(data.get("ca.crt"))).containsExactly(OLD.certificate());
    assertThat(bundle.secretAnnotations())
        .containsEntry("wayout.dev/certificates-changed-at", "2026-01-01T00:00:00Z");

    CertificateBundle read = CertificateBundle.fromSecret(data, bundle.secretAnnotations());
    assertThat(read.ca().certificate()).isEqualTo(OLD.certificate());
    assertThat(read.ca().privateKey().getEncoded()).isEqualTo(OLD.privateKey().getEncoded());
    assertThat(read.serving().chain()).isEqualTo(SERVING.chain());
    assertThat(read.previousCa()).isEmpty();
    assertThat(read.changedAt()).isEqualTo(CLOCK.instant());
  }

  @Test
  void caCrtHoldsTheNewCaThenTheOldDuringARotation() {
    CertificateBundle rotating =
        new CertificateBundle(NEW, SERVING, Optional.of(OLD.certificate()), CLOCK.instant());

    assertThat(Pem.certificates(rotating.caBundlePem()))
        .containsExactly(NEW.certificate(), OLD.certificate());
    CertificateBundle read =
        CertificateBundle.fromSecret(rotating.secretData(), rotating.secretAnnotations());
    assertThat(read.ca().certificate()).isEqualTo(NEW.certificate());
    assertThat(read.previousCa()).contains(OLD.certificate());
    assertThat(read.rotationInProgress()).isTrue();
  }

  @Test
  void aSecretWithoutTheAnnotationCountsAsChangedLongAgo() {
    CertificateBundle bundle = new CertificateBundle(OLD, SERVING, CLOCK.instant());
    assertThat(CertificateBundle.fromSecret(bundle.secretData(), Map.of()).changedAt())
        .isEqualTo(Instant.EPOCH);
  }

  @Test
  void namesTheMissingKey() {
    Map<String, String> data =
        new HashMap<>(new CertificateBundle(OLD, SERVING, CLOCK.instant()).secretData());
    data.remove("ca.key");
    assertThatThrownBy(() -> CertificateBundle.fromSecret(data, Map.of()))
        .hasMessage("Secret key \"ca.key\" is missing or empty");
  }

  @Test
  void refusesAKeyThatDoesNotBelongToItsCertificate() {
    Map<String, String> data =
        new HashMap<>(new CertificateBundle(OLD, SERVING, CLOCK.instant()).secretData());
    data.put("ca.key", NEW.privateKeyPem());
    assertThatThrownBy(() -> CertificateBundle.fromSecret(data, Map.of()))
        .hasMessageContaining("\"ca.key\" does not belong to the first certificate in \"ca.crt\"");

    Map<String, String> swapped =
        new HashMap<>(new CertificateBundle(OLD, SERVING, CLOCK.instant()).secretData());
    swapped.put("tls.key", OLD.privateKeyPem());
    assertThatThrownBy(() -> CertificateBundle.fromSecret(swapped, Map.of()))
        .hasMessageContaining(
            "\"tls.key\" does not belong to the first certificate in \"tls.crt\"");
  }

  @Test
  void refusesGarbage() {
    Map<String, String> data =
        new HashMap<>(new CertificateBundle(OLD, SERVING, CLOCK.instant()).secretData());
    data.put("tls.crt", "not a certificate");
    assertThatThrownBy(() -> CertificateBundle.fromSecret(data, Map.of()))
        .hasMessageStartingWith("Secret key \"tls.crt\"");
  }
}
