package dev.wayout.model;

import static dev.wayout.model.Findings.quote;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Istio's rules for a {@code trafficPolicy} (of a DestinationRule or one of its subsets):
 * connection pool, outlier detection, load balancer, client TLS and port-level settings, each error
 * at its field path. Also warns about TLS origination that does not verify the upstream.
 */
final class TrafficPolicyValidator {

  static final Set<String> TLS_MODES = Set.of("DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL");
  static final Set<String> SIMPLE_LOAD_BALANCERS =
      Set.of("UNSPECIFIED", "LEAST_CONN", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST");

  private static final Duration MILLISECOND = Duration.ofMillis(1);
  private static final int MAGLEV_TABLE_LIMIT = 5_000_011;
  private static final Pattern SECRET_NAME = Pattern.compile(KubeLabels.DNS_SUBDOMAIN);

  private TrafficPolicyValidator() {}

  static void check(TrafficPolicy policy, String path, Findings f) {
    if (policy == null) {
      return;
    }
    checkConnectionPool(policy.connectionPool(), path + ".connectionPool", f);
    checkOutlierDetection(policy.outlierDetection(), path + ".outlierDetection", f);
    checkLoadBalancer(policy.loadBalancer(), path + ".loadBalancer", f);
    checkTls(policy.tls(), path + ".tls", f);
    checkPortLevelSettings(policy, path + ".portLevelSettings", f);
  }

  private static void checkPortLevelSettings(TrafficPolicy policy, String path, Findings f) {
    Map<Integer, Integer> seen = new HashMap<>();
    for (int i = 0; i < policy.portLevelSettings().size(); i++) {
      PortTrafficPolicy port = policy.portLevelSettings().get(i);
      String at = path + "[" + i + "]";
      if (port.port() == null) {
        f.error(
            at + ".port.number",
            "is missing",
            "name the ServiceEntry port these settings are for, e.g. port: {number: 80}");
      } else if (port.port() < 1 || port.port() > 65535) {
        f.error(
            at + ".port.number", port.port() + " is not a port", "use a number from 1 to 65535");
      } else {
        Integer previous = seen.putIfAbsent(port.port(), i);
        if (previous != null) {
          f.error(
              at + ".port.number",
              port.port() + " already has settings in " + path + "[" + previous + "]",
              "merge the settings for port " + port.port() + " into one entry");
        }
      }
      if (port.connectionPool() == null
          && port.loadBalancer() == null
          && port.outlierDetection() == null
          && port.tls() == null) {
        f.error(
            at,
            "sets nothing for the port",
            "add tls, connectionPool, loadBalancer or outlierDetection, or remove the entry");
        continue;
      }
      checkConnectionPool(port.connectionPool(), at + ".connectionPool", f);
      checkOutlierDetection(port.outlierDetection(), at + ".outlierDetection", f);
      checkLoadBalancer(port.loadBalancer(), at + ".loadBalancer", f);
      checkTls(port.tls(), at + ".tls", f);
    }
  }

  private static void checkConnectionPool(ConnectionPool pool, String path, Findings f) {
    if (pool == null) {
      return;
    }
    nonNegative(pool.maxConnections(), path + ".tcp.maxConnections", f);
    duration(pool.connectTimeout(), path + ".tcp.connectTimeout", false, f);
    // Istio lets 0s switch the TCP idle timeout off
    duration(pool.tcpIdleTimeout(), path + ".tcp.idleTimeout", true, f);
    nonNegative(pool.http1MaxPendingRequests(), path + ".http.http1MaxPendingRequests", f);
    nonNegative(pool.http2MaxRequests(), path + ".http.http2MaxRequests", f);
    nonNegative(pool.maxRequestsPerConnection(), path + ".http.maxRequestsPerConnection", f);
    nonNegative(pool.maxRetries(), path + ".http.maxRetries", f);
    duration(pool.httpIdleTimeout(), path + ".http.idleTimeout", false, f);
    nonNegative(pool.maxConcurrentStreams(), path + ".http.maxConcurrentStreams", f);
  }

  private static void checkOutlierDetection(OutlierDetection outlier, String path, Findings f) {
    if (outlier == null) {
      return;
    }
    if (outlier.consecutiveErrors() != null) {
      f.warn(
          path + ".consecutiveErrors",
          "is deprecated",
          "use consecutive5xxErrors or consecutiveGatewayErrors");
      nonNegative(outlier.consecutiveErrors(), path + ".consecutiveErrors", f);
    }
    nonNegative(outlier.consecutive5xxErrors(), path + ".consecutive5xxErrors", f);
    nonNegative(outlier.consecutiveGatewayErrors(), path + ".consecutiveGatewayErrors", f);
    duration(outlier.interval(), path + ".interval", false, f);
    duration(outlier.baseEjectionTime(), path + ".baseEjectionTime", false, f);
    percent(outlier.maxEjectionPercent(), path + ".maxEjectionPercent", f);
    percent(outlier.minHealthPercent(), path + ".minHealthPercent", f);
  }

  private static void checkLoadBalancer(LoadBalancer lb, String path, Findings f) {
    if (lb == null) {
      return;
    }
    if (!lb.simple().isEmpty() && !SIMPLE_LOAD_BALANCERS.contains(lb.simple())) {
      f.error(
          path + ".simple",
          quote(lb.simple()) + " is not a load balancer Istio knows",
          "use ROUND_ROBIN, LEAST_REQUEST, RANDOM or PASSTHROUGH");
    }
    if (!lb.simple().isEmpty() && lb.consistentHash()) {
      f.error(
          path,
          "sets both simple and consistentHash, which exclude each other",
          "keep one: simple: " + lb.simple() + ", or consistentHash for sticky sessions");
    }
    if (lb.hash() != null) {
      checkConsistentHash(lb.hash(), path + ".consistentHash", f);
    }
    if (lb.warmup() != null) {
      checkWarmup(lb.warmup(), path + ".warmup", f);
    }
  }

  private static void checkConsistentHash(
      LoadBalancer.ConsistentHash hash, String path, Findings f) {
    if (hash.httpCookie() && blank(hash.httpCookieName())) {
      f.error(path + ".httpCookie.name", "is missing", "name the cookie, e.g. name: session");
    }
    boolean ringSize = hash.minimumRingSize() != null && hash.minimumRingSize() != 0;
    if (ringSize) {
      f.warn(
          path + ".minimumRingSize",
          "is deprecated",
          "set ringHash: {minimumRingSize: " + hash.minimumRingSize() + "} instead");
      if (hash.ringHash() || hash.maglev()) {
        f.error(
            path + ".minimumRingSize",
            "is set together with " + (hash.maglev() ? "maglev" : "ringHash"),
            "drop minimumRingSize; size the ring inside ringHash");
      }
    }
    if (hash.maglev()) {
      Integer size = hash.maglevTableSize();
      String at = path + ".maglev.tableSize";
      if (size == null || size == 0) {
        f.error(at, "is missing", "set a prime number below 5000011, e.g. 65537");
      } else if (size < 0 || size >= MAGLEV_TABLE_LIMIT) {
        f.error(at, size + " is not below 5000011", "use a smaller prime, e.g. 65537");
      } else if (!isPrime(size)) {
        f.error(at, size + " is not a prime number", "use a prime, e.g. 65537");
      }
    }
  }

  private static void checkWarmup(LoadBalancer.Warmup warmup, String path, Findings f) {
    if (warmup.duration() == null) {
      f.error(
          path + ".duration",
          "is missing",
          "set how long new endpoints take to reach full traffic, e.g. \"60s\"");
    } else {
      duration(warmup.duration(), path + ".duration", false, f);
    }
    Double minimum = warmup.minimumPercent();
    if (minimum != null && (minimum < 0 || minimum > 100)) {
      f.error(path + ".minimumPercent", show(minimum) + " is not a percentage", "use 0 to 100");
    }
    Double aggression = warmup.aggression();
    if (aggression != null && aggression <= 0) {
      f.error(
          path + ".aggression",
          show(aggression) + " is not above 0",
          "use a positive number; 1.0 ramps up linearly");
    }
  }

  /**
   * Envoy's test, which Istio mirrors: 1, 2 and 3 pass, as does every odd number without divisor.
   */
  private static boolean isPrime(int x) {
    if (x > 0 && x < 4) {
      return true;
    }
    if (x % 2 == 0) {
      return false;
    }
    for (int factor = 3; (long) factor * factor <= x; factor += 2) {
      if (x % factor == 0) {
        return false;
      }
    }
    return true;
  }

  private static String show(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }

  private static void checkTls(ClientTls tls, String path, Findings f) {
    if (tls == null) {
      return;
    }
    String mode = tls.mode().isEmpty() ? "DISABLE" : tls.mode();
    if (!TLS_MODES.contains(mode)) {
      f.error(
          path + ".mode",
          quote(tls.mode()) + " is not a TLS mode Istio knows",
          "use SIMPLE to originate TLS to the external host, or DISABLE");
      return;
    }
    boolean credential = !blank(tls.credentialName());
    boolean skipVerify = tls.skipsVerification();
    if (credential && !isSecretName(tls.credentialName())) {
      f.error(
          path + ".credentialName",
          quote(tls.credentialName()) + " is not a Secret name",
          "use the name of a Secret in the waypoint's namespace: at most 253 lowercase letters,"
              + " digits, '-' or '.', e.g. \"example-com-ca\"");
    }
    switch (mode) {
      case "SIMPLE", "MUTUAL" -> {
        if (credential) {
          setWithCredential(tls.clientCertificate(), path + ".clientCertificate", f);
          setWithCredential(tls.privateKey(), path + ".privateKey", f);
          setWithCredential(tls.caCertificates(), path + ".caCertificates", f);
          setWithCredential(tls.caCrl(), path + ".caCrl", f);
        } else if (mode.equals("MUTUAL")) {
          if (blank(tls.clientCertificate())) {
            f.error(
                path + ".clientCertificate",
                "is missing; mode MUTUAL presents a client certificate",
                "set clientCertificate and privateKey (file paths), or credentialName (a Secret)");
          }
          if (blank(tls.privateKey())) {
            f.error(
                path + ".privateKey",
                "is missing; mode MUTUAL presents a client certificate",
                "set clientCertificate and privateKey (file paths), or credentialName (a Secret)");
          }
        }
        if (skipVerify) {
          checkSkipVerifyConflicts(tls, mode, path, f);
          f.warn(
              path + ".insecureSkipVerify",
              "true turns off verification of the upstream's certificate and name, so anyone on"
                  + " the path can impersonate it",
              "remove insecureSkipVerify and set caCertificates or credentialName for a private"
                  + " CA");
        } else if (blank(tls.caCertificates()) && !credential) {
          f.warn(
              path,
              "mode "
                  + mode
                  + " without caCertificates or credentialName verifies the upstream"
                  + " only against the system trust store",
              "set caCertificates (or credentialName) to pin the CA that signs the upstream's"
                  + " certificate");
        }
      }
      case "ISTIO_MUTUAL" -> {
        istioMutualSet(tls.clientCertificate(), path + ".clientCertificate", f);
        istioMutualSet(tls.privateKey(), path + ".privateKey", f);
        istioMutualSet(tls.caCertificates(), path + ".caCertificates", f);
        istioMutualSet(tls.credentialName(), path + ".credentialName", f);
        f.warn(
            path + ".mode",
            "\"ISTIO_MUTUAL\" needs an in-mesh peer with an Istio identity",
            "for an external host use \"SIMPLE\"");
      }
      default -> {
        // DISABLE: plain text upstream; certificate fields are ignored
      }
    }
  }

  private static void checkSkipVerifyConflicts(
      ClientTls tls, String mode, String path, Findings f) {
    if (!blank(tls.caCertificates())) {
      f.error(
          path + ".caCertificates",
          "is set together with insecureSkipVerify: true",
          "remove insecureSkipVerify to verify against caCertificates");
    }
    if (!tls.subjectAltNames().isEmpty()) {
      f.error(
          path + ".subjectAltNames",
          "are set together with insecureSkipVerify: true",
          "remove insecureSkipVerify to verify the upstream's names");
    }
    // with MUTUAL, credentialName may carry only the client certificate, so Istio allows it
    if (mode.equals("SIMPLE") && !blank(tls.credentialName())) {
      f.error(
          path + ".credentialName",
          "is set together with insecureSkipVerify: true",
          "remove insecureSkipVerify to verify against the CA in the credential");
    }
  }

  /** A Kubernetes object name (a DNS-1123 subdomain), which is also a safe folder name. */
  private static boolean isSecretName(String name) {
    return name.length() <= 253 && SECRET_NAME.matcher(name).matches();
  }

  private static void setWithCredential(String value, String path, Findings f) {
    if (!blank(value)) {
      f.error(
          path,
          "is set together with credentialName, which already supplies the certificates",
          "keep credentialName or the certificate file fields, not both");
    }
  }

  private static void istioMutualSet(String value, String path, Findings f) {
    if (!blank(value)) {
      f.error(
          path,
          "must be empty with mode ISTIO_MUTUAL, which uses the mesh's own certificates",
          "remove it, or use mode MUTUAL with your own certificates");
    }
  }

  private static void nonNegative(Integer value, String path, Findings f) {
    if (value != null && value < 0) {
      f.error(path, value + " is negative", "use 0 or more");
    }
  }

  private static void percent(Integer value, String path, Findings f) {
    if (value != null && (value < 0 || value > 100)) {
      f.error(path, value + " is not a percentage", "use a number from 0 to 100");
    }
  }

  /** Istio's durations: at least 1ms and whole milliseconds (optionally 0 to mean "off"). */
  private static void duration(Duration value, String path, boolean zeroAllowed, Findings f) {
    if (value == null || (zeroAllowed && value.isZero())) {
      return;
    }
    if (value.compareTo(MILLISECOND) < 0) {
      f.error(
          path,
          quote(format(value)) + " is shorter than 1ms",
          zeroAllowed ? "use \"0s\" to turn it off, or at least \"1ms\"" : "use at least \"1ms\"");
    } else if (value.getNano() % 1_000_000 != 0) {
      Duration rounded = value.plusNanos(500_000).truncatedTo(ChronoUnit.MILLIS);
      f.error(
          path,
          quote(format(value)) + " is finer than a millisecond",
          "round to whole milliseconds, e.g. " + quote(format(rounded)));
    }
  }

  /** Istio's notation ("1500us", "2ms", "90s"); never overflows, whatever the parser let in. */
  static String format(Duration d) {
    if (d.getNano() == 0) {
      return d.getSeconds() + "s";
    }
    if (d.isNegative() || d.getSeconds() > 1_000_000) {
      return d.toString();
    }
    long nanos = d.toNanos();
    if (nanos % 1_000_000 == 0) {
      return nanos / 1_000_000 + "ms";
    }
    if (nanos % 1_000 == 0) {
      return nanos / 1_000 + "us";
    }
    return nanos + "ns";
  }

  private static boolean blank(String value) {
    return value == null || value.isEmpty();
  }
}
