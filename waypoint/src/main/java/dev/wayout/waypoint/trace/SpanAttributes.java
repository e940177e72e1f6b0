package dev.wayout.waypoint.trace;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.policy.Route;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/**
 * A span's name and tags as Envoy's HTTP connection manager and Istio set them: the name is the
 * route's decorator, {@code <host>:<port>/*} (Istio's {@code TraceOperation}); the tags are Envoy's
 * ({@code http.method}, {@code http.url}, {@code http.status_code}, {@code upstream_cluster} ...,
 * all strings as Envoy writes them) and Istio's custom tags ({@code istio.namespace}, {@code
 * istio.canonical_service} ...). {@code error} is set, and the status is an error, for a 5xx or no
 * response, as Envoy does.
 */
final class SpanAttributes {

  static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.method");
  static final AttributeKey<String> HTTP_URL = AttributeKey.stringKey("http.url");
  static final AttributeKey<String> HTTP_PROTOCOL = AttributeKey.stringKey("http.protocol");
  static final AttributeKey<String> HTTP_STATUS_CODE = AttributeKey.stringKey("http.status_code");
  static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("guid:x-request-id");
  static final AttributeKey<String> REQUEST_SIZE = AttributeKey.stringKey("request_size");
  static final AttributeKey<String> RESPONSE_SIZE = AttributeKey.stringKey("response_size");
  static final AttributeKey<String> RESPONSE_FLAGS = AttributeKey.stringKey("response_flags");
  static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("peer.address");
  static final AttributeKey<String> UPSTREAM_CLUSTER = AttributeKey.stringKey("upstream_cluster");
  static final AttributeKey<String> UPSTREAM_CLUSTER_NAME =
      AttributeKey.stringKey("upstream_cluster.name");
  static final AttributeKey<String> UPSTREAM_ADDRESS = AttributeKey.stringKey("upstream_address");
  static final AttributeKey<String> ERROR = AttributeKey.stringKey("error");

  private final Attributes constant;

  /**
   * @param nodeId the proxy's identity ({@code node_id})
   * @param namespace the waypoint's namespace
   * @param name the waypoint's name, its canonical service
   */
  SpanAttributes(String nodeId, String namespace, String name) {
    this.constant =
        Attributes.builder()
            .put("component", "proxy")
            .put("node_id", nodeId)
            .put("zone", "")
            .put("downstream_cluster", "-")
            .put("istio.canonical_service", name)
            .put("istio.canonical_revision", "latest")
            .put("istio.namespace", namespace)
            .put("istio.mesh_id", "cluster.local")
            .put("istio.cluster_id", "Kubernetes")
            .build();
  }

  /** Istio's operation name for a route: {@code api.example.com:80/*}. */
  static String name(Route route) {
    return route.host() + ":" + route.port().number() + "/*";
  }

  /** Sets the tags known once the request has ended. */
  void finish(Span span, AccessLogEntry e) {
    span.setAllAttributes(constant);
    put(span, HTTP_METHOD, e.method);
    put(span, HTTP_URL, e.authority == null ? null : "http://" + e.authority + e.path);
    put(span, HTTP_PROTOCOL, e.protocol);
    put(span, USER_AGENT, e.userAgent);
    put(span, REQUEST_ID, e.requestId);
    put(span, PEER_ADDRESS, e.downstreamRemote);
    put(span, UPSTREAM_CLUSTER, e.upstreamCluster);
    put(span, UPSTREAM_CLUSTER_NAME, e.upstreamCluster);
    put(span, UPSTREAM_ADDRESS, e.upstreamHost);
    span.setAttribute(REQUEST_SIZE, Long.toString(e.bytesReceived));
    span.setAttribute(RESPONSE_SIZE, Long.toString(e.bytesSent));
    span.setAttribute(RESPONSE_FLAGS, e.responseFlags());
    span.setAttribute(HTTP_STATUS_CODE, Integer.toString(e.responseCode));
    if (e.responseCode == 0 || e.responseCode >= 500) {
      span.setAttribute(ERROR, "true");
      span.setStatus(StatusCode.ERROR);
    }
  }

  private static void put(Span span, AttributeKey<String> key, String value) {
    if (value != null) {
      span.setAttribute(key, value);
    }
  }
}
