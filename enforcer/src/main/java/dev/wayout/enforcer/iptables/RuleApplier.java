package dev.wayout.enforcer.iptables;

import dev.wayout.enforcer.desired.IptablesPolicy;
import dev.wayout.enforcer.desired.IptablesRules;
import dev.wayout.enforcer.desired.IptablesRules.Family;
import dev.wayout.enforcer.desired.IptablesState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code iptables-save} and {@code iptables-restore --noflush} (and the ip6tables pair) to
 * bring one network namespace to the rendered rules, or to remove them. The only I/O next to {@link
 * IptablesRules}; a command prefix such as {@code ip netns exec NAME} lets tests aim it at a
 * namespace of their own.
 */
public final class RuleApplier {

  private static final Logger LOG = LoggerFactory.getLogger(RuleApplier.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final List<String> prefix;

  /** Applies in the caller's own network namespace (the init container's). */
  public RuleApplier() {
    this(List.of());
  }

  /** Applies through {@code prefix}, e.g. {@code [ip, netns, exec, app-1234]}. */
  public RuleApplier(List<String> prefix) {
    this.prefix = List.copyOf(prefix);
  }

  /** The outcome for one family: whether the tables changed, and the script that ran. */
  public record Outcome(Family family, boolean changed, String script) {}

  /**
   * Brings both families' tables to the rules of {@code policy}; running it twice changes nothing.
   */
  public List<Outcome> apply(IptablesPolicy policy, List<Family> families) {
    List<Outcome> out = new ArrayList<>();
    for (Family family : families) {
      String before = save(family);
      String script = IptablesRules.render(policy, family, IptablesState.parse(before));
      restore(family, script);
      boolean changed = !normalize(before).equals(normalize(save(family)));
      LOG.info("{} rules {}", family.command(), changed ? "applied" : "already in place");
      out.add(new Outcome(family, changed, script));
    }
    return List.copyOf(out);
  }

  /** Removes every chain and jump of ours; other rules stay. */
  public List<Outcome> cleanup(List<Family> families) {
    List<Outcome> out = new ArrayList<>();
    for (Family family : families) {
      String script = IptablesRules.cleanup(family, IptablesState.parse(save(family)));
      if (!script.isEmpty()) {
        restore(family, script);
      }
      LOG.info("{} rules {}", family.command(), script.isEmpty() ? "were not present" : "removed");
      out.add(new Outcome(family, !script.isEmpty(), script));
    }
    return List.copyOf(out);
  }

  /** The current tables as {@code -save} prints them. */
  public String save(Family family) {
    return run(List.of(family.command() + "-save"), null);
  }

  private void restore(Family family, String script) {
    run(List.of(family.command() + "-restore", "--noflush"), script);
  }

  /** iptables-save output without its timestamped comments, for comparison. */
  public static String normalize(String saved) {
    return saved
        .lines()
        .filter(l -> !l.startsWith("#"))
        .map(l -> l.replaceAll("\\[\\d+:\\d+\\]", "[0:0]"))
        .collect(Collectors.joining("\n"));
  }

  private String run(List<String> command, String stdin) {
    List<String> full = new ArrayList<>(prefix);
    full.addAll(command);
    Process process;
    try {
      process = new ProcessBuilder(full).start();
    } catch (IOException e) {
      throw new IptablesException(
          "cannot run "
              + String.join(" ", full)
              + ": "
              + e.getMessage()
              + "; the image needs iptables (iptables-nft or iptables-legacy) on its PATH",
          e);
    }
    CompletableFuture<String> stdout = drain(process.getInputStream());
    CompletableFuture<String> stderr = drain(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // the tool exited early; its exit code and stderr explain why
    }
    try {
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IptablesException(
            String.join(" ", full) + " did not finish within " + TIMEOUT, null);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IptablesException(String.join(" ", full) + " was interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new IptablesException(
          String.join(" ", full)
              + " exited with "
              + process.exitValue()
              + ": "
              + stderr.join().strip()
              + (stdin == null ? "" : "\nscript:\n" + stdin)
              + "\n(it needs the NET_ADMIN and NET_RAW capabilities in the pod's network namespace)",
          null);
    }
    return stdout.join();
  }

  /** Reads a stream to its end on a thread of its own, so neither pipe can fill and block. */
  private static CompletableFuture<String> drain(InputStream stream) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
              }
            },
            "iptables-output");
    reader.setDaemon(true);
    reader.start();
    return text;
  }

  /** iptables could not be run or refused the script; the message says which and why. */
  public static final class IptablesException extends RuntimeException {
    public IptablesException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
