package dev.wayout.waypoint.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BatchingAccessLogTest {

  /** Records each write the writer thread makes, as the text it carried. */
  private static final class RecordingStream extends OutputStream {
    final List<String> writes = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      current.write(b, off, len);
      writes.add(current.toString(StandardCharsets.UTF_8));
      current.reset();
    }

    String all() {
      return String.join("", writes);
    }
  }

  private static byte[] bytes(String line) {
    return line.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void linesAreWrittenWithinTheFlushIntervalAndInOrder() {
    RecordingStream out = new RecordingStream();
    BatchingAccessLog log = BatchingAccessLog.start(out, 100, Duration.ofMillis(20));
    log.write(bytes("{\"n\":1}"));
    log.write(bytes("{\"n\":2}"));
    await().atMost(Duration.ofSeconds(2)).until(() -> out.all().equals("{\"n\":1}\n{\"n\":2}\n"));
    log.close();
  }

  @Test
  void linesThatCameTogetherGoOutInOneWrite() throws Exception {
    RecordingStream out = new RecordingStream();
    BatchingAccessLog log = BatchingAccessLog.start(out, 1000, Duration.ofMillis(200));
    Thread.sleep(50); // the writer is parked now
    for (int i = 0; i < 500; i++) {
      log.write(bytes("{\"n\":" + i + "}"));
    }
    log.close();
    assertThat(out.all().lines()).hasSize(500);
    assertThat(out.writes).hasSizeLessThan(5);
  }

  @Test
  void aFullQueueMakesWritersWaitAndNothingIsLost() throws Exception {
    RecordingStream out = new RecordingStream();
    out.gate = new CountDownLatch(1); // stdout is stuck
    BatchingAccessLog log = BatchingAccessLog.start(out, 8, Duration.ofMillis(5));
    List<Thread> loops = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int loop = t;
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 2_000; i++) {
                  log.write(bytes("{\"loop\":" + loop + ",\"n\":" + i + "}"));
                }
              });
      thread.start();
      loops.add(thread);
    }
    Thread.sleep(200);
    assertThat(loops).allMatch(Thread::isAlive); // held back by the full queue, not dropping
    out.gate.countDown();
    for (Thread thread : loops) {
      thread.join(10_000);
    }
    log.close();

    List<String> lines = out.all().lines().toList();
    assertThat(lines).hasSize(4_000);
    Set<String> distinct = new HashSet<>(lines);
    assertThat(distinct).hasSize(4_000).contains("{\"loop\":1,\"n\":1999}");
  }

  @Test
  void closeWritesWhatIsStillQueued() {
    RecordingStream out = new RecordingStream();
    BatchingAccessLog log = BatchingAccessLog.start(out, 100, Duration.ofHours(1));
    log.write(bytes("{\"last\":true}"));
    log.close();
    assertThat(out.all()).isEqualTo("{\"last\":true}\n");
  }

  @Test
  @Timeout(10) // a writer left waiting on the queue would hang here
  void aBrokenStdoutNeverBlocksTheWriters() {
    OutputStream broken =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("Broken pipe");
          }
        };
    BatchingAccessLog log = BatchingAccessLog.start(broken, 4, Duration.ofMillis(5));
    for (int i = 0; i < 1_000; i++) {
      log.write(bytes("{\"n\":" + i + "}"));
    }
    log.close();
  }
}
