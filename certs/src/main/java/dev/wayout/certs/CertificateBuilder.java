package dev.wayout.certs;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Builds and signs X.509 certificates with BouncyCastle; one place for the extensions we set. */
final class CertificateBuilder {

  /** Clocks of the API server and of the webhook may differ a little; backdate by this much. */
  static final Duration BACKDATE = Duration.ofMinutes(1);

  /**
   * The backdate for a certificate of this validity: {@link #BACKDATE}, but at most a tenth of the
   * validity. Renewal is due at 2/3 of notBefore..notAfter; a full minute on a 20-second test
   * certificate would put that point in the past at issue and renew it on every check.
   */
  static Duration backdate(Duration validity) {
    Duration tenth = validity.dividedBy(10);
    return tenth.compareTo(BACKDATE) < 0 ? tenth : BACKDATE;
  }

  private CertificateBuilder() {}

  static X509Certificate selfSignedCa(
      Clock clock, String commonName, Duration validity, KeyPair keys) {
    X500Name subject = name(commonName, List.of());
    try {
      return sign(
          builder(clock, validity, subject, subject, keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  utils().createSubjectKeyIdentifier(keys.getPublic())),
          keys.getPrivate());
    } catch (CertIOException e) {
      throw new IllegalStateException("cannot build CA certificate " + commonName, e);
    }
  }

  static X509Certificate leaf(
      Clock clock,
      Duration validity,
      CertificateAuthority issuer,
      String commonName,
      List<String> organizations,
      List<String> dnsNames,
      List<String> ipAddresses,
      KeyPurposeId purpose,
      PublicKey subjectKey) {
    try {
      X509v3CertificateBuilder builder =
          builder(
                  clock,
                  validity,
                  X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()),
                  name(commonName, organizations),
                  subjectKey)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  utils().createAuthorityKeyIdentifier(issuer.certificate()))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  utils().createSubjectKeyIdentifier(subjectKey));
      List<GeneralName> names = new ArrayList<>();
      dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
      for (String ip : ipAddresses) {
        names.add(new GeneralName(GeneralName.iPAddress, ipLiteral(ip)));
      }
      if (!names.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      return sign(builder, issuer.privateKey());
    } catch (CertIOException | java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException("cannot build certificate for " + commonName, e);
    }
  }

  /** The canonical text of an IP literal; never a DNS lookup. */
  static String ipLiteral(String ip) {
    try {
      // Only literals: InetAddress would otherwise try DNS for a name.
      boolean v4 =
          ip.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")
              && Arrays.stream(ip.split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255);
      boolean v6 = ip.contains(":") && ip.matches("[0-9a-fA-F:.]+");
      if (!v4 && !v6) {
        throw new IllegalArgumentException("\"" + ip + "\" is not an IP address");
      }
      return InetAddress.getByName(ip).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("\"" + ip + "\" is not an IP address", e);
    }
  }

  private static X509v3CertificateBuilder builder(
      Clock clock, Duration validity, X500Name issuer, X500Name subject, PublicKey key) {
    Instant now = clock.instant();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(127, KeyPairs.random()).add(BigInteger.ONE),
        Date.from(now.minus(backdate(validity))),
        Date.from(now.plus(validity)),
        subject,
        key);
  }

  private static X500Name name(String commonName, List<String> organizations) {
    X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
    organizations.forEach(o -> name.addRDN(BCStyle.O, o));
    name.addRDN(BCStyle.CN, commonName);
    return name.build();
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    } catch (OperatorCreationException | CertificateException e) {
      throw new IllegalStateException("cannot sign certificate", e);
    }
  }

  private static JcaX509ExtensionUtils utils() {
    try {
      return new JcaX509ExtensionUtils();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
