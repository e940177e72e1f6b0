package dev.wayout.model;

import java.util.Map;

/** One entry of {@code spec.subsets} of a DestinationRule. */
public record Subset(String name, Map<String, String> labels, TrafficPolicy trafficPolicy) {

  public Subset {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }
}
