package dev.wayout.model;

import static dev.wayout.model.Findings.quote;
import static dev.wayout.model.PolicyChecks.atLeastOneMillisecond;
import static dev.wayout.model.PolicyChecks.duration;
import static dev.wayout.model.PolicyChecks.ignored;
import static dev.wayout.model.PolicyChecks.nonNegative;
import static dev.wayout.model.PolicyChecks.show;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Istio's validateLoadBalancer (consistent hash, Maglev, warmup) and the CRD schema's one-of rules
 * for {@code loadBalancer}; the locality settings are {@link LocalityValidator}'s.
 */
final class LoadBalancerValidator {

  static final Set<String> SIMPLE =
      Set.of("UNSPECIFIED", "LEAST_CONN", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST");

  private static final int MAGLEV_TABLE_LIMIT = 5_000_011;

  private LoadBalancerValidator() {}

  static void check(LoadBalancer lb, OutlierDetection outlier, String path, Findings f) {
    if (lb == null) {
      return;
    }
    int policies =
        (lb.hasSimple() ? 1 : 0)
            + (lb.consistentHash() ? 1 : 0)
            + (lb.backendUtilization() != null ? 1 : 0);
    if (policies > 1) {
      f.error(
          path,
          "sets more than one of simple, consistentHash and backendUtilization, which exclude"
              + " each other",
          "keep one, e.g. simple: " + (lb.hasSimple() ? lb.simple() : "LEAST_REQUEST"));
    }
    if (lb.hasSimple() && !SIMPLE.contains(lb.simple())) {
      f.error(
          path + ".simple",
          quote(lb.simple()) + " is not a load balancer Istio knows",
          "use ROUND_ROBIN, LEAST_REQUEST, RANDOM or PASSTHROUGH");
    }
    if (lb.simple().equals("PASSTHROUGH")) {
      f.warn(
          path + ".simple",
          "PASSTHROUGH is not applied: the waypoint dials the ServiceEntry's endpoints (or the"
              + " resolved host) with LEAST_REQUEST",
          "use ROUND_ROBIN, LEAST_REQUEST or RANDOM");
    }
    if (lb.hash() != null) {
      checkConsistentHash(lb.hash(), path + ".consistentHash", f);
    }
    if (lb.backendUtilization() != null) {
      nonNegative(
          lb.backendUtilization().errorUtilizationPenaltyPercent(),
          path + ".backendUtilization.errorUtilizationPenaltyPercent",
          f);
      ignored(
          lb.backendUtilization(),
          path + ".backendUtilization",
          "the waypoint does not read ORCA load reports and balances with LEAST_REQUEST",
          f);
    }
    if (lb.localityLbSetting() != null && lb.zoneAwareLbSetting() != null) {
      f.error(
          path,
          "sets both localityLbSetting and zoneAwareLbSetting",
          "keep one of localityLbSetting and zoneAwareLbSetting");
    }
    LocalityValidator.checkLocality(
        lb.localityLbSetting(), outlier, path + ".localityLbSetting", f);
    LocalityValidator.checkZoneAware(
        lb.zoneAwareLbSetting(), outlier, path + ".zoneAwareLbSetting", f);
    if (lb.warmup() != null) {
      checkWarmup(lb.warmup(), path + ".warmup", f);
    }
    atLeastOneMillisecond(lb.warmupDurationSecs(), path + ".warmupDurationSecs", f);
    ignored(
        lb.warmupDurationSecs(),
        path + ".warmupDurationSecs",
        "new endpoints get their full share at once (no slow start)",
        f);
  }

  private static void checkConsistentHash(
      LoadBalancer.ConsistentHash hash, String path, Findings f) {
    if (hash.hashKeys() > 1) {
      f.error(
          path,
          "sets more than one of httpHeaderName, httpCookie, useSourceIp and"
              + " httpQueryParameterName",
          "hash by one of them");
    }
    if (hash.ringHash() && hash.maglev()) {
      f.error(path, "sets both ringHash and maglev", "keep one hash algorithm");
    }
    LoadBalancer.HttpCookie cookie = hash.httpCookie();
    if (cookie != null) {
      if (PolicyChecks.blank(cookie.name())) {
        f.error(path + ".httpCookie.name", "is missing", "name the cookie, e.g. name: session");
      }
      Set<String> names = new HashSet<>();
      for (int i = 0; i < cookie.attributes().size(); i++) {
        String name = cookie.attributes().get(i).name();
        String at = path + ".httpCookie.attributes[" + i + "].name";
        if (PolicyChecks.blank(name)) {
          f.error(at, "is missing", "name the attribute, e.g. SameSite");
        } else if (!names.add(name)) {
          f.error(at, quote(name) + " is already set", "set each cookie attribute once");
        }
      }
      if (cookie.ttl() != null && !cookie.ttl().isZero()) {
        f.warn(
            path + ".httpCookie.ttl",
            "is not applied: the waypoint hashes by the cookie when the client sends it, and"
                + " does not set it when it is absent",
            "have the client or upstream set cookie " + quote(String.valueOf(cookie.name())));
      }
    }
    Integer ring = hash.minimumRingSize();
    if (ring != null && ring != 0) {
      f.warn(
          path + ".minimumRingSize",
          "is deprecated",
          "set ringHash: {minimumRingSize: " + ring + "} instead");
      if (hash.ringHash() || hash.maglev()) {
        f.error(
            path + ".minimumRingSize",
            "is set together with " + (hash.maglev() ? "maglev" : "ringHash"),
            "drop minimumRingSize; size the ring inside ringHash");
      }
    }
    nonNegative(ring, path + ".minimumRingSize", f);
    nonNegative(hash.ringHashMinimumRingSize(), path + ".ringHash.minimumRingSize", f);
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
      duration(warmup.duration(), path + ".duration", f);
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
    ignored(warmup, path, "new endpoints get their full share at once (no slow start)", f);
  }

  /**
   * Envoy's test, which Istio copies: 1, 2 and 3 pass, as does every odd number without divisor.
   */
  static boolean isPrime(int x) {
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

  static int weightTotal(Map<String, Integer> to) {
    int total = 0;
    for (int w : to.values()) {
      total += w;
    }
    return total;
  }
}
