package dev.wayout.waypoint.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream on a plain socket at 127.0.0.1 that runs a script on each connection, for answers a
 * real server would not give: garbage, a close before or in the middle of a response, an early
 * response, an interim 100. Reads time out after 10 s so that no script blocks a test for long.
 */
public final class ScriptedUpstream implements AutoCloseable {

  /** What the upstream does with one accepted connection; the socket is closed after it. */
  public interface Script {
    void run(InputStream in, OutputStream out) throws Exception;
  }

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  public final AtomicInteger connections = new AtomicInteger();

  public ScriptedUpstream(Script script) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    threads.execute(
        () -> {
          while (!server.isClosed()) {
            Socket s;
            try {
              s = server.accept();
            } catch (IOException e) {
              return;
            }
            connections.incrementAndGet();
            open.add(s);
            threads.execute(() -> serve(s, script));
          }
        });
  }

  private void serve(Socket s, Script script) {
    try (s) {
      s.setSoTimeout(10_000);
      script.run(s.getInputStream(), s.getOutputStream());
    } catch (Exception e) {
      // the waypoint closed the connection, or the test is over
    } finally {
      open.remove(s);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Reads a request head up to the blank line; "" if the connection ends first. */
  public static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int c;
    while (head.size() < 65_536 && (c = in.read()) != -1) {
      head.write(c);
      if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return "";
  }

  /** Reads and drops everything up to the end of the connection; returns how many bytes. */
  public static long readToEnd(InputStream in) throws IOException {
    return in.transferTo(OutputStream.nullOutputStream());
  }

  public static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
    threads.shutdownNow();
    try {
      threads.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
