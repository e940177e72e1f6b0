package dev.wayout.model;

import static dev.wayout.model.Findings.quote;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Istio's ValidateLocalityLbSetting, validateLocalities and ValidateZoneAwareLbSetting (pkg/config
 * /validation/agent) for {@code localityLbSetting} and {@code zoneAwareLbSetting}. The waypoint has
 * no locality of its own, so valid settings are admitted with a warning that they do nothing.
 */
final class LocalityValidator {

  private static final Set<String> TOPOLOGY_LABELS =
      Set.of(
          "topology.kubernetes.io/region",
          "topology.kubernetes.io/zone",
          "topology.istio.io/subzone");

  private LocalityValidator() {}

  static void checkLocality(
      LoadBalancer.Locality lb, OutlierDetection outlier, String path, Findings f) {
    if (lb == null) {
      return;
    }
    if (!lb.distribute().isEmpty() && !lb.failover().isEmpty()) {
      f.error(
          path,
          "sets both distribute and failover",
          "keep one: distribute to split traffic by weight, or failover between regions");
      return;
    }
    if (!lb.failover().isEmpty()) {
      for (String label : lb.failoverPriority()) {
        if (TOPOLOGY_LABELS.contains(label)) {
          f.error(
              path + ".failoverPriority",
              quote(label) + " cannot be used together with failover",
              "drop failover, or the topology labels from failoverPriority");
          return;
        }
      }
    }
    List<String> sources = new ArrayList<>();
    for (int i = 0; i < lb.distribute().size(); i++) {
      LoadBalancer.Distribute d = lb.distribute().get(i);
      String at = path + ".distribute[" + i + "]";
      sources.add(d.from());
      int total = 0;
      for (Map.Entry<String, Integer> to : d.to().entrySet()) {
        int weight = to.getValue();
        if (weight <= 0 || weight > 100) {
          f.error(
              at + ".to." + to.getKey(),
              weight + " is not a locality weight",
              "use a weight from 1 to 100; the weights of one rule add up to 100");
          return;
        }
        total += weight;
      }
      if (total != 100) {
        f.error(at + ".to", "the weights add up to " + total, "make them add up to 100");
        return;
      }
      localities(new ArrayList<>(d.to().keySet()), at + ".to", f);
    }
    localities(sources, path + ".distribute", f);
    failoverWithoutOutlier(lb, outlier, path, f);
    failoverRules(lb, path, "locality", f);
    ignoredSettings(lb, path, f);
  }

  static void checkZoneAware(
      LoadBalancer.Locality lb, OutlierDetection outlier, String path, Findings f) {
    if (lb == null) {
      return;
    }
    for (int i = 0; i < lb.failoverPriority().size(); i++) {
      String label = lb.failoverPriority().get(i);
      if (TOPOLOGY_LABELS.contains(label)) {
        f.error(
            path + ".failoverPriority[" + i + "]",
            quote(label)
                + " is a topology label; zone-aware balancing orders regions and zones by itself",
            "remove it; use failover to order regions");
      }
    }
    if (lb.minClusterSize() != null && lb.minClusterSize() < 1) {
      f.error(path + ".minClusterSize", lb.minClusterSize() + " is below 1", "use 1 or more");
    }
    failoverWithoutOutlier(lb, outlier, path, f);
    failoverRules(lb, path, "zone-aware", f);
    ignoredSettings(lb, path, f);
  }

  private static void failoverWithoutOutlier(
      LoadBalancer.Locality lb, OutlierDetection outlier, String path, Findings f) {
    if ((!lb.failover().isEmpty() || !lb.failoverPriority().isEmpty()) && outlier == null) {
      f.warn(
          path,
          "failover needs outlierDetection to notice that endpoints are unhealthy",
          "add outlierDetection to the same traffic policy");
    }
  }

  private static void failoverRules(
      LoadBalancer.Locality lb, String path, String kind, Findings f) {
    for (int i = 0; i < lb.failover().size(); i++) {
      LoadBalancer.Failover rule = lb.failover().get(i);
      String at = path + ".failover[" + i + "]";
      if (rule.from().equals(rule.to())) {
        f.error(
            at,
            "fails over from " + quote(rule.from()) + " to itself",
            "name two different regions in from and to");
      }
      if (rule.from().contains("/") || rule.to().contains("/")) {
        f.error(
            at,
            quote(rule.from())
                + " -> "
                + quote(rule.to())
                + " names a zone; "
                + kind
                + " failover is between regions",
            "name only regions, e.g. from: us-east, to: eu-west");
      }
      if (rule.from().contains("*") || rule.to().contains("*")) {
        f.error(
            at,
            quote(rule.from()) + " -> " + quote(rule.to()) + " uses the wildcard '*'",
            "name the regions");
      }
    }
  }

  private static void ignoredSettings(LoadBalancer.Locality lb, String path, Findings f) {
    if (!lb.distribute().isEmpty()
        || !lb.failover().isEmpty()
        || !lb.failoverPriority().isEmpty()) {
      f.warn(
          path,
          "is not applied by the Wayout waypoint, which has no locality of its own: every"
              + " endpoint is in one pool",
          "remove it, or expect no effect");
    }
  }

  /** Istio's validateLocalities: wildcards only last, no locality covered by an earlier one. */
  private static void localities(List<String> localities, String path, Findings f) {
    Map<String, Map<String, Set<String>>> seen = new HashMap<>();
    for (String locality : localities) {
      int stars = (int) locality.chars().filter(c -> c == '*').count();
      if (stars > 0 && (stars > 1 || !locality.endsWith("*"))) {
        f.error(
            path,
            quote(locality) + " has a wildcard '*' that is not its only and last character",
            "use a single trailing '*', e.g. \"us-east/*\"");
        return;
      }
      if (seen.containsKey("*")) {
        overlap(locality, path, f);
        return;
      }
      String[] items = locality.split("/", 3);
      if (locality.isEmpty() || locality.endsWith("/") || hasEmpty(items)) {
        f.error(
            path,
            quote(locality) + " has an empty region, zone or subzone",
            "write region, region/zone or region/zone/subzone");
        return;
      }
      String region = items[0];
      if (items.length == 1) {
        if (seen.containsKey(region)) {
          overlap(locality, path, f);
          return;
        }
        seen.put(region, new HashMap<>(Map.of("*", new java.util.HashSet<>(Set.of("*")))));
        continue;
      }
      String zone = items[1];
      Map<String, Set<String>> zones = seen.get(region);
      if (items.length == 2) {
        if (zones != null && (zones.containsKey("*") || zones.containsKey(zone))) {
          overlap(locality, path, f);
          return;
        }
        seen.computeIfAbsent(region, r -> new HashMap<>())
            .put(zone, new java.util.HashSet<>(Set.of("*")));
        continue;
      }
      String subzone = items[2];
      if (zones != null) {
        if (zones.containsKey("*")) {
          overlap(locality, path, f);
          return;
        }
        Set<String> subzones = zones.get(zone);
        if (subzones != null) {
          if (subzones.contains("*") || subzones.contains(subzone)) {
            overlap(locality, path, f);
            return;
          }
          subzones.add(subzone);
          continue;
        }
      }
      seen.computeIfAbsent(region, r -> new HashMap<>())
          .put(zone, new java.util.HashSet<>(Set.of(subzone)));
    }
  }

  private static boolean hasEmpty(String[] items) {
    for (String item : items) {
      if (item.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private static void overlap(String locality, String path, Findings f) {
    f.error(
        path,
        quote(locality) + " overlaps a locality listed before it",
        "list each region, zone or subzone once, the most specific first");
  }
}
