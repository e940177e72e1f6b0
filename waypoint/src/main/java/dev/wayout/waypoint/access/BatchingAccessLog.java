package dev.wayout.waypoint.access;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes access-log lines to a stream from its own thread, in batches, like Envoy's file access log
 * (which flushes every second): the event loops only queue a line, and the writer wakes every flush
 * interval to write what has gathered with one system call. Waking the writer for each line would
 * cost a futex wake and a context switch per request, more than the request's own relaying.
 *
 * <p>Nothing is dropped: when the queue is full the writer is woken and the event loop waits for
 * room, so a stdout that cannot keep up slows the waypoint down rather than losing lines. {@link
 * #close()} writes everything queued before it returns. A line is never split across writes, so
 * other writers of the same stream interleave whole lines only.
 */
public final class BatchingAccessLog implements AccessLog, AutoCloseable {

  private static final int BUFFER_BYTES = 64 * 1024;

  private final BlockingQueue<byte[]> queue;
  private final OutputStream out;
  private final byte[] buffer = new byte[BUFFER_BYTES];
  private int count;
  private final long flushIntervalNanos;
  private final Thread writer;
  private volatile boolean closed;
  private boolean failed;

  private BatchingAccessLog(OutputStream out, int capacity, Duration flushInterval) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.out = out;
    this.flushIntervalNanos = Math.max(flushInterval.toNanos(), 1_000_000); // never a busy loop
    this.writer = new Thread(this::run, "wayout-access-log");
    writer.setDaemon(true);
  }

  /** Starts the writer thread. */
  public static BatchingAccessLog start(OutputStream out, int capacity, Duration flushInterval) {
    BatchingAccessLog log = new BatchingAccessLog(out, capacity, flushInterval);
    log.writer.start();
    return log;
  }

  @Override
  public void write(byte[] jsonLine) {
    if (queue.offer(jsonLine)) {
      return;
    }
    LockSupport.unpark(writer); // full: have the writer empty it now, not at its next interval
    try {
      while (!queue.offer(jsonLine, 10, TimeUnit.MILLISECONDS)) {
        if (!writer.isAlive()) {
          return; // closed: nothing will write it any more
        }
        LockSupport.unpark(writer);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    List<byte[]> batch = new ArrayList<>();
    while (true) {
      boolean closing = closed;
      queue.drainTo(batch);
      if (!batch.isEmpty()) {
        writeBatch(batch);
        batch.clear();
        continue; // more may have come in while writing
      }
      if (closing) {
        return;
      }
      LockSupport.parkNanos(this, flushIntervalNanos);
    }
  }

  private void writeBatch(List<byte[]> batch) {
    try {
      for (byte[] bytes : batch) {
        if (count + bytes.length + 1 > buffer.length) {
          flushBuffer();
        }
        if (bytes.length + 1 > buffer.length) {
          byte[] whole = Arrays.copyOf(bytes, bytes.length + 1); // one long line, one write
          whole[bytes.length] = '\n';
          out.write(whole);
          continue;
        }
        System.arraycopy(bytes, 0, buffer, count, bytes.length);
        count += bytes.length;
        buffer[count++] = '\n';
      }
      flushBuffer();
    } catch (IOException e) {
      // stdout is gone (a closed pipe): say so once, and keep draining so that no event loop
      // waits on the queue.
      if (!failed) {
        failed = true;
        System.err.println("wayout waypoint: the access log cannot be written: " + e.getMessage());
      }
    }
  }

  private void flushBuffer() throws IOException {
    if (count > 0) {
      int n = count;
      count = 0; // a failed write drops the batch rather than retrying it forever
      out.write(buffer, 0, n);
      out.flush();
    }
  }

  /** Writes every line queued so far, then stops the writer. */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
