package dev.wayout.waypoint.http;

import dev.wayout.waypoint.routing.Mirror;
import dev.wayout.waypoint.routing.RetryPolicy;
import dev.wayout.waypoint.upstream.UpstreamConnection;
import dev.wayout.waypoint.upstream.UpstreamFailure;
import dev.wayout.waypoint.upstream.Upstreams;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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

  /** The VirtualService route's retries, or null; how many are left and were used. */
  private final RetryPolicy retry;

  private int retriesLeft;
  private int retriesUsed;

  /** Copies of this request to the route's mirrors, or null. */
  private List<MirrorCopy> mirrors;

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
    this.retry = r.plan() == null || r.plan().rule == null ? null : r.plan().rule.retries();
    this.retriesLeft = retry == null ? 0 : retry.attempts;
  }

  void start() {
    HttpRequest head = routed.request();
    HopByHop.strip(head.headers());
    head.setProtocolVersion(HttpVersion.HTTP_1_1);
    RoutePlan plan = routed.plan();
    if (plan != null) {
      if (plan.isLocal()) {
        answerLocally(plan);
        return;
      }
      for (Mirror m : plan.mirrors) {
        if (mirrors == null) {
          mirrors = new ArrayList<>(plan.mirrors.size());
        }
        mirrors.add(
            MirrorCopy.start(
                ctx.channel().eventLoop(),
                upstreams,
                m.target(),
                routed.host(),
                head,
                requestTimeout.toNanos()));
      }
      if (plan.delayNanos > 0) {
        ctx.executor()
            .schedule(
                () -> {
                  if (!ended) {
                    request.acquire(false);
                  }
                },
                plan.delayNanos,
                TimeUnit.NANOSECONDS);
        return;
      }
    }
    request.acquire(false);
  }

  /** A body part from the client, for the mirrors (each gets its own reference). */
  void mirrorContent(HttpContent content) {
    if (mirrors != null) {
      for (MirrorCopy m : mirrors) {
        m.content(content.retainedDuplicate());
      }
    }
  }

  /** The VirtualService answers instead of an upstream: redirect, direct response, abort, 404. */
  private void answerLocally(RoutePlan plan) {
    request.complete = routed.request() instanceof LastHttpContent;
    response.started = true;
    response.complete = true;
    ReferenceCountUtil.release(routed.request());
    ctx.writeAndFlush(RouteResponses.local(ctx.alloc(), plan)).addListener(response);
  }

  /** The per-try timeout of the route's retries, or 0. */
  long perTryTimeoutNanos() {
    return retry == null ? 0 : retry.perTryTimeoutNanos;
  }

  /**
   * Whether an upstream answer with this status is dropped for another try (the route's retries
   * cover it and some are left); on the last try it is relayed, flagged URX as Envoy does.
   */
  boolean retriesStatus(int status) {
    if (retry == null || !retry.retriesStatus(status)) {
      return false;
    }
    if (retry()) {
      return true;
    }
    if (retriesUsed > 0) {
      routed.log().flag("URX");
    }
    return false;
  }

  /**
   * Sends the request again after Envoy's jittered back-off (25 ms doubling), if the route retries,
   * tries are left, no response started and the request has no body. The failed try's connection is
   * closed.
   */
  private boolean retry() {
    if (retry == null || retriesLeft <= 0 || ended || response.started || !request.replayable()) {
      return false;
    }
    retriesLeft--;
    retriesUsed++;
    releaseUpstream(false, 0);
    response.resetForRetry();
    long base = TimeUnit.MILLISECONDS.toNanos(25) << Math.min(retriesUsed - 1, 3);
    long backoff = ThreadLocalRandom.current().nextLong(base);
    ctx.executor()
        .schedule(
            () -> {
              if (!ended) {
                request.acquire(false);
              }
            },
            backoff,
            TimeUnit.NANOSECONDS);
    return true;
  }

  /** The upstream connection closed or failed while it served this exchange. */
  void upstreamClosed(Throwable cause) {
    if (ended || response.complete) {
      return;
    }
    boolean wasReused = conn != null && conn.reused();
    if (retry != null && retry.retriesReset() && !response.started && retry()) {
      return;
    }
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

  /**
   * The request timeout (or the try's) passed (see {@link ResponseRelay#checkDeadline}).
   *
   * @param overall the exchange's whole timeout, not only the try's
   */
  void timedOut(boolean overall) {
    if (!overall && retry != null && retry.retriesTimeout() && retry()) {
      return;
    }
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
        "no response from "
            + routed.host()
            + " within "
            + (overall || retry == null
                ? requestTimeout.toMillis()
                : TimeUnit.NANOSECONDS.toMillis(retry.perTryTimeoutNanos))
            + " ms");
  }

  /** No upstream connection could be had. */
  void fail(Throwable cause) {
    UpstreamFailure u = UpstreamFailure.of(cause);
    if (retry != null && retry.retriesConnectFailure() && u.flag().startsWith("UF") && retry()) {
      return;
    }
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
