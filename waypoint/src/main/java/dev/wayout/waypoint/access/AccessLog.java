package dev.wayout.waypoint.access;

/**
 * Where finished access-log lines go: {@link BatchingAccessLog} on stdout in the waypoint process;
 * tests pass their own to read the lines.
 */
@FunctionalInterface
public interface AccessLog {

  void write(String jsonLine);
}
