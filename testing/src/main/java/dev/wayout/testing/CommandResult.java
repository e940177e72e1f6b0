package dev.wayout.testing;

/** What a finished command printed and returned. */
public record CommandResult(int exitCode, String stdout, String stderr) {

  public boolean succeeded() {
    return exitCode == 0;
  }

  /** stdout and stderr together, as a terminal would show them. */
  public String output() {
    return stdout + stderr;
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
  }
}
