package dev.wayout.waypoint.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Times out clients between requests: a request head that does not arrive complete within the
 * header timeout answers 408 and closes (slowloris); a keep-alive connection idle for the idle
 * timeout is closed quietly. While draining, connections close after their current response. One
 * timer per connection, ticking every header timeout, rather than one per request.
 */
public final class ClientTimeoutHandler extends ChannelDuplexHandler {

  /** Fired at every connection when the waypoint starts draining. */
  public enum Drain {
    INSTANCE
  }

  private final WaypointServerCodec codec;
  private final long headerTimeoutNanos;
  private final long idleTimeoutNanos;
  private boolean waiting = true;
  private boolean draining;
  private long waitingSince = System.nanoTime();

  public ClientTimeoutHandler(
      WaypointServerCodec codec, Duration headerTimeout, Duration idleTimeout) {
    this.codec = codec;
    this.headerTimeoutNanos = headerTimeout.toNanos();
    this.idleTimeoutNanos = idleTimeout.toNanos();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    schedule(ctx);
    ctx.fireChannelActive();
  }

  private void schedule(ChannelHandlerContext ctx) {
    ctx.executor().schedule(() -> tick(ctx), headerTimeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void tick(ChannelHandlerContext ctx) {
    if (!ctx.channel().isActive()) {
      return;
    }
    if (waiting) {
      long waited = System.nanoTime() - waitingSince;
      if (codec.partialRequest()) {
        if (waited >= headerTimeoutNanos) {
          waiting = false;
          ctx.writeAndFlush(
                  Responses.text(
                      ctx.alloc(),
                      HttpResponseStatus.REQUEST_TIMEOUT,
                      "the request head did not arrive within "
                          + headerTimeoutNanos / 1_000_000
                          + " ms",
                      true))
              .addListener(ChannelFutureListener.CLOSE);
          return;
        }
      } else if (waited >= idleTimeoutNanos) {
        ctx.close();
        return;
      }
    }
    schedule(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      waiting = false;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (draining && msg instanceof HttpResponse response) {
      HttpUtil.setKeepAlive(response, false); // tell the client; the keep-alive handler closes
    }
    if (msg instanceof LastHttpContent) {
      waiting = true;
      waitingSince = System.nanoTime();
      if (draining) {
        promise = promise.unvoid();
        promise.addListener(ChannelFutureListener.CLOSE);
      }
    }
    ctx.write(msg, promise);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == Drain.INSTANCE) {
      draining = true;
      if (waiting && !codec.partialRequest()) {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }
}
