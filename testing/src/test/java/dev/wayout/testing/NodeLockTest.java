package dev.wayout.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NodeLockTest {

  @Test
  void aSecondRunWaitsForTheFirstAndGetsTheNodeWhenItIsDone() throws Exception {
    // a lock file of its own: a real node run elsewhere on the machine must not stall this test
    String path = Files.createTempFile("node-lock", ".lock").toString();
    try (NodeLock first = NodeLock.acquire(path, Duration.ofSeconds(30))) {
      assertThatThrownBy(() -> NodeLock.acquire(path, Duration.ofSeconds(2)))
          .hasMessageContaining("another test run has held the real node");
    }
    NodeLock.acquire(path, Duration.ofSeconds(30)).close();
    Files.deleteIfExists(Path.of(path));
  }
}
