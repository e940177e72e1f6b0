package dev.wayout.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Holds the machine-wide lock on the real node for one test run: the node (its bridge, its outside
 * host, containerd) exists once per machine, so two runs at once would tear each other's node down.
 * flock(1) holds the lock for as long as its {@code cat} reads our open pipe; closing it (or this
 * JVM dying) releases it.
 */
final class NodeLock implements AutoCloseable {

  private static final String NODE_LOCK = "/tmp/wayout-node-run.lock";
  private final Process holder;

  private NodeLock(Process holder) {
    this.holder = holder;
  }

  static NodeLock acquire(Duration timeout) {
    return acquire(NODE_LOCK, timeout);
  }

  static NodeLock acquire(String path, Duration timeout) {
    Process holder;
    try {
      holder =
          new ProcessBuilder(List.of("flock", "-x", path, "sh", "-c", "echo held; exec cat"))
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run flock for the real node's lock " + path, e);
    }
    BufferedReader out =
        new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> readLine(out));
    try {
      String line = held.get(timeout.toSeconds(), TimeUnit.SECONDS);
      if (!"held".equals(line)) {
        holder.destroy();
        throw new IllegalStateException("flock " + path + " failed: " + line);
      }
      return new NodeLock(holder);
    } catch (TimeoutException e) {
      holder.destroy();
      throw new IllegalStateException(
          "another test run has held the real node for " + timeout + " (lock " + path + ")");
    } catch (InterruptedException e) {
      holder.destroy();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the real node's lock", e);
    } catch (ExecutionException e) {
      holder.destroy();
      throw new IllegalStateException("flock " + path + " failed", e.getCause());
    }
  }

  private static String readLine(BufferedReader out) {
    try {
      return out.readLine();
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Override
  public void close() {
    try {
      holder.getOutputStream().close();
      holder.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      // the holder is gone already: so is the lock
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      holder.destroy();
    }
  }
}
