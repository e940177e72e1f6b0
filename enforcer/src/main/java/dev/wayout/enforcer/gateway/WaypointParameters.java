package dev.wayout.enforcer.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A waypoint's replicas and container resources, from the ConfigMap that a Gateway's {@code
 * spec.infrastructure.parametersRef} names. As with Istio, the ConfigMap's {@code deployment} key
 * holds an overlay of the Deployment; Wayout reads {@code spec.replicas} and the {@code resources}
 * of the container named {@code waypoint} (or {@code istio-proxy}, as Istio names it) from it and
 * ignores the rest. Pure: data in, settings or problems out.
 *
 * @param requests resource requests, e.g. {@code cpu: 100m}
 * @param limits resource limits
 */
public record WaypointParameters(
    int replicas, Map<String, String> requests, Map<String, String> limits) {

  public static final int DEFAULT_REPLICAS = 2;
  public static final WaypointParameters DEFAULTS =
      new WaypointParameters(
          DEFAULT_REPLICAS, Map.of("cpu", "100m", "memory", "256Mi"), Map.of("memory", "512Mi"));

  /** The overlay keys Istio reads; only {@code deployment} carries settings Wayout applies. */
  static final List<String> IGNORED_KEYS =
      List.of("service", "serviceAccount", "horizontalPodAutoscaler", "podDisruptionBudget");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public WaypointParameters {
    requests = Map.copyOf(requests);
    limits = Map.copyOf(limits);
  }

  /** The settings, or what is wrong with the ConfigMap (each message names the key and field). */
  public record Parsed(WaypointParameters parameters, List<String> problems) {
    public Parsed {
      problems = List.copyOf(problems);
    }

    public boolean valid() {
      return problems.isEmpty();
    }
  }

  /**
   * @param configMap "namespace/name", for messages
   * @param data the ConfigMap's data (null when it has none)
   */
  public static Parsed from(String configMap, Map<String, String> data) {
    if (data == null || data.get("deployment") == null) {
      return new Parsed(DEFAULTS, List.of());
    }
    List<String> problems = new ArrayList<>();
    String where = "ConfigMap " + configMap + " data.deployment";
    JsonNode root;
    try {
      root = YAML.readTree(data.get("deployment"));
    } catch (IOException e) {
      return new Parsed(
          DEFAULTS,
          List.of(
              where
                  + ": not YAML ("
                  + firstLine(e.getMessage())
                  + "); write a Deployment"
                  + " overlay such as \"spec: {replicas: 2}\""));
    }
    int replicas = DEFAULTS.replicas();
    Map<String, String> requests = DEFAULTS.requests();
    Map<String, String> limits = DEFAULTS.limits();
    JsonNode spec = root == null ? null : root.path("spec");
    if (spec != null && spec.has("replicas")) {
      JsonNode r = spec.get("replicas");
      if (r.canConvertToInt() && r.isIntegralNumber() && r.asInt() >= 0 && r.asInt() <= 100) {
        replicas = r.asInt();
      } else {
        problems.add(
            where
                + ": spec.replicas: "
                + r
                + " is not a replica count; use a number from 0 to 100");
      }
    }
    JsonNode containers =
        spec == null ? null : spec.path("template").path("spec").path("containers");
    if (containers != null && containers.isArray()) {
      for (JsonNode c : containers) {
        String name = c.path("name").asText("");
        if (!name.equals("waypoint") && !name.equals("istio-proxy")) {
          continue;
        }
        JsonNode resources = c.path("resources");
        String path = "spec.template.spec.containers[" + name + "].resources";
        if (resources.has("requests")) {
          requests =
              quantities(where + ": " + path + ".requests", resources.get("requests"), problems);
        }
        if (resources.has("limits")) {
          limits = quantities(where + ": " + path + ".limits", resources.get("limits"), problems);
        }
      }
    }
    return new Parsed(new WaypointParameters(replicas, requests, limits), problems);
  }

  private static Map<String, String> quantities(
      String where, JsonNode node, List<String> problems) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!node.isObject()) {
      problems.add(where + ": " + node + " is not a map; write e.g. {cpu: 200m, memory: 256Mi}");
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String value = e.getValue().asText();
      if (!isQuantity(value)) {
        problems.add(
            where
                + "."
                + e.getKey()
                + ": \""
                + value
                + "\" is not a quantity; write e.g. \"200m\" (CPU) or \"256Mi\" (memory)");
        continue;
      }
      out.put(e.getKey(), value);
    }
    return out;
  }

  static boolean isQuantity(String value) {
    if (value == null || value.isBlank()) {
      return false;
    }
    try {
      Quantity.getAmountInBytes(new Quantity(value));
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
