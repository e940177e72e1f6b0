package dev.wayout.model;

import java.util.List;

/**
 * The ServiceEntries and DestinationRules that cross-object checks can see: the webhook's informer
 * caches, or every file given to {@code wayout validate}. Immutable.
 */
public record Registry(List<ServiceEntry> serviceEntries, List<DestinationRule> destinationRules) {

  public static final Registry EMPTY = new Registry(List.of(), List.of());

  public Registry {
    serviceEntries = serviceEntries == null ? List.of() : List.copyOf(serviceEntries);
    destinationRules = destinationRules == null ? List.of() : List.copyOf(destinationRules);
  }

  public static Registry of(ResourceSet set) {
    return new Registry(set.serviceEntries(), set.destinationRules());
  }
}
