package dev.wayout.waypoint.tunnel;

import dev.wayout.waypoint.access.AccessLogEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Copies bytes from its channel to the peer, untouched, reading the next chunk only once the
 * previous write succeeded (backpressure with AUTO_READ off). When one side closes, the other is
 * flushed and closed; {@code onClosed} runs for each side.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {

  private final Channel peer;
  private final AccessLogEntry log;
  private final boolean fromClient;
  private final Runnable onClosed;

  RelayHandler(Channel peer, AccessLogEntry log, boolean fromClient, Runnable onClosed) {
    this.peer = peer;
    this.log = log;
    this.fromClient = fromClient;
    this.onClosed = onClosed;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (fromClient) {
      log.bytesReceived += buf.readableBytes();
    } else {
      log.bytesSent += buf.readableBytes();
    }
    if (!peer.isActive()) {
      buf.release();
      ctx.close();
      return;
    }
    peer.writeAndFlush(buf)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    ctx.channel().read();
                  } else {
                    f.channel().close();
                    ctx.close();
                  }
                });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeOnFlush(peer);
    onClosed.run();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  static void closeOnFlush(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
