package dev.wayout.waypoint.upstream;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.policy.Route;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;

/**
 * Why no upstream connection could be had: the status to answer, Envoy's response flag for the
 * access log, and the reason ({@code upstream_transport_failure_reason}). Carries no stack trace:
 * it is an expected outcome, not a bug.
 */
public final class UpstreamFailure extends Exception {

  private final HttpResponseStatus status;
  private final String flag;

  public UpstreamFailure(HttpResponseStatus status, String flag, String reason) {
    super(reason, null, false, false);
    this.status = status;
    this.flag = flag;
  }

  /** The failure itself, or an unexpected error as 503 with flag UF and its message. */
  public static UpstreamFailure of(Throwable cause) {
    return cause instanceof UpstreamFailure u
        ? u
        : new UpstreamFailure(
            HttpResponseStatus.SERVICE_UNAVAILABLE, "UF", String.valueOf(cause.getMessage()));
  }

  /**
   * What the client is told when the upstream failed before a response started: the status, the
   * route (host:port and ServiceEntry) and why, e.g. "503 for api.example.com:443 (shop/api): ...".
   */
  public static String answer(HttpResponseStatus status, String host, Route route, String reason) {
    return status.code()
        + " for "
        + host
        + ":"
        + route.port().number()
        + " ("
        + route.serviceEntryName()
        + "): "
        + reason;
  }

  /**
   * A connect that failed: 503 with UF, and URX when it was already the retry. The reason reads
   * "connect to 192.0.2.7:443 failed: Connection refused": the address as the access log prints it,
   * and the system's reason without Netty's "connect(..) failed:" and address around it.
   */
  public static UpstreamFailure connectFailed(
      InetSocketAddress target, Throwable cause, boolean retried) {
    return new UpstreamFailure(
        HttpResponseStatus.SERVICE_UNAVAILABLE,
        retried ? "UF,URX" : "UF",
        "connect to " + AccessLogEntry.address(target) + " failed: " + why(target, cause));
  }

  private static String why(InetSocketAddress target, Throwable cause) {
    String why = String.valueOf(cause.getMessage());
    String annotation = ": " + target; // Netty's AnnotatedConnectException appends the address
    if (why.endsWith(annotation)) {
      why = why.substring(0, why.length() - annotation.length());
    }
    // "connect(..) failed: Connection refused" (epoll), "io_uring connect(..) failed with
    // error(-111): Connection refused": the system's words are after the last colon.
    int colon = why.lastIndexOf(": ");
    return why.contains("connect(..)") && colon >= 0 ? why.substring(colon + 2) : why;
  }

  public HttpResponseStatus status() {
    return status;
  }

  public String flag() {
    return flag;
  }

  public String reason() {
    return getMessage();
  }
}
