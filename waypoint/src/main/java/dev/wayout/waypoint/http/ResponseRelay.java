package dev.wayout.waypoint.http;

import dev.wayout.waypoint.upstream.UpstreamConnection;
import dev.wayout.waypoint.upstream.UpstreamListener;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;

/**
 * The upstream-to-client half of an {@link Exchange}, and the listener of its upstream connection:
 * from the request's end, awaits the response's head within the request timeout, then relays the
 * response, flushing once per upstream read and reading on only once the client can take more.
 * Listens to the write of the response's end: its last part, or the waypoint's own answer.
 */
final class ResponseRelay implements UpstreamListener, ChannelFutureListener {

  private final Exchange exchange;
  private final ChannelHandlerContext ctx;
  private final Duration requestTimeout;

  /** The client has (part of) a response: the upstream's head or the waypoint's own answer. */
  boolean started;

  /** The response's end is written or being written; the upstream has nothing more to say. */
  boolean complete;

  private boolean keepUpstream;
  private boolean skipNextLast;
  private boolean awaitingDownstreamWritable;
  private long sentNanos;

  /** When the response's head must have arrived (System.nanoTime), or 0 when not waiting. */
  private long deadline;

  ResponseRelay(Exchange exchange, ChannelHandlerContext ctx, Duration requestTimeout) {
    this.exchange = exchange;
    this.ctx = ctx;
    this.requestTimeout = requestTimeout;
  }

  /** When the whole exchange must have its response head (nanoTime), 0 for never. */
  private long overallDeadline;

  /** The whole request is written to the upstream: the response is due, and read. */
  void requestSent() {
    sentNanos = System.nanoTime();
    if (overallDeadline == 0 && !requestTimeout.isZero()) {
      overallDeadline = sentNanos + requestTimeout.toNanos();
    }
    long perTry = exchange.perTryTimeoutNanos();
    deadline = overallDeadline;
    if (perTry > 0 && (deadline == 0 || sentNanos + perTry - deadline < 0)) {
      deadline = sentNanos + perTry;
    }
    if (deadline != 0) {
      exchange.handler.watch(deadline - sentNanos);
    }
    if (exchange.conn != null) {
      exchange.conn.channel().read();
    }
  }

  @Override
  public void upstreamRead(HttpObject msg) {
    if (exchange.ended || complete) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      exchange.upstreamInvalid(msg.decoderResult().cause());
      return;
    }
    if (msg instanceof HttpResponse response) {
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        // 100 Continue was answered to the client already; the upstream's is not relayed.
        ReferenceCountUtil.release(msg);
        skipNextLast = true;
        return;
      }
      if (exchange.retriesStatus(response.status().code())) {
        ReferenceCountUtil.release(msg);
        return; // the answer is dropped with its connection; the request is sent again
      }
      started = true;
      deadline = 0;
      if (exchange.conn != null) {
        exchange.upstreams.answered(exchange.conn, response.status().code());
      }
      exchange.routed.log().upstreamServiceMillis = (System.nanoTime() - sentNanos) / 1_000_000;
      keepUpstream = HttpUtil.isKeepAlive(response);
      HopByHop.strip(response.headers());
      response.setProtocolVersion(HttpVersion.HTTP_1_1);
      RoutePlan plan = exchange.routed.plan();
      if (plan != null) {
        RouteResponses.apply(plan, response.headers());
      }
    }
    if (msg instanceof LastHttpContent) {
      if (skipNextLast) {
        skipNextLast = false;
        ReferenceCountUtil.release(msg);
        return;
      }
      complete = true;
      exchange.releaseUpstream(
          keepUpstream && exchange.request.complete,
          exchange.routed.cluster().limits().maxRequestsPerConnection());
      ctx.writeAndFlush(msg).addListener(this);
      return;
    }
    ctx.write(msg, ctx.voidPromise()); // a failure reaches UpstreamHandler.exceptionCaught
  }

  @Override
  public void upstreamReadComplete() {
    if (exchange.ended || complete || exchange.conn == null) {
      return;
    }
    ctx.flush();
    if (ctx.channel().isWritable()) {
      exchange.conn.channel().read();
    } else {
      awaitingDownstreamWritable = true;
    }
  }

  void downstreamWritabilityChanged(boolean writable) {
    UpstreamConnection conn = exchange.conn;
    if (writable && awaitingDownstreamWritable && conn != null) {
      awaitingDownstreamWritable = false;
      conn.channel().read();
    }
  }

  @Override
  public void upstreamWritabilityChanged(boolean writable) {
    exchange.request.upstreamWritabilityChanged(writable);
  }

  @Override
  public void upstreamClosed(Throwable cause) {
    exchange.upstreamClosed(cause);
  }

  /** The response's end was written, or failed to be. */
  @Override
  public void operationComplete(ChannelFuture f) {
    exchange.responseWritten(f.isSuccess());
  }

  void cancelDeadline() {
    deadline = 0;
  }

  /** Another try follows: no response has started, and the next one is awaited afresh. */
  void resetForRetry() {
    deadline = 0;
    keepUpstream = false;
    skipNextLast = false;
    awaitingDownstreamWritable = false;
  }

  /** The exchange's timeout: the waypoint's, or the VirtualService route's. */
  Duration timeout() {
    return requestTimeout;
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
      boolean overall = overallDeadline != 0 && now - overallDeadline >= 0;
      deadline = 0;
      exchange.timedOut(overall);
      return -1;
    }
    return deadline - now;
  }
}
