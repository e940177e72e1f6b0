package dev.wayout.model;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The outcome of validating one resource: errors refuse it, warnings only inform (kubectl prints
 * them as {@code Warning:} lines).
 */
public record Validation(List<FieldError> errors, List<FieldError> warnings) {

  public static final Validation OK = new Validation(List.of(), List.of());

  public Validation {
    errors = List.copyOf(errors);
    warnings = List.copyOf(warnings);
  }

  public static Validation ofErrors(List<FieldError> errors) {
    return new Validation(errors, List.of());
  }

  public boolean valid() {
    return errors.isEmpty();
  }

  /** Every error message joined with "; ", as the admission response carries them. */
  public String errorMessage() {
    return errors.stream().map(FieldError::message).collect(Collectors.joining("; "));
  }

  public List<String> warningMessages() {
    return warnings.stream().map(FieldError::message).toList();
  }

  public Validation plus(Validation other) {
    List<FieldError> e = new ArrayList<>(errors);
    e.addAll(other.errors);
    List<FieldError> w = new ArrayList<>(warnings);
    w.addAll(other.warnings);
    return new Validation(e, w);
  }
}
