package dev.wayout.certs;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides the next certificate bundle from the stored one and the clock; pure, so every step of a
 * rotation is a unit test. The rotator stores what this returns. See DESIGN.md beside this class
 * for why a CA rotation takes three steps.
 */
public final class RotationPlanner {

  private final RotationConfig config;

  public RotationPlanner(RotationConfig config) {
    this.config = config;
  }

  /** The bundle to store and serve next, with the reason when it differs from the current one. */
  public record Step(CertificateBundle bundle, Optional<String> reason) {

    static Step unchanged(CertificateBundle bundle) {
      return new Step(bundle, Optional.empty());
    }

    static Step changed(CertificateBundle bundle, String reason) {
      return new Step(bundle, Optional.of(reason));
    }

    public boolean changed() {
      return reason.isPresent();
    }
  }

  public Step next(Optional<CertificateBundle> current, Clock clock) {
    if (current.isEmpty()) {
      return fresh("no certificates stored yet", clock);
    }
    CertificateBundle bundle = current.get();
    X509Certificate ca = bundle.ca().certificate();
    if (ca.getBasicConstraints() < 0) {
      return fresh("CA: the stored certificate is not a CA", clock);
    }
    if (!RenewalPolicy.isValid(ca, clock)) {
      return fresh(
          "CA: "
              + RenewalPolicy.checkLifetime(ca, clock).orElseThrow()
              + "; nothing it signed can be trusted",
          clock);
    }
    return bundle.rotationInProgress()
        ? continueRotation(bundle, clock)
        : renewIfDue(bundle, clock);
  }

  /** A new CA and a serving certificate from it; no previous CA to keep. */
  public Step fresh(String reason, Clock clock) {
    CertificateAuthority ca = newCa(clock);
    return Step.changed(
        new CertificateBundle(ca, issue(ca, clock), clock.instant()),
        reason + "; created a new CA and serving certificate");
  }

  private Step renewIfDue(CertificateBundle bundle, Clock clock) {
    Optional<String> caDue = RenewalPolicy.checkLifetime(bundle.ca().certificate(), clock);
    if (caDue.isPresent()) {
      // Step 1 of 3: trust the new CA next to the old one, keep serving the old certificate
      // (unless it has already expired: then nothing useful is served and the new CA issues now).
      CertificateAuthority next = newCa(clock);
      ServingCertificate serving =
          RenewalPolicy.isValid(bundle.serving().leaf(), clock)
              ? bundle.serving()
              : issue(next, clock);
      return Step.changed(
          new CertificateBundle(
              next, serving, Optional.of(bundle.ca().certificate()), clock.instant()),
          "CA: "
              + caDue.get()
              + "; a new CA is now trusted next to it, and the serving certificate moves to the"
              + " new CA in "
              + config.overlap());
    }
    Optional<String> servingDue = servingProblem(bundle, clock);
    if (servingDue.isPresent()) {
      return Step.changed(
          reissued(bundle, bundle.previousCa(), clock),
          "serving certificate: " + servingDue.get() + "; re-issued by the same CA");
    }
    return Step.unchanged(bundle);
  }

  private Step continueRotation(CertificateBundle bundle, Clock clock) {
    X509Certificate previous = bundle.previousCa().orElseThrow();
    X509Certificate leaf = bundle.serving().leaf();
    Instant since = bundle.changedAt();
    boolean overlapDone = !clock.instant().isBefore(since.plus(config.overlap()));
    if (RenewalPolicy.isSignedBy(leaf, previous)) {
      // Step 2 of 3: the API server has had `overlap` to load the caBundle with both CAs.
      if (overlapDone) {
        return Step.changed(
            reissued(bundle, bundle.previousCa(), clock),
            "serving certificate: moves to the new CA, trusted next to the old one since " + since);
      }
      if (!RenewalPolicy.isValid(leaf, clock)) {
        return Step.changed(
            reissued(bundle, bundle.previousCa(), clock),
            "serving certificate: "
                + RenewalPolicy.checkLifetime(leaf, clock).orElseThrow()
                + "; re-issued by the new CA before the overlap of "
                + config.overlap()
                + " ended");
      }
      return Step.unchanged(bundle);
    }
    Optional<String> servingDue = servingProblem(bundle, clock);
    if (servingDue.isPresent()) {
      return Step.changed(
          reissued(bundle, bundle.previousCa(), clock),
          "serving certificate: " + servingDue.get() + "; re-issued by the new CA");
    }
    // Step 3 of 3: every replica has had `overlap` to pick up the new serving certificate.
    if (!RenewalPolicy.isValid(previous, clock)) {
      return Step.changed(
          new CertificateBundle(bundle.ca(), bundle.serving(), Optional.empty(), clock.instant()),
          "previous CA: "
              + RenewalPolicy.checkLifetime(previous, clock).orElseThrow()
              + "; dropped from the caBundle");
    }
    if (overlapDone) {
      return Step.changed(
          new CertificateBundle(bundle.ca(), bundle.serving(), Optional.empty(), clock.instant()),
          "previous CA: dropped from the caBundle, nothing it signed has been served since "
              + since);
    }
    return Step.unchanged(bundle);
  }

  private Optional<String> servingProblem(CertificateBundle bundle, Clock clock) {
    return RenewalPolicy.forServing(config.names(), bundle).check(bundle.serving().leaf(), clock);
  }

  private CertificateBundle reissued(
      CertificateBundle bundle, Optional<X509Certificate> previousCa, Clock clock) {
    return new CertificateBundle(
        bundle.ca(), issue(bundle.ca(), clock), previousCa, clock.instant());
  }

  private CertificateAuthority newCa(Clock clock) {
    return CertificateAuthority.create(clock, config.caCommonName(), config.caValidity());
  }

  // A serving certificate never outlives its CA (as cert-manager's authority clamps it).
  private ServingCertificate issue(CertificateAuthority ca, Clock clock) {
    Duration untilCaExpires =
        Duration.between(clock.instant(), ca.certificate().getNotAfter().toInstant());
    Duration validity =
        untilCaExpires.compareTo(config.servingValidity()) < 0
            ? untilCaExpires
            : config.servingValidity();
    return ca.issueServing(
        clock, config.names().dnsNames(), config.names().ipAddresses(), validity);
  }
}
