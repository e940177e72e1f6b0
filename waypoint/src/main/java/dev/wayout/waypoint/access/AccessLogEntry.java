package dev.wayout.waypoint.access;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

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

  public String responseFlags() {
    return responseFlags == null ? "-" : responseFlags;
  }

  public long durationMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** The JSON line; {@code null} where Istio prints null. */
  public String toJson() {
    StringBuilder b = new StringBuilder(1024); // lines run to 700 characters: never regrown
    b.append('{');
    field(b, "authority", authority).append(',');
    b.append("\"bytes_received\":").append(bytesReceived).append(',');
    b.append("\"bytes_sent\":").append(bytesSent).append(',');
    field(b, "downstream_local_address", downstreamLocal).append(',');
    field(b, "downstream_remote_address", downstreamRemote).append(',');
    b.append("\"duration\":").append(durationMillis()).append(',');
    field(b, "method", method).append(',');
    field(b, "path", path).append(',');
    field(b, "protocol", protocol).append(',');
    field(b, "request_id", requestId).append(',');
    field(b, "requested_server_name", requestedServerName).append(',');
    b.append("\"response_code\":").append(responseCode).append(',');
    field(b, "response_flags", responseFlags()).append(',');
    field(b, "route_name", routeName).append(',');
    b.append("\"start_time\":\"");
    Timestamps.appendIso(b, startMillis);
    b.append("\",");
    field(b, "trace_id", traceId).append(',');
    field(b, "upstream_cluster", upstreamCluster).append(',');
    field(b, "upstream_host", upstreamHost).append(',');
    field(b, "upstream_local_address", upstreamLocal).append(',');
    field(
            b,
            "upstream_service_time",
            upstreamServiceMillis < 0 ? null : Long.toString(upstreamServiceMillis))
        .append(',');
    field(b, "upstream_transport_failure_reason", upstreamTransportFailureReason).append(',');
    field(b, "user_agent", userAgent).append(',');
    field(b, "x_forwarded_for", forwardedFor).append(',');
    field(b, "source_namespace", sourceNamespace).append(',');
    field(b, "service_entry", serviceEntry);
    return b.append('}').toString();
  }

  /** "ip:port", "[v6]:port" as Envoy prints addresses; null for none. */
  public static String address(SocketAddress address) {
    if (address instanceof InetSocketAddress a && a.getAddress() != null) {
      String ip = a.getAddress().getHostAddress();
      return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }
    return address == null ? null : address.toString();
  }

  private static StringBuilder field(StringBuilder b, String name, String value) {
    b.append('"').append(name).append("\":");
    if (value == null) {
      return b.append("null");
    }
    b.append('"');
    int plain = plainPrefix(value);
    if (plain == value.length()) {
      return b.append(value).append('"'); // the common case: nothing to escape, one copy
    }
    b.append(value, 0, plain);
    for (int i = plain; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"');
  }

  /** How many leading characters need no escaping. */
  private static int plainPrefix(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f) {
        return i;
      }
    }
    return value.length();
  }
}
