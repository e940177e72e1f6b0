package dev.wayout.waypoint.config;

import dev.wayout.model.ResourceFiles;
import dev.wayout.model.ResourceSet;
import dev.wayout.waypoint.FileStamp;
import dev.wayout.waypoint.policy.EgressPolicy;
import dev.wayout.waypoint.policy.EgressPolicyBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration from a directory of YAML ({@code wayout waypoint --config DIR}): read at start,
 * then polled on its own thread (never an event loop); when any file's name or content changes (a
 * checksum: an edit may keep the size and the modification time), or a certificate file the
 * policy's TLS settings read (caCertificates, a credentialName folder, the trusted CA file),
 * everything is read again and a new policy replaces the old one whole. A file that cannot be read
 * or parsed is skipped with a log line; the waypoint keeps serving.
 */
public final class DirectoryPolicySource implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DirectoryPolicySource.class);

  private final Path directory;
  private final String defaultNamespace;
  private final EgressPolicyBuilder builder;
  private final Consumer<EgressPolicy> sink;
  private final ScheduledExecutorService poller =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "wayout-config-poll");
            t.setDaemon(true);
            return t;
          });
  private List<String> fingerprint = List.of();

  public DirectoryPolicySource(
      Path directory,
      String defaultNamespace,
      EgressPolicyBuilder builder,
      Consumer<EgressPolicy> sink) {
    this.directory = directory;
    this.defaultNamespace = defaultNamespace;
    this.builder = builder;
    this.sink = sink;
  }

  /** Loads the directory once (synchronously), then polls it at the given interval. */
  public DirectoryPolicySource start(Duration interval) {
    if (!Files.isDirectory(directory) && !Files.isRegularFile(directory)) {
      throw new IllegalArgumentException(
          "--config "
              + directory
              + ": no such file or directory; give the folder of ServiceEntry YAML");
    }
    reloadIfChanged();
    poller.scheduleWithFixedDelay(
        this::reloadIfChanged, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Reads again if anything changed; public so that tests need not wait for the timer. */
  public synchronized boolean reloadIfChanged() {
    try {
      List<String> now = fingerprint();
      if (now.equals(fingerprint) && !builder.tlsFilesChanged()) {
        return false;
      }
      fingerprint = now;
      ResourceSet resources = ResourceFiles.read(directory, defaultNamespace);
      EgressPolicy policy = builder.build(resources);
      LOG.info("read {} ({} files): {}", directory, now.size(), policy.summary());
      sink.accept(policy);
      return true;
    } catch (RuntimeException e) {
      LOG.warn("reading {} failed, keeping the current policy: {}", directory, e.toString());
      return false;
    }
  }

  private List<String> fingerprint() {
    List<String> out = new ArrayList<>();
    for (Path file : ResourceFiles.files(directory)) {
      out.add(file + "|" + FileStamp.of(file));
    }
    return out;
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
