package dev.wayout.waypoint.access;

import dev.wayout.waypoint.admin.WaypointMetrics;

/** Writes a finished entry once: its JSON line to the access log and its request to the metrics. */
public final class AccessLogWriter {

  private final AccessLog log;
  private final WaypointMetrics metrics;

  public AccessLogWriter(AccessLog log, WaypointMetrics metrics) {
    this.log = log;
    this.metrics = metrics;
  }

  public void write(AccessLogEntry entry) {
    if (!entry.finish()) {
      return;
    }
    entry.writeTo(log);
    TraceSpan span = entry.trace;
    if (span != null) {
      span.end(entry); // hands the span to the exporter's queue: nothing blocks here
    }
    metrics.request(
        entry.destinationHost, entry.responseCode, entry.source.namespace(), entry.durationNanos());
    metrics.finished(entry);
  }

  /** A tunnel's upstream is connected and its bytes flow: counted as an open TCP connection. */
  public void tunnelOpened(AccessLogEntry entry) {
    metrics.tunnelOpened(entry);
  }
}
