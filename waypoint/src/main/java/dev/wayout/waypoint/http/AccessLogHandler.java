package dev.wayout.waypoint.http;

import dev.wayout.model.SourceIdentity;
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
 * once the response's last part has been written and the request's last part read (a failed write,
 * or a client gone first, is logged with {@code DC}). A response may be written before its
 * request's body was read (an early 413 or 401; the rest is read and dropped), and the line then
 * waits for that rest, so that {@code bytes_received} counts the whole body, as Envoy's does. Sits
 * after the keep-alive handler so that it sees every response, the waypoint's own refusals
 * included. Handlers further in fill in the rest of the entry.
 */
public final class AccessLogHandler extends ChannelDuplexHandler {

  /** The entry of the request in progress on a connection. */
  public static final AttributeKey<AccessLogEntry> ENTRY = AttributeKey.valueOf("wayout.access");

  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

  private final AccessLogWriter writer;
  private final SourceIdentity source;

  /** The request whose response is being written. */
  private AccessLogEntry entry;

  /** The request whose body is still being read, if any. */
  private AccessLogEntry reading;

  /** A request answered before its body was all read: its line waits for the body's end. */
  private AccessLogEntry answered;

  private String local;
  private String remote;

  /**
   * @param source the client's identity (from its pod IP), or {@link SourceIdentity#UNKNOWN}
   */
  public AccessLogHandler(AccessLogWriter writer, SourceIdentity source) {
    this.writer = writer;
    this.source = source;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest request) {
      entry = open(ctx, request);
      reading = entry;
      ctx.channel().attr(ENTRY).set(entry);
    }
    AccessLogEntry r = reading;
    if (msg instanceof HttpContent content && r != null) {
      r.bytesReceived += content.content().readableBytes();
      if (msg instanceof LastHttpContent) {
        reading = null;
        if (answered == r) {
          answered = null;
          writer.write(r);
        }
      }
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
    e.source = source;
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
                    writer.write(e);
                  } else if (reading == e) {
                    answered = e; // written when the rest of the body has been read
                  } else {
                    writer.write(e);
                  }
                });
        ctx.write(msg, p);
        return;
      }
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    AccessLogEntry waiting = answered;
    if (waiting != null) {
      // Answered in full; the connection closed before the rest of the body came (or was
      // closed by the waypoint for a body too long to drain): the line as it stands.
      answered = null;
      writer.write(waiting);
    }
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
