package dev.wayout.model;

import java.util.ArrayList;
import java.util.List;

/**
 * What a set of documents held: the ServiceEntries and DestinationRules that could be read, and a
 * problem for each document that could not (wrong types, not YAML, unknown kind is skipped silently
 * since a directory may hold other manifests).
 */
public record ResourceSet(
    List<ServiceEntry> serviceEntries,
    List<DestinationRule> destinationRules,
    List<LoadProblem> problems) {

  public static final ResourceSet EMPTY = new ResourceSet(List.of(), List.of(), List.of());

  public ResourceSet {
    serviceEntries = List.copyOf(serviceEntries);
    destinationRules = List.copyOf(destinationRules);
    problems = List.copyOf(problems);
  }

  public ResourceSet plus(ResourceSet other) {
    List<ServiceEntry> se = new ArrayList<>(serviceEntries);
    se.addAll(other.serviceEntries);
    List<DestinationRule> dr = new ArrayList<>(destinationRules);
    dr.addAll(other.destinationRules);
    List<LoadProblem> p = new ArrayList<>(problems);
    p.addAll(other.problems);
    return new ResourceSet(se, dr, p);
  }

  /** A document that could not be turned into a resource. */
  public record LoadProblem(String source, String kind, String name, List<FieldError> errors) {

    public LoadProblem {
      errors = List.copyOf(errors);
    }

    public String message() {
      String what = kind == null || kind.isEmpty() ? "document" : kind + " " + name;
      return source + ": " + what + ": " + new InvalidResourceException(errors).getMessage();
    }
  }
}
