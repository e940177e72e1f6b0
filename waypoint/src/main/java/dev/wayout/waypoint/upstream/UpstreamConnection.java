package dev.wayout.waypoint.upstream;

import dev.wayout.waypoint.access.AccessLogEntry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;

/**
 * One connection to an upstream, either serving one exchange at a time or idle in its pool. It is
 * also the last handler of the upstream pipeline ({@code [SslHandler] -> UpstreamHttpCodec ->
 * this}), handing response parts to the bound exchange. AUTO_READ is off: the exchange asks for
 * reads.
 */
public final class UpstreamConnection extends ChannelDuplexHandler {

  final PoolKey key;
  final String destinationHost;
  Channel channel;

  /** The cluster and endpoint of the exchange this connection serves (set when acquired). */
  UpstreamCluster cluster;

  ClusterEndpoint endpoint;

  /** Whether bind() counted this connection's request in its endpoint's and cluster's counts. */
  private boolean countedActive;

  private boolean countedInFlight;
  private UpstreamListener listener;
  private int requests;
  private boolean reused;
  private boolean idle;

  /** The route's {@code connectionPool.http.idleTimeout}: how long it may wait in its pool. */
  final long idleTimeoutNanos;

  UpstreamConnection(PoolKey key, String destinationHost, long idleTimeoutNanos) {
    this.key = key;
    this.destinationHost = destinationHost;
    this.idleTimeoutNanos = idleTimeoutNanos;
  }

  private String remoteText;
  private String localText;

  public Channel channel() {
    return channel;
  }

  /** The upstream's address as the access log prints it, computed once per connection. */
  public String remoteText() {
    if (remoteText == null) {
      remoteText = AccessLogEntry.address(channel.remoteAddress());
    }
    return remoteText;
  }

  public String localText() {
    if (localText == null) {
      localText = AccessLogEntry.address(channel.localAddress());
    }
    return localText;
  }

  /** True if this connection served a request before: it may have been closed by the upstream. */
  public boolean reused() {
    return reused;
  }

  /** Binds the exchange that this connection now serves. */
  public void bind(UpstreamListener l) {
    listener = l;
    idle = false;
    requests++;
    UpstreamCluster c = cluster;
    if (c != null) {
      if (c.countsActive() && endpoint != null) {
        endpoint.active.incrementAndGet();
        countedActive = true;
      }
      if (c.limits().maxRequests() > 0) {
        c.inFlight.incrementAndGet();
        countedInFlight = true;
      }
    }
  }

  /** The cluster the connection's current (or last) exchange was picked for. */
  public UpstreamCluster cluster() {
    return cluster;
  }

  void assign(UpstreamCluster c, ClusterEndpoint e) {
    cluster = c;
    endpoint = e;
  }

  /** Ends what bind() counted: the exchange is over, or the connection is gone. */
  private void uncount() {
    if (countedActive) {
      countedActive = false;
      endpoint.active.decrementAndGet();
    }
    if (countedInFlight) {
      countedInFlight = false;
      cluster.inFlight.decrementAndGet();
    }
  }

  int requests() {
    return requests;
  }

  private long idleExpiry;

  /** Unbinds the exchange; the connection may be closed as idle from {@code expiry} (nanoTime). */
  void parkIdle(long expiry) {
    uncount();
    listener = null;
    idle = true;
    reused = true;
    idleExpiry = expiry;
  }

  long idleExpiry() {
    return idleExpiry;
  }

  boolean takeFromPool() {
    idle = false;
    return channel.isActive();
  }

  boolean isIdle() {
    return idle;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    UpstreamListener l = listener;
    if (l == null || !(msg instanceof HttpObject)) {
      // Bytes from an idle upstream are not an answer to anything: drop the connection.
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    l.upstreamRead((HttpObject) msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    if (l != null) {
      l.upstreamReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    UpstreamListener l = listener;
    if (l != null) {
      l.upstreamWritabilityChanged(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    uncount();
    UpstreamListener l = listener;
    listener = null;
    if (l != null) {
      l.upstreamClosed(null);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    uncount();
    UpstreamListener l = listener;
    listener = null;
    ctx.close();
    if (l != null) {
      l.upstreamClosed(cause);
    }
  }
}
