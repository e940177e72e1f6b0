package dev.wayout.waypoint.access;

/**
 * Where finished access-log lines go: {@link BatchingAccessLog} on stdout in the waypoint process;
 * tests pass their own to read the lines.
 */
@FunctionalInterface
public interface AccessLog {

  /**
   * @param jsonLine one JSON object in UTF-8, without the newline; the callee may keep the array
   */
  void write(byte[] jsonLine);
}
