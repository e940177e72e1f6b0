package dev.wayout.waypoint.config;

import dev.wayout.model.InvalidResourceException;
import dev.wayout.model.SourceIdentity;
import dev.wayout.model.WorkloadIdentities;
import dev.wayout.waypoint.FileStamp;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client identities with {@code --config} ({@code WAYOUT_WAYPOINT_IDENTITIES_FILE}): the file that
 * maps addresses to namespace, service account and workload, read at start and again whenever its
 * content changes (polled on its own thread). A file that does not parse keeps the identities read
 * before, with a log line naming the entry and the fix. The lookup the event loops call reads one
 * immutable table.
 */
public final class IdentitiesFileSource
    implements Function<InetAddress, SourceIdentity>, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(IdentitiesFileSource.class);

  private final Path file;
  private final ScheduledExecutorService poller =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "wayout-identities-poll");
            t.setDaemon(true);
            return t;
          });
  private volatile WorkloadIdentities table = WorkloadIdentities.NONE;
  private String stamp = "";

  public IdentitiesFileSource(Path file) {
    this.file = file;
  }

  /**
   * Reads the file once, then polls it.
   *
   * @throws IllegalArgumentException when the file cannot be read or parsed at start, naming the
   *     file, the entry and the fix
   */
  public IdentitiesFileSource start(Duration interval) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "WAYOUT_WAYPOINT_IDENTITIES_FILE: "
              + file
              + " is not a file; give the YAML file that maps client addresses to identities");
    }
    String problem = reload();
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    poller.scheduleWithFixedDelay(
        () -> {
          String p = reload();
          if (p != null) {
            LOG.warn("{}; keeping the identities read before", p);
          }
        },
        interval.toMillis(),
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  /** Reads the file if it changed; returns a problem, or null. */
  synchronized String reload() {
    String now = FileStamp.of(file);
    if (now.equals(stamp)) {
      return null;
    }
    stamp = now;
    try {
      table = WorkloadIdentities.parse(Files.readString(file));
      LOG.info("read {}: {} client addresses or blocks", file, table.size());
      return null;
    } catch (IOException e) {
      return file + ": cannot be read (" + e.getMessage() + ")";
    } catch (InvalidResourceException e) {
      return file + ": " + e.getMessage();
    }
  }

  @Override
  public SourceIdentity apply(InetAddress address) {
    return table.of(address);
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
