package dev.wayout.model;

/**
 * One problem with one field of a resource: where it is, what is wrong with the value, and what to
 * do about it. Rendered as {@code spec.ports[1].targetPort: 70000 is not a port; use 1-65535}.
 */
public record FieldError(String path, String problem, String fix) {

  public FieldError {
    if (path == null || path.isBlank() || problem == null || problem.isBlank()) {
      throw new IllegalArgumentException("a field error needs a path and a problem");
    }
    fix = fix == null ? "" : fix;
  }

  public static FieldError of(String path, String problem, String fix) {
    return new FieldError(path, problem, fix);
  }

  /** The message as kubectl and {@code wayout validate} print it. */
  public String message() {
    return fix.isEmpty() ? path + ": " + problem : path + ": " + problem + "; " + fix;
  }

  @Override
  public String toString() {
    return message();
  }
}
