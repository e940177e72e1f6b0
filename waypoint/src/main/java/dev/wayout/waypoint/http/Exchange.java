package dev.wayout.waypoint.http;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.policy.Route;
import dev.wayout.waypoint.upstream.UpstreamConnection;
import dev.wayout.waypoint.upstream.UpstreamFailure;
import dev.wayout.waypoint.upstream.UpstreamListener;
import dev.wayout.waypoint.upstream.Upstreams;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.time.Duration;

/**
 * One request relayed to its upstream and its response relayed back, on one event loop. Reads are
 * explicit (AUTO_READ is off on both sides): the next body part of the request is read once the
 * upstream can take it, the next response part once the client can. A failure before the response
 * starts becomes the waypoint's own answer with Envoy's flag; one after it closes the client.
 */
final class Exchange implements UpstreamListener {

  private static final int MAX_DRAINED_BODY = 64 * 1024;

  private final UpstreamHandler handler;
  private final ChannelHandlerContext ctx;
  private final Upstreams upstreams;
  private final HttpRequest request;
  private final Route route;
  private final String host;
  private final AccessLogEntry log;
  private final Duration requestTimeout;
  private final boolean idempotent;

  private UpstreamConnection conn;
  private boolean requestComplete;
  private long requestBodyBytes;
  private boolean responseStarted;
  private boolean responseComplete;
  private boolean keepUpstream;
  private boolean retried;
  private boolean ended;
  private boolean draining;
  private int drained;
  private boolean awaitingUpstreamWritable;
  private boolean awaitingDownstreamWritable;
  private long sentNanos;

  /** When the response's head must have arrived (System.nanoTime), or 0 when not waiting. */
  private long deadline;

  Exchange(
      UpstreamHandler handler,
      ChannelHandlerContext ctx,
      Upstreams upstreams,
      RoutedRequest r,
      Duration requestTimeout) {
    this.handler = handler;
    this.ctx = ctx;
    this.upstreams = upstreams;
    this.request = r.request();
    this.route = r.route();
    this.host = r.host();
    this.log = r.log();
    this.requestTimeout = requestTimeout;
    HttpMethod m = request.method();
    this.idempotent =
        m == HttpMethod.GET
            || m == HttpMethod.HEAD
            || m == HttpMethod.OPTIONS
            || m == HttpMethod.PUT
            || m == HttpMethod.DELETE
            || m == HttpMethod.TRACE;
  }

  void start() {
    HopByHop.strip(request.headers());
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    acquire(false);
  }

  private void acquire(boolean fresh) {
    upstreams
        .acquire(ctx.channel().eventLoop(), route, host, idempotent, fresh)
        .addListener(this::acquired);
  }

  private void acquired(Future<? super UpstreamConnection> f) {
    if (!f.isSuccess()) {
      if (!ended) {
        fail(f.cause());
      }
      return;
    }
    UpstreamConnection c = (UpstreamConnection) f.getNow();
    if (ended) {
      upstreams.release(c, true, 0); // never used: still good for the next request
      return;
    }
    conn = c;
    c.bind(this);
    Channel up = c.channel();
    log.upstreamHost = c.remoteText();
    log.upstreamLocal = c.localText();
    up.write(request);
    if (requestComplete) {
      // A retry: the whole (bodyless) request is known already.
      up.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      requestSent();
      return;
    }
    ctx.read();
    if (!requestComplete && conn == c) {
      up.flush();
    }
  }

  void requestContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (draining || conn == null || ended) {
      drain(content, last);
      return;
    }
    requestBodyBytes += content.content().readableBytes();
    Channel up = conn.channel();
    if (last) {
      requestComplete = true;
      up.writeAndFlush(content);
      requestSent();
      return;
    }
    up.writeAndFlush(content);
    if (up.isWritable()) {
      ctx.read();
    } else {
      awaitingUpstreamWritable = true;
    }
  }

  private void drain(HttpContent content, boolean last) {
    drained += content.content().readableBytes();
    content.release();
    if (last) {
      requestComplete = true;
      draining = false;
      if (responseComplete) {
        handler.finished(this);
      }
    } else if (drained > MAX_DRAINED_BODY) {
      ctx.close();
    } else {
      ctx.read();
    }
  }

  private void requestSent() {
    sentNanos = System.nanoTime();
    if (!requestTimeout.isZero()) {
      deadline = sentNanos + requestTimeout.toNanos();
      handler.watch(requestTimeout);
    }
    if (conn != null) {
      conn.channel().read();
    }
  }

  @Override
  public void upstreamWritabilityChanged(boolean writable) {
    if (writable && awaitingUpstreamWritable) {
      awaitingUpstreamWritable = false;
      ctx.read();
    }
  }

  void downstreamWritabilityChanged(boolean writable) {
    if (writable && awaitingDownstreamWritable && conn != null) {
      awaitingDownstreamWritable = false;
      conn.channel().read();
    }
  }

  @Override
  public void upstreamRead(HttpObject msg) {
    if (ended || responseComplete) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      log.flag("UPE");
      detachUpstream(false);
      failOrClose(
          HttpResponseStatus.BAD_GATEWAY,
          "the upstream's response was not valid HTTP/1.1: "
              + msg.decoderResult().cause().getMessage());
      return;
    }
    if (msg instanceof HttpResponse response) {
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        // 100 Continue was answered to the client already; the upstream's is not relayed.
        ReferenceCountUtil.release(msg);
        skipNextLast = true;
        return;
      }
      responseStarted = true;
      cancelTimeout();
      log.upstreamServiceMillis = (System.nanoTime() - sentNanos) / 1_000_000;
      keepUpstream = HttpUtil.isKeepAlive(response);
      HopByHop.strip(response.headers());
      response.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
    if (msg instanceof LastHttpContent) {
      if (skipNextLast) {
        skipNextLast = false;
        ReferenceCountUtil.release(msg);
        return;
      }
      responseComplete = true;
      UpstreamConnection c = conn;
      conn = null;
      upstreams.release(
          c, keepUpstream && requestComplete, route.limits().maxRequestsPerConnection());
      ctx.writeAndFlush(msg).addListener((ChannelFutureListener) this::responseWritten);
      return;
    }
    ctx.write(msg);
  }

  private boolean skipNextLast;

  @Override
  public void upstreamReadComplete() {
    if (ended || responseComplete || conn == null) {
      return;
    }
    ctx.flush();
    if (ctx.channel().isWritable()) {
      conn.channel().read();
    } else {
      awaitingDownstreamWritable = true;
    }
  }

  private void responseWritten(io.netty.channel.ChannelFuture f) {
    if (!f.isSuccess()) {
      ended = true;
      ctx.close();
      return;
    }
    if (requestComplete) {
      ended = true;
      handler.finished(this);
    } else {
      // The response came before the request's body was read: drain it, within limits.
      draining = true;
      ctx.read();
    }
  }

  @Override
  public void upstreamClosed(Throwable cause) {
    if (ended || responseComplete) {
      return;
    }
    boolean wasReused = conn != null && conn.reused();
    conn = null;
    cancelTimeout();
    if (!responseStarted
        && wasReused
        && idempotent
        && requestComplete
        && requestBodyBytes == 0
        && !retried) {
      // A pooled connection the upstream had closed in the meantime: try once on a new one.
      retried = true;
      acquire(true);
      return;
    }
    log.flag("UC");
    failOrClose(
        HttpResponseStatus.BAD_GATEWAY,
        "the upstream closed the connection before the response was complete"
            + (cause == null ? "" : ": " + cause.getMessage()));
  }

  private void timedOut() {
    if (ended || responseStarted) {
      if (!ended && !responseComplete) {
        log.flag("UT");
        abandon();
        ctx.close();
      }
      return;
    }
    log.flag("UT");
    detachUpstream(false);
    failOrClose(
        HttpResponseStatus.GATEWAY_TIMEOUT,
        "no response from " + host + " within " + requestTimeout.toMillis() + " ms");
  }

  private void fail(Throwable cause) {
    if (cause instanceof UpstreamFailure u) {
      for (String flag : u.flag().split(",")) {
        log.flag(flag);
      }
      failOrClose(u.status(), u.reason());
    } else {
      log.flag("UF");
      failOrClose(HttpResponseStatus.SERVICE_UNAVAILABLE, String.valueOf(cause.getMessage()));
    }
  }

  /** Answers with the waypoint's own response if none has started, else closes the client. */
  private void failOrClose(HttpResponseStatus status, String reason) {
    log.upstreamTransportFailureReason = reason;
    if (responseStarted) {
      abandon();
      ctx.close();
      return;
    }
    responseStarted = true;
    responseComplete = true;
    String body =
        status.code()
            + " for "
            + host
            + ":"
            + route.port().number()
            + " ("
            + route.serviceEntryName()
            + "): "
            + reason;
    ctx.writeAndFlush(Responses.text(ctx.alloc(), status, body, false))
        .addListener((ChannelFutureListener) this::responseWritten);
  }

  private void detachUpstream(boolean reusable) {
    UpstreamConnection c = conn;
    conn = null;
    if (c != null) {
      upstreams.release(c, reusable, 0);
    }
  }

  /** The client went away or sent something refused: the upstream connection cannot be reused. */
  void abandon() {
    ended = true;
    cancelTimeout();
    detachUpstream(false);
  }

  private void cancelTimeout() {
    deadline = 0;
  }

  /**
   * Checked by the connection's one timer (see {@link UpstreamHandler#watch}); returns the nanos
   * left, or -1 when nothing is awaited any more.
   */
  long checkDeadline(long now) {
    if (deadline == 0) {
      return -1;
    }
    if (now - deadline >= 0) {
      deadline = 0;
      timedOut();
      return -1;
    }
    return deadline - now;
  }
}
