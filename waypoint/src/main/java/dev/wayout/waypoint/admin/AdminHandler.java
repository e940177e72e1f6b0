package dev.wayout.waypoint.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Serves {@code GET /metrics} (Prometheus text) and {@code GET /healthz/ready} on 15020 and 15021.
 */
@Sharable
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private final WaypointMetrics metrics;
  private final Supplier<String> notReadyReason;

  /**
   * @param notReadyReason null when ready, else why not (answered with 503)
   */
  public AdminHandler(WaypointMetrics metrics, Supplier<String> notReadyReason) {
    this.metrics = metrics;
    this.notReadyReason = notReadyReason;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    String path = request.uri();
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    FullHttpResponse response;
    if (path.equals("/metrics")) {
      response =
          text(HttpResponseStatus.OK, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8");
    } else if (path.equals("/healthz/ready")) {
      String why = notReadyReason.get();
      response =
          why == null
              ? text(HttpResponseStatus.OK, "ready\n", "text/plain")
              : text(
                  HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: " + why + "\n", "text/plain");
    } else {
      response =
          text(HttpResponseStatus.NOT_FOUND, "try /metrics or /healthz/ready\n", "text/plain");
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    HttpUtil.setKeepAlive(response, keepAlive);
    var f = ctx.writeAndFlush(response);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body, String type) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, type)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return r;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
