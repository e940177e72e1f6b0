package dev.wayout.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateAuthorityTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  private final CertificateAuthority ca =
      CertificateAuthority.create(CLOCK, "wayout-ca", Duration.ofDays(365));

  @Test
  void issuesServingCertificateWithTheServiceNamesSignedByTheCa() throws Exception {
    List<String> names =
        List.of(
            "wayout-webhook",
            "wayout-webhook.wayout-system",
            "wayout-webhook.wayout-system.svc",
            "wayout-webhook.wayout-system.svc.cluster.local");
    ServingCertificate serving =
        ca.issueServing(CLOCK, names, List.of("127.0.0.1"), Duration.ofDays(30));

    X509Certificate leaf = serving.leaf();
    leaf.verify(ca.certificate().getPublicKey());
    assertThat(leaf.getSubjectAlternativeNames().stream().map(san -> (String) san.get(1)))
        .containsExactlyInAnyOrder(
            "wayout-webhook",
            "wayout-webhook.wayout-system",
            "wayout-webhook.wayout-system.svc",
            "wayout-webhook.wayout-system.svc.cluster.local",
            "127.0.0.1");
    assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getNotAfter().toInstant()).isEqualTo(Instant.parse("2026-01-31T00:00:00Z"));
    assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(ca.certificate().getBasicConstraints()).isZero();
  }

  @Test
  void serialsAreRandom() {
    ServingCertificate a = ca.issueServing(CLOCK, List.of("a"), List.of(), Duration.ofDays(1));
    ServingCertificate b = ca.issueServing(CLOCK, List.of("a"), List.of(), Duration.ofDays(1));
    assertThat(a.leaf().getSerialNumber()).isNotEqualTo(b.leaf().getSerialNumber());
  }

  @Test
  void roundTripsThroughPem() throws Exception {
    CertificateAuthority read =
        CertificateAuthority.fromPem(ca.certificatePem(), ca.privateKeyPem());
    assertThat(read.certificate()).isEqualTo(ca.certificate());
    ServingCertificate issued =
        read.issueServing(CLOCK, List.of("x"), List.of(), Duration.ofDays(1));
    ServingCertificate back = ServingCertificate.fromPem(issued.chainPem(), issued.privateKeyPem());
    assertThat(back.chain()).hasSize(2);
    back.leaf().verify(ca.certificate().getPublicKey());
  }

  @Test
  void clientCertificateCarriesUserAndGroups() {
    ServingCertificate admin =
        ca.issueClient(CLOCK, "admin", List.of("system:masters"), Duration.ofDays(1));
    assertThat(admin.leaf().getSubjectX500Principal().getName())
        .isEqualTo("CN=admin,O=system:masters");
  }

  @Test
  void refusesAnIpThatIsNotALiteral() {
    assertThatThrownBy(
            () -> ca.issueServing(CLOCK, List.of(), List.of("example.com"), Duration.ofDays(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an IP address");
  }
}
