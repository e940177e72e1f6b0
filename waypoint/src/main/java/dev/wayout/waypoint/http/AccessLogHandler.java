package dev.wayout.waypoint.http;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.access.AccessLogWriter;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;

/**
 * Opens an {@link AccessLogEntry} for each request, counts the bytes both ways, and writes the line
 * once the response's last part has been written (a failed write, or a client gone first, is logged
 * with {@code DC}). Sits after the keep-alive handler so that it sees every response, the
 * waypoint's own refusals included. Handlers further in fill in the rest of the entry.
 */
public final class AccessLogHandler extends ChannelDuplexHandler {

  /** The entry of the request in progress on a connection. */
  public static final AttributeKey<AccessLogEntry> ENTRY = AttributeKey.valueOf("wayout.access");

  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

  private final AccessLogWriter writer;
  private final String sourceNamespace;
  private AccessLogEntry entry;
  private String local;
  private String remote;

  /**
   * @param sourceNamespace the client's namespace (from its pod IP), or null when unknown
   */
  public AccessLogHandler(AccessLogWriter writer, String sourceNamespace) {
    this.writer = writer;
    this.sourceNamespace = sourceNamespace;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest request) {
      entry = open(ctx, request);
      ctx.channel().attr(ENTRY).set(entry);
    }
    if (msg instanceof HttpContent content && entry != null) {
      entry.bytesReceived += content.content().readableBytes();
    }
    ctx.fireChannelRead(msg);
  }

  private AccessLogEntry open(ChannelHandlerContext ctx, HttpRequest request) {
    AccessLogEntry e = new AccessLogEntry();
    e.method = request.method().name();
    e.path = request.uri();
    e.protocol = request.protocolVersion().text();
    e.authority = request.headers().get(HttpHeaderNames.HOST);
    e.userAgent = request.headers().get(HttpHeaderNames.USER_AGENT);
    e.forwardedFor = request.headers().get(X_FORWARDED_FOR);
    e.requestId = request.headers().get(RequestIds.X_REQUEST_ID);
    e.traceId = RequestIds.traceId(request.headers().get(RequestIds.TRACEPARENT));
    if (local == null) {
      local = AccessLogEntry.address(ctx.channel().localAddress());
      remote = AccessLogEntry.address(ctx.channel().remoteAddress());
    }
    e.downstreamLocal = local;
    e.downstreamRemote = remote;
    e.sourceNamespace = sourceNamespace;
    return e;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    AccessLogEntry e = entry;
    if (e != null) {
      if (msg instanceof HttpResponse response) {
        e.responseCode = response.status().code();
      }
      if (msg instanceof HttpContent content) {
        e.bytesSent += content.content().readableBytes();
      }
      if (msg instanceof LastHttpContent && !e.tunnel) {
        entry = null;
        ChannelPromise p = promise.unvoid();
        p.addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    e.flag("DC");
                  }
                  writer.write(e);
                });
        ctx.write(msg, p);
        return;
      }
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    AccessLogEntry e = entry;
    if (e != null && !e.tunnel) {
      entry = null;
      if (!e.hasFlags()) {
        // The client went away (Envoy's DC); a flag already set means the waypoint closed it,
        // e.g. after the upstream closed mid-response (UC).
        e.flag("DC");
      }
      writer.write(e);
    }
    ctx.fireChannelInactive();
  }
}
