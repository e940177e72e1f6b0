package dev.wayout.waypoint.access;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One request (or one tunnel) as the access log records it, filled in by the handlers that learn
 * each part and written once as one JSON object with Istio's field names (DESIGN.md). Confined to
 * the connection's event loop.
 */
public final class AccessLogEntry {

  public final long startMillis = System.currentTimeMillis();
  public final long startNanos = System.nanoTime();
  public String authority;
  public long bytesReceived;
  public long bytesSent;

  /** Addresses as "ip:port" text (see {@link #address}); connections compute them once. */
  public String downstreamLocal;

  public String downstreamRemote;
  public String method;
  public String path;
  public String protocol;
  public String requestId;
  public String requestedServerName;
  public int responseCode;
  private String responseFlags;
  public String routeName;
  public String traceId;
  public String upstreamCluster;
  public String upstreamHost;
  public String upstreamLocal;
  public long upstreamServiceMillis = -1;
  public String upstreamTransportFailureReason;
  public String userAgent;
  public String forwardedFor;
  public String sourceNamespace;
  public String serviceEntry;

  /** A tunnel (CONNECT, SNI) is logged when it closes, not when its response is written. */
  public boolean tunnel;

  /** The ServiceEntry host that matched (metrics label); null when no route matched. */
  public String destinationHost;

  private boolean finished;

  /** True the first time only: an entry is written once, however its exchange ends. */
  public boolean finish() {
    if (finished) {
      return false;
    }
    finished = true;
    return true;
  }

  /** Adds an Envoy response flag such as NR, UF, UT, URX, DC, UO (comma-separated, like Envoy). */
  public void flag(String flag) {
    if (responseFlags == null) {
      responseFlags = flag;
    } else if (!(',' + responseFlags + ',').contains(',' + flag + ',')) {
      responseFlags = responseFlags + ',' + flag;
    }
  }

  public boolean hasFlags() {
    return responseFlags != null;
  }

  public String responseFlags() {
    return responseFlags == null ? "-" : responseFlags;
  }

  public long durationMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** The JSON line as UTF-8 bytes, without a newline; {@code null} where Istio prints null. */
  public byte[] toJsonBytes() {
    return JsonLine.start()
        .string("authority", authority)
        .number("bytes_received", bytesReceived)
        .number("bytes_sent", bytesSent)
        .string("downstream_local_address", downstreamLocal)
        .string("downstream_remote_address", downstreamRemote)
        .number("duration", durationMillis())
        .string("method", method)
        .string("path", path)
        .string("protocol", protocol)
        .string("request_id", requestId)
        .string("requested_server_name", requestedServerName)
        .number("response_code", responseCode)
        .string("response_flags", responseFlags())
        .string("route_name", routeName)
        .time("start_time", startMillis)
        .string("trace_id", traceId)
        .string("upstream_cluster", upstreamCluster)
        .string("upstream_host", upstreamHost)
        .string("upstream_local_address", upstreamLocal)
        .string(
            "upstream_service_time",
            upstreamServiceMillis < 0 ? null : Long.toString(upstreamServiceMillis))
        .string("upstream_transport_failure_reason", upstreamTransportFailureReason)
        .string("user_agent", userAgent)
        .string("x_forwarded_for", forwardedFor)
        .string("source_namespace", sourceNamespace)
        .string("service_entry", serviceEntry)
        .finish();
  }

  /** The JSON line as text. */
  public String toJson() {
    return new String(toJsonBytes(), StandardCharsets.UTF_8);
  }

  /** "ip:port", "[v6]:port" as Envoy prints addresses; null for none. */
  public static String address(SocketAddress address) {
    if (address instanceof InetSocketAddress a && a.getAddress() != null) {
      String ip = a.getAddress().getHostAddress();
      return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }
    return address == null ? null : address.toString();
  }
}
