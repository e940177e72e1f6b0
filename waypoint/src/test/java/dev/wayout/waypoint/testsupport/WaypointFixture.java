package dev.wayout.waypoint.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wayout.model.IstioDocuments;
import dev.wayout.waypoint.Waypoint;
import dev.wayout.waypoint.WaypointConfig;
import dev.wayout.waypoint.policy.EgressPolicyBuilder;
import dev.wayout.waypoint.policy.WaypointBinding;
import dev.wayout.waypoint.upstream.TlsContexts;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real waypoint on ephemeral loopback ports, configured from YAML, with its access log in memory.
 */
public final class WaypointFixture implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  public final Waypoint waypoint;
  public final WaypointConfig config;
  public final BlockingQueue<String> accessLog = new LinkedBlockingQueue<>();

  public WaypointFixture(Map<String, String> env) throws InterruptedException {
    Map<String, String> all = new HashMap<>();
    all.put("WAYOUT_WAYPOINT_HTTP_PORT", "0");
    all.put("WAYOUT_WAYPOINT_TLS_PORT", "0");
    all.put("WAYOUT_WAYPOINT_METRICS_PORT", "0");
    all.put("WAYOUT_WAYPOINT_HEALTH_PORT", "0");
    all.put("WAYOUT_WAYPOINT_BIND_ADDRESS", "127.0.0.1");
    all.put("WAYOUT_WAYPOINT_ALLOW_LOOPBACK_UPSTREAMS", "true");
    all.put("WAYOUT_WAYPOINT_EVENT_LOOP_THREADS", "2");
    all.put("WAYOUT_WAYPOINT_DRAIN_TIMEOUT", "1s");
    all.putAll(env);
    config = WaypointConfig.fromEnv(all);
    waypoint =
        new Waypoint(
                config,
                (line, length) ->
                    accessLog.add(new String(line, 0, length, StandardCharsets.UTF_8)))
            .start();
  }

  public WaypointFixture() throws InterruptedException {
    this(Map.of());
  }

  /** Replaces the configuration with these documents, as the directory source would. */
  public WaypointFixture apply(String yaml) {
    EgressPolicyBuilder builder =
        new EgressPolicyBuilder(
            () -> WaypointBinding.everything(config.name()),
            new TlsContexts(config.trustedCaFile(), config.credentialsDir()),
            config.connectTimeout(),
            config.upstreamIdleTimeout());
    waypoint.update(builder.build(IstioDocuments.parse(yaml, "test.yaml", "default")));
    return this;
  }

  /** The next access-log line, parsed (fails the test if none comes within 5 s). */
  public JsonNode nextLog() throws Exception {
    String line = accessLog.poll(5, TimeUnit.SECONDS);
    if (line == null) {
      throw new AssertionError("no access-log line within 5 s");
    }
    return JSON.readTree(line);
  }

  /** A ServiceEntry for a host served by a loopback upstream (STATIC endpoint 127.0.0.1). */
  public static String staticEntry(
      String name, String host, int port, int targetPort, String protocol) {
    return """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: %s
          namespace: istio-egress
        spec:
          hosts: [%s]
          location: MESH_EXTERNAL
          ports:
          - number: %d
            name: p%d
            protocol: %s
            targetPort: %d
          resolution: STATIC
          endpoints:
          - address: 127.0.0.1
        """
        .formatted(name, host, port, port, protocol, targetPort);
  }

  /**
   * A document separator and a DestinationRule in istio-egress for {@code host}, with {@code
   * trafficPolicy} as one line of flow-style YAML, e.g. "connectionPool: {tcp: {maxConnections:
   * 1}}": to append to a {@link #staticEntry}.
   */
  public static String destinationRule(String name, String host, String trafficPolicy) {
    return """
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %s, namespace: istio-egress}
        spec:
          host: %s
          trafficPolicy: {%s}
        """
        .formatted(name, host, trafficPolicy);
  }

  @Override
  public void close() {
    waypoint.close();
  }
}
