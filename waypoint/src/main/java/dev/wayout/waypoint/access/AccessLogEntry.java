package dev.wayout.waypoint.access;

import dev.wayout.model.SourceIdentity;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One request (or one tunnel) as the access log records it, filled in by the handlers that learn
 * each part and written once as one JSON object with Istio's field names (DESIGN.md). Confined to
 * the connection's event loop.
 */
public final class AccessLogEntry {

  private static final JsonLine.Field AUTHORITY = JsonLine.Field.named("authority");
  private static final JsonLine.Field BYTES_RECEIVED = JsonLine.Field.named("bytes_received");
  private static final JsonLine.Field BYTES_SENT = JsonLine.Field.named("bytes_sent");
  private static final JsonLine.Field DURATION = JsonLine.Field.named("duration");
  private static final JsonLine.Field METHOD = JsonLine.Field.named("method");
  private static final JsonLine.Field PATH = JsonLine.Field.named("path");
  private static final JsonLine.Field PROTOCOL = JsonLine.Field.named("protocol");
  private static final JsonLine.Field REQUEST_ID = JsonLine.Field.named("request_id");
  private static final JsonLine.Field RESPONSE_CODE = JsonLine.Field.named("response_code");
  private static final JsonLine.Field RESPONSE_FLAGS = JsonLine.Field.named("response_flags");
  private static final JsonLine.Field ROUTE_NAME = JsonLine.Field.named("route_name");
  private static final JsonLine.Field START_TIME = JsonLine.Field.named("start_time");
  private static final JsonLine.Field TRACE_ID = JsonLine.Field.named("trace_id");
  private static final JsonLine.Field UPSTREAM_CLUSTER = JsonLine.Field.named("upstream_cluster");
  private static final JsonLine.Field UPSTREAM_HOST = JsonLine.Field.named("upstream_host");
  private static final JsonLine.Field USER_AGENT = JsonLine.Field.named("user_agent");
  private static final JsonLine.Field X_FORWARDED_FOR = JsonLine.Field.named("x_forwarded_for");
  private static final JsonLine.Field SOURCE_NAMESPACE = JsonLine.Field.named("source_namespace");
  private static final JsonLine.Field SOURCE_PRINCIPAL = JsonLine.Field.named("source_principal");
  private static final JsonLine.Field SOURCE_WORKLOAD = JsonLine.Field.named("source_workload");
  private static final JsonLine.Field SERVICE_ENTRY = JsonLine.Field.named("service_entry");
  private static final JsonLine.Field DOWNSTREAM_LOCAL_ADDRESS =
      JsonLine.Field.named("downstream_local_address");
  private static final JsonLine.Field DOWNSTREAM_REMOTE_ADDRESS =
      JsonLine.Field.named("downstream_remote_address");
  private static final JsonLine.Field REQUESTED_SERVER_NAME =
      JsonLine.Field.named("requested_server_name");
  private static final JsonLine.Field UPSTREAM_LOCAL_ADDRESS =
      JsonLine.Field.named("upstream_local_address");
  private static final JsonLine.Field UPSTREAM_SERVICE_TIME =
      JsonLine.Field.named("upstream_service_time");
  private static final JsonLine.Field UPSTREAM_TRANSPORT_FAILURE_REASON =
      JsonLine.Field.named("upstream_transport_failure_reason");

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

  /**
   * Who sent the request: from the client's IP when the connection opened, or (from a peer
   * waypoint) the original client's; the authorization policy, the log and the metrics read this.
   */
  public SourceIdentity source = SourceIdentity.UNKNOWN;

  public String serviceEntry;

  /** A tunnel (CONNECT, SNI) is logged when it closes, not when its response is written. */
  public boolean tunnel;

  /** A tunnel whose upstream connection was open (its closing is counted in Istio's metrics). */
  public boolean tunnelOpened;

  /** The request's recorded span, ended when the entry is written; null when not traced. */
  public TraceSpan trace;

  /** The ServiceEntry host that matched (metrics label); null when no route matched. */
  public String destinationHost;

  private boolean finished;

  /** When the entry was finished (System.nanoTime): its duration's end, taken once. */
  private long endNanos;

  /** True the first time only: an entry is written once, however its exchange ends. */
  public boolean finish() {
    if (finished) {
      return false;
    }
    finished = true;
    endNanos = System.nanoTime();
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
    return durationNanos() / 1_000_000;
  }

  /** From the request's first byte to the entry's finish (or to now, before it). */
  public long durationNanos() {
    return (finished ? endNanos : System.nanoTime()) - startNanos;
  }

  /** The JSON line as UTF-8 bytes, without a newline; {@code null} where Istio prints null. */
  public byte[] toJsonBytes() {
    return json().finish();
  }

  /** Writes the JSON line to {@code log}, from the thread's buffer (no copy of its own). */
  public void writeTo(AccessLog log) {
    json().finishInto(log);
  }

  private JsonLine json() {
    return JsonLine.start()
        .string(AUTHORITY, authority)
        .number(BYTES_RECEIVED, bytesReceived)
        .number(BYTES_SENT, bytesSent)
        .string(DOWNSTREAM_LOCAL_ADDRESS, downstreamLocal)
        .string(DOWNSTREAM_REMOTE_ADDRESS, downstreamRemote)
        .number(DURATION, durationMillis())
        .string(METHOD, method)
        .string(PATH, path)
        .string(PROTOCOL, protocol)
        .string(REQUEST_ID, requestId)
        .string(REQUESTED_SERVER_NAME, requestedServerName)
        .number(RESPONSE_CODE, responseCode)
        .string(RESPONSE_FLAGS, responseFlags())
        .string(ROUTE_NAME, routeName)
        .time(START_TIME, startMillis)
        .string(TRACE_ID, traceId)
        .string(UPSTREAM_CLUSTER, upstreamCluster)
        .string(UPSTREAM_HOST, upstreamHost)
        .string(UPSTREAM_LOCAL_ADDRESS, upstreamLocal)
        .string(
            UPSTREAM_SERVICE_TIME,
            upstreamServiceMillis < 0 ? null : Long.toString(upstreamServiceMillis))
        .string(UPSTREAM_TRANSPORT_FAILURE_REASON, upstreamTransportFailureReason)
        .string(USER_AGENT, userAgent)
        .string(X_FORWARDED_FOR, forwardedFor)
        .string(SOURCE_NAMESPACE, source.namespace())
        .string(SOURCE_PRINCIPAL, source.spiffeId())
        .string(SOURCE_WORKLOAD, source.workload())
        .string(SERVICE_ENTRY, serviceEntry);
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
