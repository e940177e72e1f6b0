package dev.wayout.waypoint.access;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes access-log lines to a stream from its own thread, in batches: the event loops only append
 * a line to a block of memory, and the writer wakes every flush interval (or when blocks pile up)
 * to write what has gathered with one system call per block. Waking the writer for each line would
 * cost a futex wake and a context switch per request, more than the request's own relaying.
 *
 * <p>The interval is short (a few milliseconds) because a long one makes bursts: at 30,000 requests
 * a second, 100 ms of lines is 1.3 MB, and writing that at once took a core from the event loop and
 * the clients for long enough to triple the waypoint's p99 (bench/waypoint). When a whole interval
 * passes without a line, the writer sleeps until the next line wakes it, so an idle waypoint does
 * not wake every few milliseconds.
 *
 * <p>Lines are copied into reused 64 KiB blocks of direct memory rather than kept as an array each:
 * a line was about a fifth of the garbage a request leaves, and lines waiting for the writer were
 * most of what a young collection had to copy. Off the heap, the collector neither copies nor scans
 * them, and the writer hands them to the kernel without another copy.
 *
 * <p>Nothing is dropped: when the blocks waiting for the writer reach the limit, the writer is
 * woken and the event loop waits for room, so a stdout that cannot keep up slows the waypoint down
 * rather than losing lines. {@link #close()} writes everything appended before it returns. A line
 * is never split across writes, so other writers of the same stream interleave whole lines only.
 * Only a stdout that fails (a closed pipe, a full disk) loses lines: they are counted ({@link
 * #linesLost()}), and stderr says when the losses start and when writing works again.
 */
public final class BatchingAccessLog implements AccessLog, AutoCloseable {

  static final int BLOCK_BYTES = 64 * 1024;

  /** Blocks kept for reuse: 4 MiB, a flush interval's worth at about 60,000 requests a second. */
  private static final int SPARE_BLOCKS = 64;

  private final WritableByteChannel out;
  private final long flushIntervalNanos;
  private final int maxWaitingBlocks;
  private final Thread writer;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition room = lock.newCondition();

  // Guarded by lock.
  private final ArrayDeque<ByteBuffer> waiting = new ArrayDeque<>();
  private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>();
  private ByteBuffer current = ByteBuffer.allocateDirect(BLOCK_BYTES);

  private volatile boolean closed;

  /** The writer is parked until a line comes, not for an interval; set and cleared under lock. */
  private volatile boolean writerIdle;

  // Written by the writer thread only.
  private volatile long linesLost;
  private long lostSinceLastWrite;

  private BatchingAccessLog(WritableByteChannel out, int maxWaitingBytes, Duration flushInterval) {
    this.out = out;
    this.maxWaitingBlocks = Math.max(1, maxWaitingBytes / BLOCK_BYTES);
    this.flushIntervalNanos = Math.max(flushInterval.toNanos(), 1_000_000); // never a busy loop
    this.writer = new Thread(this::run, "wayout-access-log");
    writer.setDaemon(true);
  }

  /**
   * Starts the writer thread.
   *
   * @param maxWaitingBytes how much may wait for the writer before event loops wait (at least one
   *     block)
   */
  public static BatchingAccessLog start(
      WritableByteChannel out, int maxWaitingBytes, Duration flushInterval) {
    BatchingAccessLog log = new BatchingAccessLog(out, maxWaitingBytes, flushInterval);
    log.writer.start();
    return log;
  }

  @Override
  public void write(byte[] line, int length) {
    boolean wakeWriter;
    lock.lock();
    try {
      if (current.remaining() < length + 1) {
        handOver(length + 1);
      }
      current.put(line, 0, length).put((byte) '\n');
      wakeWriter = writerIdle;
      if (wakeWriter) {
        writerIdle = false; // a volatile store only once per idle spell, not per line
      }
    } finally {
      lock.unlock();
    }
    if (wakeWriter) {
      LockSupport.unpark(writer);
    }
  }

  /** Queues the current block for the writer and starts another with room for {@code needed}. */
  private void handOver(int needed) {
    while (waiting.size() >= maxWaitingBlocks && writer.isAlive()) {
      LockSupport.unpark(writer); // have the writer empty the queue now, not at its interval
      try {
        room.awaitNanos(TimeUnit.MILLISECONDS.toNanos(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break; // the line is kept all the same
      }
    }
    if (current.position() > 0) {
      waiting.add(current.flip());
      if (waiting.size() * 2 >= maxWaitingBlocks) {
        LockSupport.unpark(writer); // filling up: write before the interval is over
      }
    } else if (current.isDirect()) {
      spare.add(current); // empty, set aside for a line longer than a block
    }
    current = needed <= BLOCK_BYTES ? nextBlock() : ByteBuffer.allocate(needed); // a long line
  }

  private ByteBuffer nextBlock() {
    ByteBuffer next = spare.poll();
    return next != null ? next : ByteBuffer.allocateDirect(BLOCK_BYTES);
  }

  private void run() {
    List<ByteBuffer> batch = new ArrayList<>();
    while (true) {
      boolean closing = closed;
      takeAll(batch);
      if (!batch.isEmpty()) {
        writeAll(batch);
        batch.clear();
        if (closing) {
          continue; // until nothing is left
        }
      } else if (closing) {
        return;
      } else {
        sleepUntilALineComes();
        if (closed) {
          continue;
        }
      }
      LockSupport.parkNanos(this, flushIntervalNanos); // let the next batch gather
    }
  }

  /** Parks without a deadline while nothing is appended; {@link #write} or close wakes it. */
  private void sleepUntilALineComes() {
    lock.lock();
    try {
      writerIdle = current.position() == 0 && waiting.isEmpty();
    } finally {
      lock.unlock();
    }
    while (!closed && writerIdle) {
      LockSupport.park(this);
    }
  }

  /** Takes the waiting blocks and the current one, whatever it holds. */
  private void takeAll(List<ByteBuffer> batch) {
    lock.lock();
    try {
      batch.addAll(waiting);
      waiting.clear();
      if (current.position() > 0) {
        batch.add(current.flip());
        current = nextBlock();
      }
      room.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void writeAll(List<ByteBuffer> batch) {
    for (ByteBuffer block : batch) {
      writeBlock(block);
    }
    lock.lock();
    try {
      for (ByteBuffer block : batch) {
        if (block.isDirect() && spare.size() < SPARE_BLOCKS) {
          spare.add(block.clear());
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes one block whole. If stdout fails, the lines not yet written are counted as lost and the
   * writer goes on taking blocks, so that no event loop waits for room; each later block is tried
   * again, so writing resumes once stdout can take it (a disk with space again).
   */
  private void writeBlock(ByteBuffer block) {
    try {
      while (block.hasRemaining()) {
        out.write(block);
      }
      if (lostSinceLastWrite > 0) {
        System.err.println(
            "wayout waypoint: the access log is written again; "
                + lostSinceLastWrite
                + " lines were lost while it could not be");
        lostSinceLastWrite = 0;
      }
    } catch (IOException e) {
      long lost = newlines(block);
      if (lostSinceLastWrite == 0) {
        System.err.println(
            "wayout waypoint: the access log cannot be written ("
                + e.getMessage()
                + "); its lines are lost until it can, counted in"
                + " wayout_waypoint_access_log_lines_lost_total");
      }
      lostSinceLastWrite += lost;
      linesLost += lost;
    }
  }

  /** The lines left in a block: one newline ends each, also the one a partial write cut. */
  private static long newlines(ByteBuffer block) {
    long count = 0;
    for (int i = block.position(); i < block.limit(); i++) {
      if (block.get(i) == '\n') {
        count++;
      }
    }
    return count;
  }

  /** What the writer thread is doing: WAITING while idle, TIMED_WAITING while lines gather. */
  Thread.State writerState() {
    return writer.getState();
  }

  @Override
  public long linesLost() {
    return linesLost;
  }

  /** Writes every line appended so far, then stops the writer. */
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
