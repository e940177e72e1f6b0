package dev.wayout.certs;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RenewalPolicyTest {

  private static final Instant ISSUED = Instant.parse("2026-01-01T00:00:00Z");
  private static final Clock AT_ISSUE = Clock.fixed(ISSUED, ZoneOffset.UTC);
  private static final ServingNames NAMES =
      ServingNames.forService("wayout-webhook", "wayout-system", List.of(), List.of("127.0.0.1"));
  private static final CertificateAuthority CA =
      CertificateAuthority.create(AT_ISSUE, "wayout-webhook-ca", Duration.ofDays(365));
  // 30 days: notBefore is issue - 1 min (the backdate), so 2/3 falls 20 days less 20 s later.
  private static final X509Certificate LEAF =
      CA.issueServing(AT_ISSUE, NAMES.dnsNames(), NAMES.ipAddresses(), Duration.ofDays(30)).leaf();
  private static final RenewalPolicy POLICY = new RenewalPolicy(NAMES, List.of(CA.certificate()));

  static Stream<Arguments> lifetimes() {
    return Stream.of(
        Arguments.of("at issue", Duration.ZERO, null),
        Arguments.of("half way", Duration.ofDays(15), null),
        Arguments.of("just before 2/3", Duration.ofDays(20).minusSeconds(21), null),
        Arguments.of("at 2/3", Duration.ofDays(20).minusSeconds(20), "past 2/3 of its lifetime"),
        Arguments.of("a day before expiry", Duration.ofDays(29), "past 2/3 of its lifetime"),
        Arguments.of("at expiry", Duration.ofDays(30), "expired at 2026-01-31T00:00:00Z"),
        Arguments.of("a year later", Duration.ofDays(365), "expired at"),
        Arguments.of("within the backdate", Duration.ofSeconds(-59), null),
        Arguments.of("before notBefore", Duration.ofMinutes(-2), "not yet valid"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lifetimes")
  void decidesByLifetime(String when, Duration offset, String expected) {
    Optional<String> reason = POLICY.check(LEAF, Clock.offset(AT_ISSUE, offset));
    if (expected == null) {
      assertThat(reason).isEmpty();
    } else {
      assertThat(reason).hasValueSatisfying(r -> assertThat(r).startsWith(expected));
    }
  }

  @Test
  void renewalIsDueWhenAThirdOfTheLifetimeRemains() {
    assertThat(RenewalPolicy.renewalTime(LEAF))
        .isEqualTo(
            Instant.parse("2026-01-31T00:00:00Z")
                .minus(Duration.ofDays(30).plusMinutes(1).dividedBy(3)));
  }

  @Test
  void shortLivedCertificatesAreNotDueAtIssue() {
    // a 20 s test certificate is backdated by 2 s, not by a minute
    X509Certificate shortLived =
        CA.issueServing(AT_ISSUE, NAMES.dnsNames(), NAMES.ipAddresses(), Duration.ofSeconds(20))
            .leaf();
    assertThat(POLICY.check(shortLived, Clock.offset(AT_ISSUE, Duration.ofSeconds(12)))).isEmpty();
    assertThat(POLICY.check(shortLived, Clock.offset(AT_ISSUE, Duration.ofSeconds(13))))
        .hasValueSatisfying(r -> assertThat(r).startsWith("past 2/3 of its lifetime"));
  }

  static Stream<Arguments> names() {
    return Stream.of(
        Arguments.of(NAMES, null),
        Arguments.of(
            ServingNames.forService("wayout-webhook", "wayout-system", List.of(), List.of("::1")),
            "SANs differ from the wanted names"),
        Arguments.of(
            ServingNames.forService("wayout-webhook", "other", List.of(), List.of("127.0.0.1")),
            "SANs differ from the wanted names"),
        Arguments.of(
            ServingNames.forService(
                "wayout-webhook",
                "wayout-system",
                List.of("webhook.example.com"),
                List.of("127.0.0.1")),
            "SANs differ from the wanted names"));
  }

  @ParameterizedTest
  @MethodSource("names")
  void renewsWhenTheWantedNamesChange(ServingNames wanted, String expected) {
    Optional<String> reason =
        new RenewalPolicy(wanted, List.of(CA.certificate())).check(LEAF, AT_ISSUE);
    if (expected == null) {
      assertThat(reason).isEmpty();
    } else {
      assertThat(reason)
          .hasValueSatisfying(r -> assertThat(r).startsWith(expected).contains("webhook"));
    }
  }

  @Test
  void ipv6NamesCompareInCanonicalForm() {
    ServingNames v6 = ServingNames.forService("s", "ns", List.of(), List.of("::1"));
    X509Certificate leaf =
        CA.issueServing(AT_ISSUE, v6.dnsNames(), List.of("0:0:0:0:0:0:0:1"), Duration.ofDays(1))
            .leaf();
    assertThat(new RenewalPolicy(v6, List.of(CA.certificate())).check(leaf, AT_ISSUE)).isEmpty();
  }

  @Test
  void renewsWhenAnotherCaSignedIt() {
    CertificateAuthority other =
        CertificateAuthority.create(AT_ISSUE, "wayout-webhook-ca", Duration.ofDays(365));
    assertThat(new RenewalPolicy(NAMES, List.of(other.certificate())).check(LEAF, AT_ISSUE))
        .hasValueSatisfying(r -> assertThat(r).startsWith("issued by another CA"));
    assertThat(
            new RenewalPolicy(NAMES, List.of(other.certificate(), CA.certificate()))
                .check(LEAF, AT_ISSUE))
        .isEmpty();
  }

  @Test
  void checksCaLifetimeAlone() {
    assertThat(
            RenewalPolicy.checkLifetime(
                CA.certificate(), Clock.offset(AT_ISSUE, Duration.ofDays(200))))
        .isEmpty();
    assertThat(
            RenewalPolicy.checkLifetime(
                CA.certificate(), Clock.offset(AT_ISSUE, Duration.ofDays(250))))
        .hasValueSatisfying(r -> assertThat(r).startsWith("past 2/3 of its lifetime"));
  }
}
