package dev.wayout.waypoint.http;

import dev.wayout.waypoint.access.AccessLogEntry;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Refuses what could smuggle a request past the waypoint or exhaust it: any message the strict
 * decoder failed (ambiguous framing, bad chunking, bad header names, obs-fold) answers 400, too
 * many or too large header fields 431, an over-long request line 414, a version other than HTTP/1.x
 * 505; each with {@code Connection: close}, and nothing after it is read or forwarded.
 */
public final class RequestGuard extends ChannelDuplexHandler {

  private final int maxHeaders;
  private boolean rejected;
  private boolean responseStarted;

  public RequestGuard(int maxHeaders) {
    this.maxHeaders = maxHeaders;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (rejected) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      reject(
          ctx,
          statusFor(o.decoderResult()),
          "malformed request: " + o.decoderResult().cause().getMessage());
      return;
    }
    if (msg instanceof HttpRequest request) {
      if (request.headers().size() > maxHeaders) {
        ReferenceCountUtil.release(msg);
        reject(
            ctx,
            HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
            "the request has "
                + request.headers().size()
                + " header fields; at most "
                + maxHeaders
                + " are accepted");
        return;
      }
      if (request.protocolVersion() != HttpVersion.HTTP_1_1
          && request.protocolVersion() != HttpVersion.HTTP_1_0) {
        ReferenceCountUtil.release(msg);
        reject(
            ctx,
            HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
            "only HTTP/1.0 and HTTP/1.1 are served");
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  private static HttpResponseStatus statusFor(DecoderResult result) {
    Throwable cause = result.cause();
    if (cause instanceof TooLongHttpHeaderException) {
      return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    if (cause instanceof TooLongHttpLineException) {
      return HttpResponseStatus.REQUEST_URI_TOO_LONG;
    }
    if (cause instanceof TooLongFrameException) {
      return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
    }
    return HttpResponseStatus.BAD_REQUEST;
  }

  private void reject(ChannelHandlerContext ctx, HttpResponseStatus status, String why) {
    rejected = true;
    AccessLogEntry e = ctx.channel().attr(AccessLogHandler.ENTRY).get();
    if (e != null) {
      e.upstreamTransportFailureReason = null;
      e.flag("DPE"); // Envoy: downstream protocol error
    }
    if (responseStarted) {
      // A response is already on its way: the only safe signal left is closing.
      ctx.close();
      return;
    }
    ctx.writeAndFlush(Responses.text(ctx.alloc(), status, why, true))
        .addListener(ChannelFutureListener.CLOSE);
    // Stop the exchange in progress, if any: the upstream side must not get the rest.
    ctx.fireUserEventTriggered(RequestRejected.INSTANCE);
  }

  /** Fired inward when a request was refused mid-way; the upstream side abandons its exchange. */
  public enum RequestRejected {
    INSTANCE
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse) {
      responseStarted = true;
    }
    if (msg instanceof LastHttpContent) {
      responseStarted = false;
    }
    ctx.write(msg, promise);
  }
}
