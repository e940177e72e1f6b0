package dev.wayout.waypoint.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class BatchingAccessLogTest {

  /** Records each write the writer thread makes, as the text it carried. */
  private static final class RecordingStream implements WritableByteChannel {
    final List<String> writes = new CopyOnWriteArrayList<>();
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public int write(ByteBuffer b) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      int n = b.remaining();
      byte[] bytes = new byte[n];
      b.get(bytes);
      writes.add(new String(bytes, StandardCharsets.UTF_8));
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}

    String all() {
      return String.join("", writes);
    }
  }

  private static void write(BatchingAccessLog log, String line) {
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    byte[] reused =
        Arrays.copyOf(bytes, bytes.length + 16); // a caller's buffer, longer than the line
    log.write(reused, bytes.length);
    Arrays.fill(reused, (byte) 'x'); // the caller reuses it at once
  }

  @Test
  void linesAreWrittenWithinTheFlushIntervalAndInOrder() {
    RecordingStream out = new RecordingStream();
    BatchingAccessLog log = BatchingAccessLog.start(out, 1 << 20, Duration.ofMillis(20));
    write(log, "{\"n\":1}");
    write(log, "{\"n\":2}");
    await().atMost(Duration.ofSeconds(2)).until(() -> out.all().equals("{\"n\":1}\n{\"n\":2}\n"));
    log.close();
  }

  @Test
  void anIdleWriterSleepsUntilALineComesThenWritesItWithinTheInterval() {
    RecordingStream out = new RecordingStream();
    BatchingAccessLog log = BatchingAccessLog.start(out, 1 << 20, Duration.ofMillis(5));
    write(log, "{\"n\":1}");
    await().atMost(Duration.ofSeconds(2)).until(() -> out.all().equals("{\"n\":1}\n"));
    // No line for an interval: parked without a deadline, not waking every 5 ms.
    await().atMost(Duration.ofSeconds(2)).until(() -> log.writerState() == Thread.State.WAITING);

    write(log, "{\"n\":2}");
    await().atMost(Duration.ofSeconds(2)).until(() -> out.all().equals("{\"n\":1}\n{\"n\":2}\n"));
    log.close();
  }

  @Test
  void linesThatCameTogetherGoOutInOneWrite() throws Exception {
    RecordingStream out = new RecordingStream();
    BatchingAccessLog log = BatchingAccessLog.start(out, 1 << 20, Duration.ofMillis(200));
    Thread.sleep(50); // the writer is parked now
    for (int i = 0; i < 500; i++) {
      write(log, "{\"n\":" + i + "}");
    }
    log.close();
    assertThat(out.all().lines()).hasSize(500);
    assertThat(out.writes).hasSizeLessThan(5);
  }

  @Test
  void aFullQueueMakesWritersWaitAndNothingIsLost() throws Exception {
    RecordingStream out = new RecordingStream();
    out.gate = new CountDownLatch(1); // stdout is stuck
    BatchingAccessLog log =
        BatchingAccessLog.start(out, BatchingAccessLog.BLOCK_BYTES, Duration.ofMillis(5));
    List<Thread> loops = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int loop = t;
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  write(log, "{\"loop\":" + loop + ",\"n\":" + i + "}");
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
    assertThat(lines).hasSize(20_000);
    Set<String> distinct = new HashSet<>(lines);
    assertThat(distinct).hasSize(20_000).contains("{\"loop\":1,\"n\":9999}");
  }

  @Test
  void aLineLongerThanABlockIsWrittenWholeAndInItsPlace() {
    RecordingStream out = new RecordingStream();
    BatchingAccessLog log = BatchingAccessLog.start(out, 1 << 20, Duration.ofHours(1));
    String longLine = "{\"path\":\"" + "p".repeat(BatchingAccessLog.BLOCK_BYTES * 2) + "\"}";
    write(log, "{\"n\":1}");
    write(log, longLine);
    write(log, "{\"n\":3}");
    log.close();
    assertThat(out.all().lines()).containsExactly("{\"n\":1}", longLine, "{\"n\":3}");
    assertThat(out.writes).allMatch(w -> w.endsWith("\n")); // never a line split across writes
  }

  @Test
  void closeWritesWhatIsStillQueued() {
    RecordingStream out = new RecordingStream();
    BatchingAccessLog log = BatchingAccessLog.start(out, 1 << 20, Duration.ofHours(1));
    write(log, "{\"last\":true}");
    log.close();
    assertThat(out.all()).isEqualTo("{\"last\":true}\n");
  }

  @Test
  void linesLostToAFullDiskAreCountedAndWritingResumes() throws Exception {
    RecordingStream recorded = new RecordingStream();
    try (FileChannel full = new FileOutputStream("/dev/full").getChannel()) {
      AtomicBoolean diskFull = new AtomicBoolean(true);
      WritableByteChannel stdout =
          new WritableByteChannel() {
            @Override
            public int write(ByteBuffer b) throws IOException {
              return diskFull.get() ? full.write(b) : recorded.write(b); // ENOSPC, then space
            }

            @Override
            public boolean isOpen() {
              return true;
            }

            @Override
            public void close() {}
          };
      BatchingAccessLog log = BatchingAccessLog.start(stdout, 1 << 20, Duration.ofMillis(5));
      write(log, "{\"n\":1}");
      write(log, "{\"n\":2}");
      write(log, "{\"n\":3}");
      await().atMost(Duration.ofSeconds(2)).until(() -> log.linesLost() == 3);

      diskFull.set(false);
      write(log, "{\"n\":4}");
      log.close();
      assertThat(recorded.all()).isEqualTo("{\"n\":4}\n");
      assertThat(log.linesLost()).isEqualTo(3);
    }
  }

  @Test
  @Timeout(10) // a writer left waiting on the queue would hang here
  void aBrokenStdoutNeverBlocksTheWriters() {
    WritableByteChannel broken =
        new WritableByteChannel() {
          @Override
          public int write(ByteBuffer b) throws IOException {
            throw new IOException("Broken pipe");
          }

          @Override
          public boolean isOpen() {
            return false;
          }

          @Override
          public void close() {}
        };
    BatchingAccessLog log =
        BatchingAccessLog.start(broken, BatchingAccessLog.BLOCK_BYTES, Duration.ofMillis(5));
    for (int i = 0; i < 50_000; i++) {
      write(log, "{\"n\":" + i + "}");
    }
    log.close();
    assertThat(log.linesLost()).isEqualTo(50_000); // each one counted, none silently gone
  }
}
