package dev.wayout.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for tests: one the kernel just handed out, now closed again. */
public final class FreePorts {

  private FreePorts() {}

  /**
   * A port on 127.0.0.1 that nothing listens on right now: for a server a test starts itself (which
   * may race another process for it), or as an address that refuses connections.
   */
  public static int loopback() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
