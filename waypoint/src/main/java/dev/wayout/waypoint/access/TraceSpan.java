package dev.wayout.waypoint.access;

/**
 * A request's span in a trace, ended with the request's outcome when its entry is written (see
 * {@link AccessLogWriter}); null on an entry whose request is not traced.
 */
public interface TraceSpan {

  void end(AccessLogEntry entry);
}
