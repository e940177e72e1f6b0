package dev.wayout.waypoint.access;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where finished access-log lines go. The waypoint's is the SLF4J logger {@code wayout.access} (app
 * sends it to stdout, one JSON object a line); tests pass their own to read the lines.
 */
@FunctionalInterface
public interface AccessLog {

  void write(String jsonLine);

  /**
   * The logger {@code wayout.access}; its appender decides where and how fast lines are written.
   */
  static AccessLog slf4j() {
    Logger logger = LoggerFactory.getLogger("wayout.access");
    return logger::info;
  }
}
