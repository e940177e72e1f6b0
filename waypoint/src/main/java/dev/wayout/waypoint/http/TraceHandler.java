package dev.wayout.waypoint.http;

import dev.wayout.waypoint.trace.Tracing;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Traces each routed HTTP request (see {@link Tracing}) before it goes upstream, so that the
 * upstream sees the waypoint's span as the parent. Sits after {@link EgressPolicyHandler}, and only
 * when tracing is on: a pipeline without tracing has no such handler. CONNECT tunnels are not
 * traced (no header of theirs reaches the upstream).
 */
@Sharable
public final class TraceHandler extends ChannelInboundHandlerAdapter {

  private final Tracing tracing;

  public TraceHandler(Tracing tracing) {
    this.tracing = tracing;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof RoutedRequest r && !r.isConnect()) {
      tracing.start(r.request().headers(), r.log(), r.route());
    }
    ctx.fireChannelRead(msg);
  }
}
