package dev.wayout.certs;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether a certificate must be replaced, and says why. Pure: the same certificate and
 * clock always give the same answer. Renewal is due once less than a third of the lifetime remains
 * (as cert-manager's webhook does), so there is time for retries and for the API server to pick up
 * a new caBundle before anything expires.
 *
 * <p>A serving certificate is also replaced when its names differ from the wanted ones (the Service
 * was renamed or names were added) or when none of the accepted CAs signed it.
 */
public record RenewalPolicy(ServingNames wantedNames, List<X509Certificate> acceptedIssuers) {

  public RenewalPolicy {
    acceptedIssuers = List.copyOf(acceptedIssuers);
  }

  /** For the serving certificate of a bundle: its names, signed by its CA or the previous one. */
  public static RenewalPolicy forServing(ServingNames wantedNames, CertificateBundle bundle) {
    return new RenewalPolicy(wantedNames, bundle.trustedCas());
  }

  /** Why {@code cert} must be replaced now, or empty if it can stay. */
  public Optional<String> check(X509Certificate cert, Clock clock) {
    return checkLifetime(cert, clock).or(() -> checkNames(cert)).or(() -> checkIssuer(cert));
  }

  /**
   * Lifetime only: not yet valid, expired, or past 2/3 of notBefore..notAfter. Used for CAs and
   * serving certificates alike.
   */
  public static Optional<String> checkLifetime(X509Certificate cert, Clock clock) {
    Instant now = clock.instant();
    Instant notBefore = cert.getNotBefore().toInstant();
    Instant notAfter = cert.getNotAfter().toInstant();
    if (now.isBefore(notBefore)) {
      return Optional.of(
          "not yet valid (valid from " + notBefore + ", the clock says " + now + ")");
    }
    if (!now.isBefore(notAfter)) {
      return Optional.of("expired at " + notAfter);
    }
    Instant due = renewalTime(cert);
    if (!now.isBefore(due)) {
      return Optional.of(
          "past 2/3 of its lifetime (renewal was due at " + due + ", expires at " + notAfter + ")");
    }
    return Optional.empty();
  }

  /** True while the clock is within notBefore..notAfter. */
  public static boolean isValid(X509Certificate cert, Clock clock) {
    Instant now = clock.instant();
    return !now.isBefore(cert.getNotBefore().toInstant())
        && now.isBefore(cert.getNotAfter().toInstant());
  }

  /** The moment a third of the lifetime remains. */
  public static Instant renewalTime(X509Certificate cert) {
    Instant notBefore = cert.getNotBefore().toInstant();
    Instant notAfter = cert.getNotAfter().toInstant();
    return notAfter.minus(Duration.between(notBefore, notAfter).dividedBy(3));
  }

  /**
   * True if {@code issuer}'s key signed {@code cert}. Names alone prove nothing: every CA here has
   * the same one.
   */
  public static boolean isSignedBy(X509Certificate cert, X509Certificate issuer) {
    try {
      cert.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private Optional<String> checkNames(X509Certificate cert) {
    Set<String> has = sans(cert);
    Set<String> wants = new TreeSet<>(wantedNames.dnsNames());
    wants.addAll(wantedNames.ipAddresses());
    if (has.equals(wants)) {
      return Optional.empty();
    }
    return Optional.of("SANs differ from the wanted names (has " + has + ", wants " + wants + ")");
  }

  private Optional<String> checkIssuer(X509Certificate cert) {
    if (acceptedIssuers.stream().anyMatch(ca -> isSignedBy(cert, ca))) {
      return Optional.empty();
    }
    return Optional.of(
        "issued by another CA (\""
            + cert.getIssuerX500Principal().getName()
            + "\" with a key that none of the "
            + acceptedIssuers.size()
            + " CA(s) in the bundle holds)");
  }

  private static Set<String> sans(X509Certificate cert) {
    Set<String> names = new TreeSet<>();
    try {
      Collection<List<?>> all = cert.getSubjectAlternativeNames();
      if (all == null) {
        return names;
      }
      for (List<?> san : all) {
        int type = (Integer) san.get(0);
        String value = (String) san.get(1);
        if (type == 2) { // dNSName
          names.add(value.toLowerCase(java.util.Locale.ROOT));
        } else if (type == 7) { // iPAddress
          names.add(CertificateBuilder.ipLiteral(value));
        }
      }
      return names;
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException(
          "cannot read the certificate's SANs: " + e.getMessage(), e);
    }
  }
}
