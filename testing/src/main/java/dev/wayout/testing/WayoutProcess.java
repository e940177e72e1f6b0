package dev.wayout.testing;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The {@code wayout} executable ({@code app/target/wayout.jar}) started as its own process, in the
 * root network namespace or inside a {@link NetworkLab} host, with every line it prints kept for
 * assertions (stdout carries the access log, stderr the rest). For end-to-end tests in module
 * {@code app}, whose failsafe run comes after the jar is packaged.
 */
public final class WayoutProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final List<String> stderr = new CopyOnWriteArrayList<>();
  private final List<Thread> readers;

  private WayoutProcess(String name, Process process, Path out, Path err) {
    this.name = name;
    this.process = process;
    this.readers =
        List.of(
            follow(out, stdout, process, name + "-out"),
            follow(err, stderr, process, name + "-err"));
  }

  public static Path jar() {
    Path jar = TestAssets.repositoryRoot().resolve("app/target/wayout.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: run the tests through Maven (package comes first)");
    }
    return jar;
  }

  /** Starts {@code wayout args...} in the root network namespace. */
  public static WayoutProcess start(String name, List<String> args, Map<String, String> env) {
    return launch(name, command(List.of(), args), env);
  }

  /** Starts {@code wayout args...} inside a lab host's network namespace. */
  public static WayoutProcess startIn(
      NetworkLab.Host host, String name, List<String> args, Map<String, String> env) {
    return launch(name, command(List.of("ip", "netns", "exec", host.netns()), args), env);
  }

  private static List<String> command(List<String> prefix, List<String> args) {
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:+UseSerialGC");
    command.add("-Xss512k");
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(args);
    return command;
  }

  private static WayoutProcess launch(String name, List<String> command, Map<String, String> env) {
    try {
      // Output goes to files, not pipes: the JDK closes a child's pipe when it exits, and a reader
      // blocked on it then loses what the child wrote last (its shutdown's access-log lines).
      Path out = Files.createTempFile("wayout-" + name + "-", ".out");
      Path err = Files.createTempFile("wayout-" + name + "-", ".err");
      out.toFile().deleteOnExit();
      err.toFile().deleteOnExit();
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      return new WayoutProcess(name, process, out, err);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start wayout " + name, e);
    }
  }

  public List<String> stdout() {
    drainIfExited();
    return List.copyOf(stdout);
  }

  public List<String> stderr() {
    drainIfExited();
    return List.copyOf(stderr);
  }

  /**
   * Once the process has exited, waits for the readers to take in the last of what it wrote: a
   * short-lived process (wayout init) can exit before they have read a line of it.
   */
  private void drainIfExited() {
    if (process.isAlive()) {
      return;
    }
    for (Thread reader : readers) {
      try {
        reader.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits until a line of stderr matches, failing with everything printed so far. */
  public String awaitStderr(Predicate<String> line, Duration timeout) {
    return await(stderr, line, timeout, "stderr");
  }

  /** Waits until a line of stdout matches, failing with everything printed so far. */
  public String awaitStdout(Predicate<String> line, Duration timeout) {
    return await(stdout, line, timeout, "stdout");
  }

  private String await(List<String> lines, Predicate<String> match, Duration timeout, String what) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      boolean exited = !process.isAlive();
      if (exited) {
        drainIfExited(); // what it wrote last may not have been read yet
      }
      for (String l : lines) {
        if (match.test(l)) {
          return l;
        }
      }
      if (exited) {
        break;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new AssertionError(
        "wayout "
            + name
            + ": no matching "
            + what
            + " line within "
            + timeout
            + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")")
            + "\n"
            + printed());
  }

  /** Everything the process printed, for failure messages. */
  public String printed() {
    return "--- "
        + name
        + " stdout\n"
        + String.join("\n", stdout)
        + "\n--- "
        + name
        + " stderr\n"
        + String.join("\n", stderr);
  }

  /** SIGTERM, then up to 20 s for a graceful exit; returns the exit code. */
  public int stop() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return process.isAlive() ? -1 : process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop();
    }
  }

  /** Reads whole lines from a growing file until the process has exited and all is read. */
  private static Thread follow(Path file, List<String> into, Process process, String threadName) {
    Thread reader =
        new Thread(
            () -> {
              try (InputStreamReader in =
                  new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
                StringBuilder line = new StringBuilder();
                char[] buf = new char[8192];
                while (true) {
                  boolean exited = !process.isAlive(); // checked before reading: nothing after
                  int n = in.read(buf);
                  if (n > 0) {
                    for (int i = 0; i < n; i++) {
                      if (buf[i] == '\n') {
                        into.add(line.toString());
                        line.setLength(0);
                      } else {
                        line.append(buf[i]);
                      }
                    }
                  } else if (exited) {
                    if (line.length() > 0) {
                      into.add(line.toString());
                    }
                    return;
                  } else {
                    Thread.sleep(20);
                  }
                }
              } catch (IOException e) {
                into.add("(could not read " + file + ": " + e.getMessage() + ")");
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            threadName);
    reader.setDaemon(true);
    reader.start();
    return reader;
  }
}
