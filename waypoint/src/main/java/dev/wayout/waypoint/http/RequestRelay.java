package dev.wayout.waypoint.http;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.upstream.UpstreamConnection;
import dev.wayout.waypoint.upstream.Upstreams;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;

/**
 * The client-to-upstream half of an {@link Exchange}: takes an upstream connection, writes the
 * request's head and forwards its body, reading the next part from the client only once the
 * upstream can take it. A body still arriving after the response was written is read and dropped
 * (up to 64 KiB, else the client is closed) so that the connection can serve its next request.
 */
final class RequestRelay implements FutureListener<UpstreamConnection> {

  private static final int MAX_DRAINED_BODY = 64 * 1024;

  private final Exchange exchange;
  private final ChannelHandlerContext ctx;
  private final Upstreams upstreams;
  private final boolean idempotent;

  /** The whole request, body included, has been read from the client. */
  boolean complete;

  private long bodyBytes;
  private boolean retried;
  private boolean draining;
  private int drained;
  private boolean awaitingUpstreamWritable;

  RequestRelay(Exchange exchange, ChannelHandlerContext ctx, Upstreams upstreams) {
    this.exchange = exchange;
    this.ctx = ctx;
    this.upstreams = upstreams;
    this.idempotent = exchange.routed.isIdempotent();
  }

  /** Takes an upstream connection: pooled unless {@code fresh}, else dialled. */
  void acquire(boolean fresh) {
    RoutedRequest r = exchange.routed;
    r.log().upstreamCluster = r.cluster().name();
    upstreams
        .acquire(
            ctx.channel().eventLoop(),
            r.cluster(),
            r.host(),
            r.request(),
            ctx.channel().remoteAddress(),
            idempotent,
            fresh)
        .addListener(this);
  }

  /**
   * Sends the request once more on a new connection if that is safe: the closed connection was
   * pooled (the upstream may have closed it meanwhile), no response started, and the request is
   * idempotent, complete and bodyless. At most once.
   */
  boolean retry(boolean wasReused, boolean responseStarted) {
    if (responseStarted || !wasReused || !idempotent || !complete || bodyBytes != 0 || retried) {
      return false;
    }
    if (!upstreams.retryStarted(exchange.routed.cluster())) {
      return false; // connectionPool.http.maxRetries retries of the cluster are in flight
    }
    retried = true;
    acquire(true);
    return true;
  }

  /** Ends the retry this exchange counted against maxRetries, if it made one. */
  void end() {
    if (retried) {
      retried = false;
      upstreams.retryEnded(exchange.routed.cluster());
    }
  }

  /** The whole request is known and has no body: it can be sent again (a VirtualService retry). */
  boolean replayable() {
    return complete && bodyBytes == 0;
  }

  /** The upstream connection was acquired (the head is written to it), or could not be. */
  @Override
  public void operationComplete(Future<UpstreamConnection> f) {
    if (!f.isSuccess()) {
      if (!exchange.ended) {
        exchange.fail(f.cause());
      }
      return;
    }
    UpstreamConnection c = f.getNow();
    if (exchange.ended) {
      upstreams.release(c, true, 0); // never used: still good for the next request
      return;
    }
    exchange.conn = c;
    c.bind(exchange.response);
    Channel up = c.channel();
    AccessLogEntry log = exchange.routed.log();
    log.upstreamHost = c.remoteText();
    log.upstreamLocal = c.localText();
    // Void promises: nothing waits on these writes, and a failed one reaches the upstream
    // connection's exceptionCaught, which closes it and tells the exchange.
    HttpRequest head = exchange.routed.request();
    if (head instanceof LastHttpContent) {
      // The whole request, read in one go (no body): one write, and nothing more to read.
      complete = true;
      up.writeAndFlush(head, up.voidPromise());
      exchange.response.requestSent();
      return;
    }
    up.write(head, up.voidPromise());
    if (complete) {
      // A retry: the whole (bodyless) request is known already.
      up.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, up.voidPromise());
      exchange.response.requestSent();
      return;
    }
    ctx.read();
    // That read may have brought the request's end, whose flush took the head along (one flush
    // per request); if not, the head must go now.
    if (!complete && exchange.conn == c) {
      up.flush();
      // A body is still coming: read the upstream now, as a pooled connection is read already,
      // so that an early answer (413, 401) reaches a client that waits for it.
      up.read();
    }
  }

  /** A part of the body from the client: to the upstream, or dropped when there is none. */
  void content(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (draining || exchange.conn == null || exchange.ended) {
      drain(content, last);
      return;
    }
    bodyBytes += content.content().readableBytes();
    exchange.mirrorContent(content);
    Channel up = exchange.conn.channel();
    if (last) {
      complete = true;
      up.writeAndFlush(content, up.voidPromise());
      exchange.response.requestSent();
      return;
    }
    up.writeAndFlush(content, up.voidPromise());
    if (up.isWritable()) {
      ctx.read();
    } else {
      awaitingUpstreamWritable = true;
    }
  }

  void upstreamWritabilityChanged(boolean writable) {
    if (writable && awaitingUpstreamWritable) {
      awaitingUpstreamWritable = false;
      ctx.read();
    }
  }

  /** The response was written before the request's body was read: read the rest and drop it. */
  void drain() {
    draining = true;
    ctx.read();
  }

  private void drain(HttpContent content, boolean last) {
    drained += content.content().readableBytes();
    content.release();
    if (last) {
      complete = true;
      draining = false;
      if (exchange.response.complete) {
        exchange.handler.finished(exchange);
      }
    } else if (drained > MAX_DRAINED_BODY) {
      ctx.close();
    } else {
      ctx.read();
    }
  }
}
