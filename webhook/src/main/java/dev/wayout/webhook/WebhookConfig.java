package dev.wayout.webhook;

import dev.wayout.model.Cidr;
import dev.wayout.model.WaypointRef;
import dev.wayout.webhook.review.EgressAdmins;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Everything the webhook process is configured with, read once from the environment. Every problem
 * is reported together, each naming the variable, the value and what is expected.
 *
 * @param waypointName the fixed default waypoint's name (its {@code WAYOUT_WAYPOINT_NAME}); with
 *     {@code waypointNamespace} it counts as an existing waypoint for the waypoint warnings
 * @param tlsSecretName the Secret in {@code namespace} that keeps the CA and the serving pair
 * @param tlsDir a directory with {@code tls.crt} and {@code tls.key} to serve and watch (for those
 *     who bring their own certificate manager); null when Wayout makes its own certificate
 * @param podInjection how {@code /mutate/pods} injects the init container; null (pods are let
 *     through unchanged) while {@code WAYOUT_CLUSTER_CIDRS} is not set
 */
public record WebhookConfig(
    String host,
    int port,
    String namespace,
    String serviceName,
    String configurationName,
    String tlsSecretName,
    String waypointNamespace,
    String waypointName,
    Set<String> unenforcedNamespaces,
    EgressAdmins egressAdmins,
    boolean selfTest,
    Duration selfTestTimeout,
    Path tlsDir,
    PodInjectionConfig podInjection) {

  /** Namespaces that are never labelled, whatever the configuration says. */
  public static final Set<String> SYSTEM_NAMESPACES =
      Set.of("kube-system", "kube-public", "kube-node-lease");

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  public WebhookConfig {
    unenforcedNamespaces = Set.copyOf(unenforcedNamespaces);
  }

  /** The defaults, as the manifests install them. */
  public static WebhookConfig defaults() {
    return fromEnv(Map.of());
  }

  public static WebhookConfig fromEnv(Map<String, String> env) {
    Reader r = new Reader(env);
    String waypointNamespace = r.dnsLabel("WAYOUT_WAYPOINT_NAMESPACE", "wayout-system");
    WebhookConfig config =
        new WebhookConfig(
            r.string("WAYOUT_WEBHOOK_HOST", "0.0.0.0"),
            r.port("WAYOUT_WEBHOOK_PORT", 9443),
            r.dnsLabel("WAYOUT_NAMESPACE", "wayout-system"),
            r.dnsLabel("WAYOUT_WEBHOOK_SERVICE", "wayout-webhook"),
            // the names the certificate rotator reads too (RotationConfig): one source of truth
            r.dnsLabel("WAYOUT_WEBHOOK_CONFIGURATION", "wayout-webhook"),
            r.dnsLabel("WAYOUT_WEBHOOK_TLS_SECRET", "wayout-webhook-tls"),
            waypointNamespace,
            r.dnsLabel("WAYOUT_WAYPOINT_NAME", "waypoint"),
            r.dnsLabels("WAYOUT_UNENFORCED_NAMESPACES"),
            r.admins(),
            r.bool("WAYOUT_WEBHOOK_SELF_TEST", true),
            r.duration("WAYOUT_WEBHOOK_SELF_TEST_TIMEOUT", Duration.ofSeconds(60)),
            r.path("WAYOUT_WEBHOOK_TLS_DIR"),
            r.podInjection(waypointNamespace));
    r.throwIfProblems();
    return config;
  }

  /** Namespaces the mutating webhook leaves unlabelled: system ones, Wayout's, the waypoint's. */
  public Set<String> excludedNamespaces() {
    Set<String> excluded = new TreeSet<>(SYSTEM_NAMESPACES);
    excluded.add(namespace);
    excluded.add(waypointNamespace);
    excluded.addAll(unenforcedNamespaces);
    return Set.copyOf(excluded);
  }

  /** The fixed default waypoint: it counts as existing for the waypoint warnings. */
  public WaypointRef defaultWaypoint() {
    return new WaypointRef(waypointNamespace, waypointName);
  }

  /** The DNS names clients use for the Service, as the serving certificate must list them. */
  public List<String> serviceDnsNames() {
    String svc = serviceName + "." + namespace + ".svc";
    return List.of(serviceName, serviceName + "." + namespace, svc, svc + ".cluster.local");
  }

  /** One line for the startup log; nothing secret is configured here. */
  public String describe() {
    return "port="
        + port
        + " namespace="
        + namespace
        + " service="
        + serviceName
        + " configuration="
        + configurationName
        + " excluded="
        + new TreeSet<>(excludedNamespaces())
        + " egressAdmins=["
        + egressAdmins.describe()
        + "] selfTest="
        + selfTest
        + (tlsDir == null ? "" : " tlsDir=" + tlsDir)
        + " podInjection="
        + (podInjection == null
            ? "off (WAYOUT_CLUSTER_CIDRS is not set)"
            : podInjection.describe());
  }

  /** Reads variables, collecting problems instead of stopping at the first. */
  private static final class Reader {
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    Reader(Map<String, String> env) {
      this.env = env;
    }

    private String raw(String name) {
      String value = env.get(name);
      return value == null || value.isBlank() ? null : value.trim();
    }

    String string(String name, String fallback) {
      String value = raw(name);
      return value == null ? fallback : value;
    }

    int port(String name, int fallback) {
      String value = raw(name);
      if (value == null) {
        return fallback;
      }
      try {
        int port = Integer.parseInt(value);
        if (port >= 0 && port <= 65535) {
          return port;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      problems.add(
          name + ": \"" + value + "\" (expected: an integer from 0 to 65535; 0 picks a free port)");
      return fallback;
    }

    String dnsLabel(String name, String fallback) {
      String value = raw(name);
      if (value == null) {
        return fallback;
      }
      if (!DNS_LABEL.matcher(value).matches()) {
        problems.add(
            name
                + ": \""
                + value
                + "\" (expected: a namespace or object name, e.g. \""
                + fallback
                + "\")");
        return fallback;
      }
      return value;
    }

    Set<String> dnsLabels(String name) {
      Set<String> out = new LinkedHashSet<>();
      for (String item : list(name)) {
        if (DNS_LABEL.matcher(item).matches()) {
          out.add(item);
        } else {
          problems.add(
              name
                  + ": \""
                  + item
                  + "\" (expected: namespace names separated by commas, e.g. \"ci,sandbox\")");
        }
      }
      return out;
    }

    List<String> list(String name) {
      String value = raw(name);
      if (value == null) {
        return List.of();
      }
      return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    EgressAdmins admins() {
      List<String> users = list("WAYOUT_EGRESS_ADMIN_USERS");
      List<String> groups =
          env.containsKey("WAYOUT_EGRESS_ADMIN_GROUPS")
              ? list("WAYOUT_EGRESS_ADMIN_GROUPS")
              : List.of("system:masters");
      List<String> accounts = new ArrayList<>();
      for (String sa : list("WAYOUT_EGRESS_ADMIN_SERVICE_ACCOUNTS")) {
        String[] parts = sa.split("/", -1);
        if (parts.length == 2 && DNS_LABEL.matcher(parts[0]).matches() && !parts[1].isEmpty()) {
          accounts.add(sa);
        } else {
          problems.add(
              "WAYOUT_EGRESS_ADMIN_SERVICE_ACCOUNTS: \""
                  + sa
                  + "\" (expected: namespace/name, e.g. \"argocd/argocd-application-controller\")");
        }
      }
      return new EgressAdmins(Set.copyOf(users), Set.copyOf(groups), Set.copyOf(accounts));
    }

    boolean bool(String name, boolean fallback) {
      String value = raw(name);
      if (value == null) {
        return fallback;
      }
      if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(value);
      }
      problems.add(name + ": \"" + value + "\" (expected: true or false)");
      return fallback;
    }

    Duration duration(String name, Duration fallback) {
      String value = raw(name);
      if (value == null) {
        return fallback;
      }
      try {
        Duration d =
            value.matches("\\d+s")
                ? Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)))
                : Duration.parse(value);
        if (!d.isNegative() && !d.isZero()) {
          return d;
        }
      } catch (DateTimeParseException | NumberFormatException e) {
        // reported below
      }
      problems.add(
          name + ": \"" + value + "\" (expected: a positive duration in seconds, e.g. \"60s\")");
      return fallback;
    }

    Path path(String name) {
      String value = raw(name);
      return value == null ? null : Path.of(value);
    }

    /** Null, with no problem, when none of the pod injection variables is set. */
    PodInjectionConfig podInjection(String waypointNamespace) {
      String cidrs = raw("WAYOUT_CLUSTER_CIDRS");
      if (cidrs == null) {
        for (String other :
            List.of("WAYOUT_INIT_IMAGE", "WAYOUT_WAYPOINT_ADDRESSES", "WAYOUT_WAYPOINT_SERVICE")) {
          if (raw(other) != null) {
            problems.add(
                "WAYOUT_CLUSTER_CIDRS: missing (expected: the cluster's pod and service ranges,"
                    + " e.g. \"10.244.0.0/16,10.96.0.0/12\"; pod injection needs them since "
                    + other
                    + " is set)");
            return null;
          }
        }
        return null;
      }
      List<Cidr> ranges = new ArrayList<>();
      for (String item : list("WAYOUT_CLUSTER_CIDRS")) {
        try {
          ranges.add(Cidr.parse(item));
        } catch (IllegalArgumentException e) {
          problems.add("WAYOUT_CLUSTER_CIDRS: \"" + item + "\" (" + e.getMessage() + ")");
        }
      }
      List<InetAddress> addresses = new ArrayList<>();
      for (String item : list("WAYOUT_WAYPOINT_ADDRESSES")) {
        try {
          addresses.add(Cidr.address(item));
        } catch (IllegalArgumentException e) {
          problems.add(
              "WAYOUT_WAYPOINT_ADDRESSES: \""
                  + item
                  + "\" (expected: the waypoint Service's cluster IPs, one per family, e.g."
                  + " \"10.96.0.50\"; "
                  + e.getMessage()
                  + ")");
        }
      }
      if (addresses.stream().filter(a -> a instanceof Inet4Address).count() > 1
          || addresses.stream().filter(a -> !(a instanceof Inet4Address)).count() > 1) {
        problems.add(
            "WAYOUT_WAYPOINT_ADDRESSES: \""
                + raw("WAYOUT_WAYPOINT_ADDRESSES")
                + "\" (expected: at most one IPv4 and one IPv6 address, the Service's clusterIPs)");
      }
      String service =
          dnsLabel("WAYOUT_WAYPOINT_SERVICE", PodInjectionConfig.DEFAULT_WAYPOINT_SERVICE);
      if (ranges.isEmpty()) {
        if (problems.isEmpty()) {
          problems.add(
              "WAYOUT_CLUSTER_CIDRS: \""
                  + cidrs
                  + "\" (expected: the cluster's pod and service ranges, comma-separated)");
        }
        return null;
      }
      return new PodInjectionConfig(
          string("WAYOUT_INIT_IMAGE", PodInjectionConfig.DEFAULT_IMAGE),
          ranges,
          addresses,
          waypointNamespace,
          service);
    }

    void throwIfProblems() {
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            "the webhook's configuration is invalid: " + String.join("; ", problems));
      }
    }
  }
}
