package dev.wayout.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * An Istio {@code ServiceEntry} ({@code networking.istio.io} v1, v1beta1, v1alpha3), with only the
 * fields Wayout uses. Enumerations stay strings as written so that the validator can name a wrong
 * value; absent ones are "" and Istio's defaults apply ({@code MESH_EXTERNAL}, {@code NONE}).
 */
public record ServiceEntry(
    String namespace,
    String name,
    Map<String, String> labels,
    List<String> hosts,
    List<String> addresses,
    List<ServicePort> ports,
    String location,
    String resolution,
    List<WorkloadEndpoint> endpoints,
    Map<String, String> workloadSelector,
    List<String> exportTo,
    List<String> subjectAltNames) {

  public static final String KIND = "ServiceEntry";

  public ServiceEntry {
    namespace = namespace == null ? "" : namespace;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    hosts = hosts == null ? List.of() : List.copyOf(hosts);
    addresses = addresses == null ? List.of() : List.copyOf(addresses);
    ports = ports == null ? List.of() : List.copyOf(ports);
    location = location == null ? "" : location;
    resolution = resolution == null ? "" : resolution;
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    workloadSelector = workloadSelector == null ? null : Map.copyOf(workloadSelector);
    exportTo = exportTo == null ? List.of() : List.copyOf(exportTo);
    subjectAltNames = subjectAltNames == null ? List.of() : List.copyOf(subjectAltNames);
  }

  /**
   * Reads the object's metadata and spec; fields we do not use are ignored.
   *
   * @throws InvalidResourceException listing every field of the wrong type
   */
  public static ServiceEntry from(JsonNode object) {
    return IstioReader.serviceEntry(object);
  }

  public ObjectRef ref() {
    return new ObjectRef(namespace, name);
  }

  /** The resolution with Istio's default applied. */
  public String effectiveResolution() {
    return resolution.isEmpty() ? "NONE" : resolution;
  }

  /** The location with Istio's default applied. */
  public String effectiveLocation() {
    return location.isEmpty() ? "MESH_EXTERNAL" : location;
  }

  /** The waypoint named by the {@code istio.io/use-waypoint} label, or null. */
  public String useWaypoint() {
    return labels.get(Labels.USE_WAYPOINT);
  }
}
