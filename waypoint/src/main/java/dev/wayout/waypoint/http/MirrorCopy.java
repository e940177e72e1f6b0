package dev.wayout.waypoint.http;

import dev.wayout.waypoint.routing.Target;
import dev.wayout.waypoint.upstream.UpstreamConnection;
import dev.wayout.waypoint.upstream.UpstreamListener;
import dev.wayout.waypoint.upstream.Upstreams;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.FutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * A copy of a request sent to a mirror ({@code mirror}/{@code mirrors}), as Envoy shadows it: the
 * authority gets {@code -shadow}, the answer is read and dropped, and nothing the mirror does can
 * delay or change the client's exchange. The copy is given up (its connection closed) when the
 * mirror is not connected before 64 KiB of body have queued up, cannot take the body as fast as the
 * real upstream does, or has not answered within the request timeout.
 */
final class MirrorCopy implements UpstreamListener, FutureListener<UpstreamConnection> {

  private static final int MAX_QUEUED = 64 * 1024;

  private final Upstreams upstreams;
  private final long timeoutNanos;
  private final ArrayDeque<HttpObject> queue = new ArrayDeque<>(2);
  private int queuedBytes;
  private UpstreamConnection conn;
  private boolean requestDone;
  private boolean responseDone;
  private boolean keepAlive;
  private boolean givenUp;
  private ScheduledFuture<?> timer;

  private MirrorCopy(Upstreams upstreams, long timeoutNanos, HttpRequest head) {
    this.upstreams = upstreams;
    this.timeoutNanos = timeoutNanos;
    queue.add(head);
    requestDone = head instanceof LastHttpContent;
  }

  /** Starts a copy of {@code head} (already routed and rewritten) to the mirror target. */
  static MirrorCopy start(
      EventLoop loop,
      Upstreams upstreams,
      Target target,
      String requestedHost,
      HttpRequest head,
      long timeoutNanos) {
    HttpRequest copy =
        head instanceof FullHttpRequest full
            ? new DefaultFullHttpRequest(
                full.protocolVersion(),
                full.method(),
                full.uri(),
                full.content().retainedDuplicate(),
                full.headers().copy(),
                full.trailingHeaders().copy())
            : new DefaultHttpRequest(
                head.protocolVersion(), head.method(), head.uri(), head.headers().copy());
    String authority = copy.headers().get(HttpHeaderNames.HOST, requestedHost);
    copy.headers().set(HttpHeaderNames.HOST, shadow(authority));
    MirrorCopy m = new MirrorCopy(upstreams, timeoutNanos, copy);
    String host = target.sameHost() ? requestedHost : target.host();
    upstreams.acquire(loop, target.route(), host, false, false).addListener(m);
    if (timeoutNanos > 0) {
      m.timer = loop.schedule(m::giveUp, timeoutNanos, TimeUnit.NANOSECONDS);
    }
    return m;
  }

  /** Envoy's shadow authority: "-shadow" after the host, before any port. */
  static String shadow(String authority) {
    int colon = authority.lastIndexOf(':');
    if (colon > 0 && authority.indexOf(']') < colon && authority.indexOf(':') == colon) {
      return authority.substring(0, colon) + "-shadow" + authority.substring(colon);
    }
    return authority + "-shadow";
  }

  /** A part of the client's body (the copy's own reference, released here). */
  void content(HttpContent content) {
    if (givenUp) {
      content.release();
      return;
    }
    requestDone = content instanceof LastHttpContent;
    if (conn == null) {
      queuedBytes += content.content().readableBytes();
      queue.add(content);
      if (queuedBytes > MAX_QUEUED) {
        giveUp();
      }
      return;
    }
    Channel ch = conn.channel();
    if (!ch.isWritable()) {
      content.release();
      giveUp(); // a slow mirror never holds the real request back
      return;
    }
    ch.writeAndFlush(content, ch.voidPromise());
    if (requestDone) {
      ch.read();
    }
  }

  @Override
  public void operationComplete(Future<UpstreamConnection> f) {
    if (!f.isSuccess()) {
      giveUp();
      return;
    }
    UpstreamConnection c = f.getNow();
    if (givenUp) {
      upstreams.release(c, true, 0);
      return;
    }
    conn = c;
    c.bind(this);
    Channel ch = c.channel();
    HttpObject o;
    while ((o = queue.poll()) != null) {
      ch.write(o, ch.voidPromise());
    }
    queuedBytes = 0;
    ch.flush();
    if (requestDone) {
      ch.read();
    }
  }

  @Override
  public void upstreamRead(HttpObject msg) {
    if (msg instanceof io.netty.handler.codec.http.HttpResponse r) {
      keepAlive = HttpUtil.isKeepAlive(r);
    }
    boolean last = msg instanceof LastHttpContent;
    ReferenceCountUtil.release(msg);
    if (last) {
      responseDone = true;
      finish(keepAlive && requestDone && !givenUp);
    }
  }

  @Override
  public void upstreamReadComplete() {
    if (conn != null && !responseDone) {
      conn.channel().read();
    }
  }

  @Override
  public void upstreamWritabilityChanged(boolean writable) {}

  @Override
  public void upstreamClosed(Throwable cause) {
    conn = null;
    giveUp();
  }

  private void giveUp() {
    if (givenUp) {
      return;
    }
    givenUp = true;
    HttpObject o;
    while ((o = queue.poll()) != null) {
      ReferenceCountUtil.release(o);
    }
    finish(false);
  }

  private void finish(boolean reusable) {
    givenUp = true; // nothing more goes to this mirror
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    UpstreamConnection c = conn;
    conn = null;
    if (c != null) {
      upstreams.release(c, reusable, 0);
    }
  }
}
