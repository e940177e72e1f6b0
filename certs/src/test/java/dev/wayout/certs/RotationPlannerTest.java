package dev.wayout.certs;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RotationPlannerTest {

  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  // CA 60 s (backdated 6 s: due at 38 s), serving 20 s (backdated 2 s: due 12.67 s after issue).
  private static final RotationConfig CONFIG =
      new RotationConfig(
          "wayout-system",
          "wayout-webhook-tls",
          "wayout-webhook-ca",
          ServingNames.forService(
              "wayout-webhook", "wayout-system", List.of(), List.of("127.0.0.1")),
          Duration.ofSeconds(60),
          Duration.ofSeconds(20),
          Duration.ofSeconds(1),
          Duration.ofSeconds(4),
          "wayout-webhook",
          "wayout-webhook");

  private final MutableClock clock = new MutableClock(START);
  private final RotationPlanner planner = new RotationPlanner(CONFIG);

  @Test
  void createsBundleWhenNothingIsStored() {
    RotationPlanner.Step step = planner.next(Optional.empty(), clock);

    assertThat(step.reason())
        .hasValueSatisfying(r -> assertThat(r).startsWith("no certificates stored yet"));
    CertificateBundle bundle = step.bundle();
    assertThat(bundle.rotationInProgress()).isFalse();
    assertThat(
            RenewalPolicy.forServing(CONFIG.names(), bundle).check(bundle.serving().leaf(), clock))
        .isEmpty();
    assertThat(planner.next(Optional.of(bundle), clock).changed()).isFalse();
  }

  @Test
  void renewsServingCertificateWithTheSameCaPastTwoThirds() {
    CertificateBundle first = planner.next(Optional.empty(), clock).bundle();
    clock.advance(Duration.ofSeconds(12));
    assertThat(planner.next(Optional.of(first), clock).changed()).isFalse();

    clock.advance(Duration.ofSeconds(1));
    RotationPlanner.Step step = planner.next(Optional.of(first), clock);

    assertThat(step.reason())
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .startsWith("serving certificate: past 2/3 of its lifetime")
                    .endsWith("re-issued by the same CA"));
    assertThat(step.bundle().ca()).isEqualTo(first.ca());
    assertThat(step.bundle().serving().leaf()).isNotEqualTo(first.serving().leaf());
    assertThat(step.bundle().rotationInProgress()).isFalse();
  }

  @Test
  void rotatesTheCaInThreeStepsOverlapApart() {
    List<String> events = run(Duration.ofSeconds(60));

    assertThat(events)
        .filteredOn(e -> !e.contains("re-issued by the same CA") && !e.contains("by the new CA"))
        .containsExactly(
            "0s no certificates stored yet",
            "38s CA: past 2/3 of its lifetime",
            "42s serving certificate: moves to the new CA",
            "46s previous CA: dropped from the caBundle");
  }

  @Test
  void neverServesACertificateItsClientsCannotVerify() {
    // Several CA lifetimes, one check a second: check what every tick serves and trusts.
    Map<BigInteger, Instant> trustedSince = new HashMap<>();
    Map<BigInteger, Instant> servedUntil = new HashMap<>();
    CertificateBundle bundle = planner.next(Optional.empty(), clock).bundle();
    trustedSince.put(bundle.ca().certificate().getSerialNumber(), clock.instant());
    X509Certificate servedBy = bundle.ca().certificate();
    for (int second = 1; second <= 300; second++) {
      clock.advance(Duration.ofSeconds(1));
      CertificateBundle before = bundle;
      bundle = planner.next(Optional.of(bundle), clock).bundle();
      Instant now = clock.instant();

      X509Certificate leaf = bundle.serving().leaf();
      assertThat(RenewalPolicy.isValid(leaf, clock))
          .as("serving certificate valid at %s", now)
          .isTrue();
      X509Certificate issuer =
          bundle.trustedCas().stream()
              .filter(ca -> RenewalPolicy.isSignedBy(leaf, ca))
              .findFirst()
              .orElseThrow();
      assertThat(RenewalPolicy.isValid(issuer, clock)).isTrue();
      for (X509Certificate ca : bundle.trustedCas()) {
        trustedSince.putIfAbsent(ca.getSerialNumber(), now);
      }
      if (!issuer.equals(servedBy)) {
        assertThat(Duration.between(trustedSince.get(issuer.getSerialNumber()), now))
            .as("the new CA was in the caBundle for the overlap before it served, at %s", now)
            .isGreaterThanOrEqualTo(CONFIG.overlap());
        servedUntil.put(servedBy.getSerialNumber(), now);
        servedBy = issuer;
      }
      for (X509Certificate dropped : before.trustedCas()) {
        if (!bundle.trustedCas().contains(dropped)) {
          assertThat(Duration.between(servedUntil.get(dropped.getSerialNumber()), now))
              .as("the old CA stayed trusted for the overlap after its last use, at %s", now)
              .isGreaterThanOrEqualTo(CONFIG.overlap());
        }
      }
    }
    assertThat(trustedSince).as("CAs seen in 300 s of 60 s CAs").hasSizeGreaterThanOrEqualTo(5);
  }

  @Test
  void startsOverWhenTheCaHasExpired() {
    CertificateBundle first = planner.next(Optional.empty(), clock).bundle();
    clock.advance(Duration.ofSeconds(61));

    RotationPlanner.Step step = planner.next(Optional.of(first), clock);

    assertThat(step.reason()).hasValueSatisfying(r -> assertThat(r).startsWith("CA: expired at"));
    assertThat(step.bundle().ca()).isNotEqualTo(first.ca());
    assertThat(step.bundle().rotationInProgress()).isFalse();
  }

  @Test
  void reissuesWhenTheNamesChange() {
    CertificateBundle first = planner.next(Optional.empty(), clock).bundle();
    RotationConfig renamed =
        new RotationConfig(
            CONFIG.namespace(),
            CONFIG.secretName(),
            CONFIG.caCommonName(),
            ServingNames.forService(
                "wayout-webhook", "wayout-system", List.of("hook.example.com"), List.of()),
            CONFIG.caValidity(),
            CONFIG.servingValidity(),
            CONFIG.checkPeriod(),
            CONFIG.overlap(),
            CONFIG.validatingWebhookConfiguration(),
            CONFIG.mutatingWebhookConfiguration());

    RotationPlanner.Step step = new RotationPlanner(renamed).next(Optional.of(first), clock);

    assertThat(step.reason())
        .hasValueSatisfying(
            r ->
                assertThat(r)
                    .startsWith("serving certificate: SANs differ from the wanted names (has"));
    assertThat(step.bundle().ca()).isEqualTo(first.ca());
  }

  @Test
  void servingCertificateNeverOutlivesItsCa() {
    CertificateBundle first = planner.next(Optional.empty(), clock).bundle();
    clock.advance(Duration.ofSeconds(50)); // past 2/3 of the CA, 10 s before it expires
    CertificateBundle bundle = first;
    // drive through the rotation; every serving certificate ends no later than its issuer
    for (int i = 0; i < 20; i++) {
      bundle = planner.next(Optional.of(bundle), clock).bundle();
      X509Certificate leaf = bundle.serving().leaf();
      X509Certificate issuer = bundle.serving().chain().get(1);
      assertThat(leaf.getNotAfter()).isBeforeOrEqualTo(issuer.getNotAfter());
      clock.advance(Duration.ofSeconds(1));
    }
  }

  /** One check a second for {@code duration}; each change as "<second>s <reason>". */
  private List<String> run(Duration duration) {
    List<String> events = new ArrayList<>();
    Optional<CertificateBundle> bundle = Optional.empty();
    for (long s = 0; s <= duration.toSeconds(); s++) {
      RotationPlanner.Step step = planner.next(bundle, clock);
      long second = s;
      step.reason().ifPresent(r -> events.add(second + "s " + r));
      bundle = Optional.of(step.bundle());
      clock.advance(Duration.ofSeconds(1));
    }
    return events.stream().map(RotationPlannerTest::prefix).toList();
  }

  // Keeps the time and the reason's leading words, which the test asserts on.
  private static String prefix(String event) {
    for (String start :
        List.of(
            "no certificates stored yet",
            "CA: past 2/3 of its lifetime",
            "serving certificate: moves to the new CA",
            "previous CA: dropped from the caBundle")) {
      int at = event.indexOf(start);
      if (at >= 0) {
        return event.substring(0, at + start.length());
      }
    }
    return event;
  }
}
