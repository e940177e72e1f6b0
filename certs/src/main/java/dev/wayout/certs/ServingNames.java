package dev.wayout.certs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The subject alternative names a serving certificate must carry: the Service's DNS names, plus
 * names and IP addresses from the configuration. IPs are kept in canonical form so that {@code ::1}
 * and {@code 0:0:0:0:0:0:0:1} compare equal.
 */
public record ServingNames(List<String> dnsNames, List<String> ipAddresses) {

  // RFC 1123 labels, an optional leading "*." for wildcard names.
  private static final Pattern DNS_NAME =
      Pattern.compile(
          "(\\*\\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*");

  public ServingNames {
    Set<String> dns = new LinkedHashSet<>();
    for (String name : dnsNames) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.length() > 253 || !DNS_NAME.matcher(lower).matches()) {
        throw new IllegalArgumentException(
            "DNS name \""
                + name
                + "\" is not valid; use lowercase letters, digits, '-' and '.', e.g."
                + " \"wayout-webhook.wayout-system.svc\"");
      }
      dns.add(lower);
    }
    Set<String> ips = new LinkedHashSet<>();
    for (String ip : ipAddresses) {
      ips.add(CertificateBuilder.ipLiteral(ip));
    }
    if (dns.isEmpty() && ips.isEmpty()) {
      throw new IllegalArgumentException(
          "a serving certificate needs at least one DNS name or IP address");
    }
    dnsNames = List.copyOf(dns);
    ipAddresses = List.copyOf(ips);
  }

  /**
   * The four names a Service answers to inside the cluster ({@code svc}, {@code svc.ns}, {@code
   * svc.ns.svc}, {@code svc.ns.svc.cluster.local}), then the extra DNS names, and the IPs.
   */
  public static ServingNames forService(
      String service, String namespace, List<String> extraDnsNames, List<String> ipAddresses) {
    List<String> dns = new ArrayList<>();
    dns.add(service);
    dns.add(service + "." + namespace);
    dns.add(service + "." + namespace + ".svc");
    dns.add(service + "." + namespace + ".svc.cluster.local");
    dns.addAll(extraDnsNames);
    return new ServingNames(dns, ipAddresses);
  }
}
