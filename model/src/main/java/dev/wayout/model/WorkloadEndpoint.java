package dev.wayout.model;

import java.util.Map;

/** One entry of {@code spec.endpoints} of a ServiceEntry (a WorkloadEntry spec). */
public record WorkloadEndpoint(
    String address,
    Map<String, Integer> ports,
    Map<String, String> labels,
    String network,
    String locality,
    Integer weight) {

  public WorkloadEndpoint {
    ports = ports == null ? Map.of() : Map.copyOf(ports);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }
}
