package dev.wayout.model;

/** Namespace and name of a Kubernetes object, printed as {@code namespace/name}. */
public record ObjectRef(String namespace, String name) {

  @Override
  public String toString() {
    return (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + name;
  }
}
