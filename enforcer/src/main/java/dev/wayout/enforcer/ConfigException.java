package dev.wayout.enforcer;

import java.util.List;

/** Bad configuration found at start-up; the message lists every problem, one a line. */
public final class ConfigException extends RuntimeException {

  private final transient List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
