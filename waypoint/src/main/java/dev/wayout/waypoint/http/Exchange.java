package dev.wayout.waypoint.http;

import dev.wayout.waypoint.upstream.UpstreamConnection;
import dev.wayout.waypoint.upstream.UpstreamFailure;
import dev.wayout.waypoint.upstream.Upstreams;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;

/**
 * One request relayed to its upstream and its response relayed back, on one event loop. Reads are
 * explicit (AUTO_READ is off on both sides); {@link RequestRelay} and {@link ResponseRelay} move
 * the two directions, this class holds what they share (the upstream connection, whether the
 * exchange is over) and decides how it ends: a failure before the response starts becomes the
 * waypoint's own answer with Envoy's flag; one after it closes the client.
 */
final class Exchange {

  final UpstreamHandler handler;
  final RoutedRequest routed;
  private final ChannelHandlerContext ctx;
  final Upstreams upstreams;
  private final Duration requestTimeout;
  final RequestRelay request;
  final ResponseRelay response;

  /** The upstream connection while it serves this exchange. */
  UpstreamConnection conn;

  /** Nothing more to relay: the response is written and the request read, or the client left. */
  boolean ended;

  Exchange(
      UpstreamHandler handler,
      ChannelHandlerContext ctx,
      Upstreams upstreams,
      RoutedRequest r,
      Duration requestTimeout) {
    this.handler = handler;
    this.routed = r;
    this.ctx = ctx;
    this.upstreams = upstreams;
    this.requestTimeout = requestTimeout;
    this.request = new RequestRelay(this, ctx, upstreams);
    this.response = new ResponseRelay(this, ctx, requestTimeout);
  }

  void start() {
    HttpRequest head = routed.request();
    HopByHop.strip(head.headers());
    head.setProtocolVersion(HttpVersion.HTTP_1_1);
    request.acquire(false);
  }

  /** The upstream connection closed or failed while it served this exchange. */
  void upstreamClosed(Throwable cause) {
    if (ended || response.complete) {
      return;
    }
    boolean wasReused = conn != null && conn.reused();
    UpstreamConnection closed = conn;
    conn = null;
    response.cancelDeadline();
    if (request.retry(wasReused, response.started)) {
      return;
    }
    if (closed != null && !wasReused) {
      upstreams.failedLocally(closed, 503); // a reset, as Envoy counts it
    }
    routed.log().flag("UC");
    failOrClose(
        HttpResponseStatus.BAD_GATEWAY,
        "the upstream closed the connection before the response was complete"
            + (cause == null ? "" : ": " + cause.getMessage()));
  }

  /** The upstream's response could not be decoded. */
  void upstreamInvalid(Throwable cause) {
    routed.log().flag("UPE");
    releaseUpstream(false, 0);
    failOrClose(
        HttpResponseStatus.BAD_GATEWAY,
        "the upstream's response was not valid HTTP/1.1: " + cause.getMessage());
  }

  /** The request timeout passed (see {@link ResponseRelay#checkDeadline}). */
  void timedOut() {
    if (ended || response.started) {
      if (!ended && !response.complete) {
        routed.log().flag("UT");
        abandon();
        ctx.close();
      }
      return;
    }
    routed.log().flag("UT");
    if (conn != null) {
      upstreams.failedLocally(conn, 504);
    }
    releaseUpstream(false, 0);
    failOrClose(
        HttpResponseStatus.GATEWAY_TIMEOUT,
        "no response from " + routed.host() + " within " + requestTimeout.toMillis() + " ms");
  }

  /** No upstream connection could be had. */
  void fail(Throwable cause) {
    UpstreamFailure u = UpstreamFailure.of(cause);
    for (String flag : u.flag().split(",")) {
      routed.log().flag(flag);
    }
    failOrClose(u.status(), u.reason());
  }

  /** Answers with the waypoint's own response if none has started, else closes the client. */
  void failOrClose(HttpResponseStatus status, String reason) {
    routed.log().upstreamTransportFailureReason = reason;
    if (response.started) {
      abandon();
      ctx.close();
      return;
    }
    response.started = true;
    response.complete = true;
    ctx.writeAndFlush(
            Responses.upstreamFailure(ctx.alloc(), status, routed.host(), routed.route(), reason))
        .addListener(response);
  }

  /** The response's end (its last part or the waypoint's answer) was written, or failed to be. */
  void responseWritten(boolean success) {
    request.end();
    if (!success) {
      ended = true;
      ctx.close();
    } else if (request.complete) {
      ended = true;
      handler.finished(this);
    } else {
      // The response came before the request's body was read: drain it, within limits.
      request.drain();
    }
  }

  /** This exchange is done with its upstream connection (if any); it is closed unless reusable. */
  void releaseUpstream(boolean reusable, int maxRequestsPerConnection) {
    UpstreamConnection c = conn;
    conn = null;
    if (c != null) {
      upstreams.release(c, reusable, maxRequestsPerConnection);
    }
  }

  /** The client went away or sent something refused: the upstream connection cannot be reused. */
  void abandon() {
    request.end();
    ended = true;
    response.cancelDeadline();
    releaseUpstream(false, 0);
  }
}
