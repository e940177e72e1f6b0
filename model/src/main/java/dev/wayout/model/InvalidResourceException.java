package dev.wayout.model;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A resource whose fields have the wrong JSON types (a string where a port number belongs), so no
 * record can be built. Carries every such field, not only the first.
 */
public final class InvalidResourceException extends RuntimeException {

  private final transient List<FieldError> errors;

  public InvalidResourceException(List<FieldError> errors) {
    super(errors.stream().map(FieldError::message).collect(Collectors.joining("; ")));
    this.errors = List.copyOf(errors);
  }

  public List<FieldError> errors() {
    return errors;
  }
}
