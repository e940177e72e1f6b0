package dev.wayout.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the errors and warnings of one validation run, in the order the fields appear, so that
 * every problem is reported and none stops the others.
 */
final class Findings {

  private final List<FieldError> errors = new ArrayList<>();
  private final List<FieldError> warnings = new ArrayList<>();

  void error(String path, String problem, String fix) {
    errors.add(FieldError.of(path, problem, fix));
  }

  void warn(String path, String problem, String fix) {
    warnings.add(FieldError.of(path, problem, fix));
  }

  void add(Validation validation) {
    errors.addAll(validation.errors());
    warnings.addAll(validation.warnings());
  }

  Validation toValidation() {
    return new Validation(errors, warnings);
  }

  /** A value as the user wrote it, quoted like YAML/JSON strings so blanks show. */
  static String quote(String value) {
    return "\"" + value + "\"";
  }
}
