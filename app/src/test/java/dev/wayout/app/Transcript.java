package dev.wayout.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What an end-to-end test did, step by step, as a person would read it: the step, each command and
 * what it printed. Goes to stdout and to a file that {@code examples/seed/e2e.sh} shows.
 */
final class Transcript {

  private final Path file;

  Transcript(Path file) {
    this.file = file;
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void step(String title) {
    write("\n== " + title + "\n");
  }

  void command(String command, String output) {
    write(
        "$ "
            + command
            + "\n"
            + (output.isEmpty() || output.endsWith("\n") ? output : output + "\n"));
  }

  void result(String line) {
    write("-> " + line + "\n");
  }

  /** Process output kept for a reader of a failed run; not printed to stdout. */
  void diagnostics(String text) {
    try {
      Files.writeString(
          file.resolveSibling(file.getFileName() + ".processes"),
          text + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(String text) {
    System.out.print(text);
    try {
      Files.writeString(file, text, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
