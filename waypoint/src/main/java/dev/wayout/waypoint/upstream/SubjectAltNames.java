package dev.wayout.waypoint.upstream;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** Checks a DestinationRule's {@code subjectAltNames} against the upstream's certificate. */
final class SubjectAltNames {

  private SubjectAltNames() {}

  /** Null when one expected name is on the certificate (or none is expected), else the problem. */
  static String check(SSLSession session, List<String> expected) {
    if (expected.isEmpty()) {
      return null;
    }
    List<String> present = new ArrayList<>();
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
        Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
        if (sans != null) {
          for (List<?> san : sans) {
            present.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (SSLPeerUnverifiedException | CertificateParsingException e) {
      return "cannot read the upstream certificate: " + e.getMessage();
    }
    for (String want : expected) {
      String w = want.toLowerCase(Locale.ROOT);
      for (String have : present) {
        if (have.equals(w)
            || (have.startsWith("*.")
                && w.endsWith(have.substring(1))
                && w.indexOf('.') == w.length() - have.length() + 1)) {
          return null;
        }
      }
    }
    return "the upstream certificate's subject alternative names "
        + present
        + " match none of the DestinationRule's subjectAltNames "
        + expected;
  }
}
