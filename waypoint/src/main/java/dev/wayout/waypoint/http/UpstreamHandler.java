package dev.wayout.waypoint.http;

import dev.wayout.waypoint.tunnel.Tunnels;
import dev.wayout.waypoint.upstream.Upstreams;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The last downstream handler: turns each {@link RoutedRequest} into an {@link Exchange} with an
 * upstream connection on the same event loop (or a tunnel for CONNECT), feeds it the request's
 * body, and passes on writability so the response is relayed with backpressure.
 */
public final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  private final Upstreams upstreams;
  private final Tunnels tunnels;
  private final Duration requestTimeout;
  private ChannelHandlerContext ctx;
  private Exchange current;

  public UpstreamHandler(Upstreams upstreams, Tunnels tunnels, Duration requestTimeout) {
    this.upstreams = upstreams;
    this.tunnels = tunnels;
    this.requestTimeout = requestTimeout;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof RoutedRequest r) {
      if (r.isConnect()) {
        tunnels.connect(ctx, r.route(), r.host(), r.port(), r.log());
        return;
      }
      Duration timeout =
          r.plan() != null && r.plan().rule != null && r.plan().rule.timeout() != null
              ? r.plan().rule.timeout()
              : requestTimeout;
      current = new Exchange(this, ctx, upstreams, r, timeout);
      current.start();
      return;
    }
    Exchange ex = current;
    if (ex != null && msg instanceof HttpContent content) {
      ex.request.content(content);
      return;
    }
    ReferenceCountUtil.release(msg);
  }

  private boolean timerArmed;

  /**
   * Arms the connection's single request timer (for the current exchange) if it is not armed
   * already. One timer per connection, re-armed only when it fires, instead of a scheduled task per
   * request: requests are much shorter than the timeout, so it rarely has to do anything.
   */
  void watch(long timeoutNanos) {
    long due = System.nanoTime() + timeoutNanos;
    // A shorter deadline than the armed one (a VirtualService's per-try timeout) gets a tick of
    // its own; the default path always asks for the same timeout and arms one timer.
    if (!timerArmed || due - timerDue < 0) {
      timerArmed = true;
      timerDue = due;
      ctx.executor().schedule(this::tick, timeoutNanos, TimeUnit.NANOSECONDS);
    }
  }

  private long timerDue;

  private void tick() {
    timerArmed = false;
    Exchange ex = current;
    if (ex == null || !ctx.channel().isActive()) {
      return;
    }
    long now = System.nanoTime();
    if (timerDue - now > 0) {
      timerArmed = true; // a later tick is still scheduled
      return;
    }
    long left = ex.response.checkDeadline(now);
    if (left > 0 && current == ex) {
      timerArmed = true;
      timerDue = now + left;
      ctx.executor().schedule(this::tick, left, TimeUnit.NANOSECONDS);
    }
  }

  /** The exchange has ended: its response was written and its request fully read. */
  void finished(Exchange ex) {
    if (current == ex) {
      current = null;
      ctx.read();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Exchange ex = current;
    if (ex != null) {
      ex.response.downstreamWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof RequestGuard.RequestRejected) {
      Exchange ex = current;
      current = null;
      if (ex != null) {
        ex.abandon();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange ex = current;
    current = null;
    if (ex != null) {
      ex.abandon();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
