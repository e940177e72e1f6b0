package dev.wayout.waypoint;

import dev.wayout.model.Cidr;
import dev.wayout.waypoint.trace.TracingConfig;
import dev.wayout.waypoint.upstream.IpLiterals;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything the waypoint process is configured with, read once from the environment by {@link
 * #fromEnv(Map)} and checked here; a wrong value names the variable, the value and what is
 * expected.
 *
 * @param name the waypoint's name: ServiceEntries bound by {@code istio.io/use-waypoint: <name>}
 * @param namespace the waypoint's own namespace (where {@code credentialName} Secrets live)
 * @param httpPort 15001: captured or proxied HTTP (origin-form, absolute-form, CONNECT); 0 picks
 *     one
 * @param tlsPort 15443: captured TLS, routed by SNI and passed through
 * @param metricsPort 15020: Prometheus {@code /metrics}
 * @param healthPort 15021: {@code /healthz/ready}
 * @param clusterCidrs address ranges of the cluster, never dialled for an external host
 * @param allowLoopbackUpstreams lets tests reach upstreams on 127.0.0.1; never set in production
 * @param dnsServers name servers to ask; empty means the system's (/etc/resolv.conf)
 * @param eventLoopThreads event loops; 0 means one per core the JVM sees (see {@link #eventLoops})
 * @param transport {@code auto} (io_uring, else epoll, else NIO), or one of them by name
 * @param identitiesFile with {@code --config}: the YAML file that maps client addresses to
 *     namespace, service account and workload (in a cluster the Pods informer does that)
 * @param accessLogFlushInterval how long access-log lines may gather before they are written
 *     together; short, since a long one makes bursts of writing that lengthen the latency tail (see
 *     {@code BatchingAccessLog})
 * @param tracing where spans are exported to over OTLP, and how many requests start a trace; off
 *     unless {@code TRACING_ENDPOINT} is set
 */
public record WaypointConfig(
    String name,
    String namespace,
    boolean isDefault,
    String bindAddress,
    int httpPort,
    int tlsPort,
    int metricsPort,
    int healthPort,
    List<Cidr> clusterCidrs,
    boolean allowLoopbackUpstreams,
    List<InetSocketAddress> dnsServers,
    Duration dnsMaxTtl,
    Duration dnsNegativeTtl,
    Duration dnsQueryTimeout,
    Duration connectTimeout,
    Duration requestTimeout,
    Duration requestHeaderTimeout,
    Duration clientIdleTimeout,
    Duration upstreamIdleTimeout,
    Duration drainTimeout,
    int maxHeaderBytes,
    int maxHeaders,
    int maxClientConnections,
    int eventLoopThreads,
    Path trustedCaFile,
    Path credentialsDir,
    Path identitiesFile,
    Duration configPollInterval,
    Duration accessLogFlushInterval,
    String transport,
    TracingConfig tracing) {

  public static final String PREFIX = "WAYOUT_WAYPOINT_";

  public WaypointConfig {
    clusterCidrs = List.copyOf(clusterCidrs);
    dnsServers = List.copyOf(dnsServers);
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          PREFIX + "NAME: \"\" (expected: the waypoint's name, e.g. \"waypoint\")");
    }
  }

  /** The defaults, as a waypoint in a cluster runs with them. */
  public static WaypointConfig defaults() {
    return fromEnv(Map.of());
  }

  /**
   * How many event loops to run: the configured number, else one per core the JVM sees (its CPU
   * limit in a container). Not Netty's default of two per core: no handler blocks, so a second loop
   * per core only adds context switches and an io_uring ring, as nginx and Envoy run one worker per
   * core.
   */
  public int eventLoops() {
    return eventLoopThreads > 0 ? eventLoopThreads : Runtime.getRuntime().availableProcessors();
  }

  /**
   * Reads {@code WAYOUT_WAYPOINT_*} variables; every problem is collected and reported at once.
   *
   * @throws IllegalArgumentException naming each bad variable, its value and what is expected
   */
  public static WaypointConfig fromEnv(Map<String, String> env) {
    Reader r = new Reader(env);
    WaypointConfig config =
        new WaypointConfig(
            r.string("NAME", "waypoint"),
            r.string("NAMESPACE", env.getOrDefault("POD_NAMESPACE", "wayout-system")),
            r.bool("DEFAULT", true),
            r.string("BIND_ADDRESS", "0.0.0.0"),
            r.port("HTTP_PORT", 15001),
            r.port("TLS_PORT", 15443),
            r.port("METRICS_PORT", 15020),
            r.port("HEALTH_PORT", 15021),
            r.cidrs("CLUSTER_CIDRS"),
            r.bool("ALLOW_LOOPBACK_UPSTREAMS", false),
            r.servers("DNS_SERVERS"),
            r.duration("DNS_MAX_TTL", Duration.ofMinutes(5)),
            r.duration("DNS_NEGATIVE_TTL", Duration.ofSeconds(5)),
            r.duration("DNS_QUERY_TIMEOUT", Duration.ofSeconds(5)),
            r.duration("CONNECT_TIMEOUT", Duration.ofSeconds(10)),
            r.duration("REQUEST_TIMEOUT", Duration.ofSeconds(60)),
            r.duration("REQUEST_HEADER_TIMEOUT", Duration.ofSeconds(10)),
            r.duration("CLIENT_IDLE_TIMEOUT", Duration.ofMinutes(5)),
            r.duration("UPSTREAM_IDLE_TIMEOUT", Duration.ofSeconds(60)),
            r.duration("DRAIN_TIMEOUT", Duration.ofSeconds(20)),
            r.integer("MAX_HEADER_BYTES", 60 * 1024, 1024, 1024 * 1024),
            r.integer("MAX_HEADERS", 100, 1, 10_000),
            r.integer("MAX_CLIENT_CONNECTIONS", 50_000, 1, 10_000_000),
            r.integer("EVENT_LOOP_THREADS", 0, 0, 1024),
            r.path("TRUSTED_CA_FILE"),
            r.path("CREDENTIALS_DIR"),
            r.path("IDENTITIES_FILE"),
            r.duration("CONFIG_POLL_INTERVAL", Duration.ofSeconds(2)),
            r.duration("ACCESS_LOG_FLUSH_INTERVAL", Duration.ofMillis(5)),
            r.choice("TRANSPORT", "auto", "auto", "io_uring", "epoll", "nio"),
            r.tracing());
    r.throwIfProblems();
    return config;
  }

  /** The effective configuration as one log line (holds no secrets). */
  public String describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("namespace", namespace);
    m.put("default", isDefault);
    m.put(
        "ports",
        "http="
            + httpPort
            + " tls="
            + tlsPort
            + " metrics="
            + metricsPort
            + " health="
            + healthPort);
    m.put("clusterCidrs", clusterCidrs);
    m.put("allowLoopbackUpstreams", allowLoopbackUpstreams);
    m.put("dnsServers", dnsServers.isEmpty() ? "system" : dnsServers);
    m.put("connectTimeout", connectTimeout);
    m.put("requestTimeout", requestTimeout);
    m.put("maxHeaderBytes", maxHeaderBytes);
    m.put("maxHeaders", maxHeaders);
    m.put("maxClientConnections", maxClientConnections);
    m.put("trustedCaFile", trustedCaFile);
    if (identitiesFile != null) {
      m.put("identitiesFile", identitiesFile);
    }
    m.put("transport", transport);
    m.put("eventLoops", eventLoops());
    m.put("tracing", tracing);
    return m.toString();
  }

  /** Copy with other listener ports (tests use 0 for all of them). */
  public WaypointConfig withPorts(int http, int tls, int metrics, int health) {
    return new WaypointConfig(
        name,
        namespace,
        isDefault,
        bindAddress,
        http,
        tls,
        metrics,
        health,
        clusterCidrs,
        allowLoopbackUpstreams,
        dnsServers,
        dnsMaxTtl,
        dnsNegativeTtl,
        dnsQueryTimeout,
        connectTimeout,
        requestTimeout,
        requestHeaderTimeout,
        clientIdleTimeout,
        upstreamIdleTimeout,
        drainTimeout,
        maxHeaderBytes,
        maxHeaders,
        maxClientConnections,
        eventLoopThreads,
        trustedCaFile,
        credentialsDir,
        identitiesFile,
        configPollInterval,
        accessLogFlushInterval,
        transport,
        tracing);
  }

  /** Parses values and remembers every problem, so that one run reports them all. */
  private static final class Reader {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    Reader(Map<String, String> env) {
      this.env = env;
    }

    private String raw(String key) {
      String value = env.get(PREFIX + key);
      return value == null || value.isBlank() ? null : value.trim();
    }

    private void problem(String key, String value, String expected) {
      problems.add(PREFIX + key + ": \"" + value + "\" (expected: " + expected + ")");
    }

    String string(String key, String fallback) {
      String v = raw(key);
      return v == null ? fallback : v;
    }

    int port(String key, int fallback) {
      return integer(key, fallback, 0, 65535, "an integer from 0 to 65535; 0 picks a free port");
    }

    int integer(String key, int fallback, int min, int max) {
      return integer(key, fallback, min, max, "an integer from " + min + " to " + max);
    }

    private int integer(String key, int fallback, int min, int max, String expected) {
      String v = raw(key);
      if (v == null) {
        return fallback;
      }
      try {
        int n = Integer.parseInt(v);
        if (n >= min && n <= max) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      problem(key, v, expected);
      return fallback;
    }

    String choice(String key, String fallback, String... allowed) {
      String v = raw(key);
      if (v == null) {
        return fallback;
      }
      for (String a : allowed) {
        if (a.equalsIgnoreCase(v)) {
          return a;
        }
      }
      problem(key, v, "one of " + String.join(", ", allowed));
      return fallback;
    }

    boolean bool(String key, boolean fallback) {
      String v = raw(key);
      if (v == null) {
        return fallback;
      }
      if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(v);
      }
      problem(key, v, "true or false");
      return fallback;
    }

    Duration duration(String key, Duration fallback) {
      String v = raw(key);
      if (v == null) {
        return fallback;
      }
      Matcher m = DURATION.matcher(v);
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
      }
      problem(key, v, "a duration such as \"500ms\", \"10s\", \"5m\" or \"1h\"");
      return fallback;
    }

    List<Cidr> cidrs(String key) {
      String v = raw(key);
      List<Cidr> out = new ArrayList<>();
      if (v == null) {
        return out;
      }
      for (String part : v.split(",")) {
        try {
          out.add(Cidr.parse(part.trim()));
        } catch (IllegalArgumentException e) {
          problem(key, v, "comma-separated address ranges such as \"10.0.0.0/8,fd00::/8\"");
          return List.of();
        }
      }
      return out;
    }

    List<InetSocketAddress> servers(String key) {
      String v = raw(key);
      List<InetSocketAddress> out = new ArrayList<>();
      if (v == null) {
        return out;
      }
      for (String part : v.split(",")) {
        InetSocketAddress address = IpLiterals.socketAddress(part.trim(), 53);
        if (address == null) {
          problem(key, v, "comma-separated IP[:port] of name servers, e.g. \"10.96.0.10:53\"");
          return List.of();
        }
        out.add(address);
      }
      return out;
    }

    /** The TRACING_* variables: off without an endpoint. */
    TracingConfig tracing() {
      String protocol =
          choice(
              "TRACING_PROTOCOL",
              TracingConfig.GRPC,
              TracingConfig.GRPC,
              TracingConfig.HTTP_PROTOBUF);
      double sampling = percent("TRACING_SAMPLING", 1);
      String name = env.getOrDefault(PREFIX + "NAME", "waypoint").trim();
      String namespace =
          env.getOrDefault(PREFIX + "NAMESPACE", env.getOrDefault("POD_NAMESPACE", "wayout-system"))
              .trim();
      String serviceName = string("TRACING_SERVICE_NAME", name + "." + namespace);
      URI endpoint = collector("TRACING_ENDPOINT", protocol);
      return endpoint == null
          ? TracingConfig.OFF
          : new TracingConfig(endpoint, protocol, sampling, serviceName);
    }

    private URI collector(String key, String protocol) {
      String v = raw(key);
      if (v == null) {
        return null;
      }
      String example =
          protocol.equals(TracingConfig.GRPC)
              ? "http://otel-collector.observability:4317"
              : "http://otel-collector.observability:4318/v1/traces";
      try {
        URI u = new URI(v);
        if (("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
            && u.getHost() != null
            && u.getRawUserInfo() == null) {
          return u;
        }
      } catch (URISyntaxException e) {
        // reported below
      }
      problem(key, v, "the http:// or https:// URL of an OTLP collector, e.g. \"" + example + "\"");
      return null;
    }

    private double percent(String key, double fallback) {
      String v = raw(key);
      if (v == null) {
        return fallback;
      }
      try {
        double p = Double.parseDouble(v);
        if (p >= 0 && p <= 100) {
          return p;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      problem(key, v, "a percentage from 0 to 100, e.g. \"1\" or \"0.5\"");
      return fallback;
    }

    Path path(String key) {
      String v = raw(key);
      return v == null ? null : Path.of(v);
    }

    void throwIfProblems() {
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(String.join("; ", problems));
      }
    }
  }
}
