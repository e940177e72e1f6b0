package dev.wayout.waypoint.trace;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.access.TraceSpan;
import io.opentelemetry.api.trace.Span;
import java.util.concurrent.TimeUnit;

/**
 * A recorded span of one request, ended when its access-log entry is written, with the entry's
 * timing: it starts at the request's first byte and lasts the entry's duration.
 */
final class RequestSpan implements TraceSpan {

  private final Span span;
  private final SpanAttributes attributes;

  RequestSpan(Span span, SpanAttributes attributes) {
    this.span = span;
    this.attributes = attributes;
  }

  @Override
  public void end(AccessLogEntry entry) {
    attributes.finish(span, entry);
    span.end(entry.startMillis * 1_000_000L + entry.durationNanos(), TimeUnit.NANOSECONDS);
  }
}
