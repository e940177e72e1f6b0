package dev.wayout.waypoint.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Hands on exactly one decoded message per {@code read()} (AUTO_READ is off), holding the rest, so
 * that pipelined requests wait their turn and a request body is read only as fast as the upstream
 * takes it. Unlike Netty's FlowControlHandler, a read that a socket read did not satisfy (a partial
 * request head) stays pending and asks the socket again, rather than being counted as done at
 * {@code channelReadComplete}.
 */
public final class MessagePerRead extends ChannelDuplexHandler {

  private final ArrayDeque<Object> queue = new ArrayDeque<>(4);
  private boolean pending;

  @Override
  public void read(ChannelHandlerContext ctx) {
    Object next = queue.poll();
    if (next != null) {
      ctx.fireChannelRead(next);
      return;
    }
    pending = true;
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (pending && queue.isEmpty()) {
      pending = false;
      ctx.fireChannelRead(msg);
      return;
    }
    queue.add(msg);
    if (pending) {
      pending = false;
      ctx.fireChannelRead(queue.poll());
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.fireChannelReadComplete();
    if (pending && ctx.channel().isActive()) {
      ctx.read(); // the socket gave bytes but no whole message yet
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseAll();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseAll();
  }

  private void releaseAll() {
    Object o;
    while ((o = queue.poll()) != null) {
      ReferenceCountUtil.release(o);
    }
  }
}
