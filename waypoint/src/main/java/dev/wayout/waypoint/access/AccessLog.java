package dev.wayout.waypoint.access;

/**
 * Where finished access-log lines go: {@link BatchingAccessLog} on stdout in the waypoint process;
 * tests pass their own to read the lines.
 */
@FunctionalInterface
public interface AccessLog {

  /**
   * @param line a buffer whose first {@code length} bytes are one JSON object in UTF-8, without the
   *     newline; the buffer is the caller's and is reused once this returns, so the callee copies
   *     what it keeps
   */
  void write(byte[] line, int length);

  /** Lines that could not be written (stdout failing, a full disk); 0 where none can be lost. */
  default long linesLost() {
    return 0;
  }
}
