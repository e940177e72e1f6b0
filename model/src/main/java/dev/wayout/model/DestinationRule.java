package dev.wayout.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * An Istio {@code DestinationRule} ({@code networking.istio.io} v1, v1beta1, v1alpha3), with only
 * the fields Wayout uses. For egress its main job is TLS origination: {@code tls.mode: SIMPLE}
 * makes the waypoint speak HTTPS to the upstream.
 */
public record DestinationRule(
    String namespace,
    String name,
    Map<String, String> labels,
    String host,
    TrafficPolicy trafficPolicy,
    List<Subset> subsets,
    List<String> exportTo,
    Map<String, String> workloadSelector) {

  public static final String KIND = "DestinationRule";

  public DestinationRule {
    namespace = namespace == null ? "" : namespace;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    host = host == null ? "" : host;
    trafficPolicy = trafficPolicy == null ? TrafficPolicy.NONE : trafficPolicy;
    subsets = subsets == null ? List.of() : List.copyOf(subsets);
    exportTo = exportTo == null ? List.of() : List.copyOf(exportTo);
    workloadSelector = workloadSelector == null ? null : Map.copyOf(workloadSelector);
  }

  /**
   * Reads the object's metadata and spec; fields we do not use are ignored.
   *
   * @throws InvalidResourceException listing every field of the wrong type
   */
  public static DestinationRule from(JsonNode object) {
    return IstioReader.destinationRule(object);
  }

  public ObjectRef ref() {
    return new ObjectRef(namespace, name);
  }
}
