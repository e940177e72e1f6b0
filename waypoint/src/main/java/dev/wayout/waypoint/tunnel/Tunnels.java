package dev.wayout.waypoint.tunnel;

import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.access.AccessLogWriter;
import dev.wayout.waypoint.policy.Route;
import dev.wayout.waypoint.upstream.UpstreamAddresses;
import dev.wayout.waypoint.upstream.UpstreamBootstrap;
import dev.wayout.waypoint.upstream.UpstreamFailure;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Byte tunnels to registered hosts: CONNECT on 15001 and SNI passthrough on 15443. The upstream
 * address goes through the same resolution and address check as HTTP; the bytes are never looked
 * at. A tunnel is logged once, when both sides have closed.
 */
public final class Tunnels {

  private final UpstreamAddresses addresses;
  private final AccessLogWriter writer;
  private final Class<? extends SocketChannel> channelType;

  public Tunnels(
      UpstreamAddresses addresses,
      AccessLogWriter writer,
      Class<? extends SocketChannel> channelType) {
    this.addresses = addresses;
    this.writer = writer;
    this.channelType = channelType;
  }

  /** Connects a TCP upstream for the route; completes on the loop with the connected channel. */
  Future<Channel> open(EventLoop loop, Route route, String host, AccessLogEntry log) {
    Promise<Channel> promise = loop.newPromise();
    log.tunnel = true;
    addresses.resolveThen(
        loop, route, host, promise, targets -> dial(loop, route, targets, 0, promise));
    return promise;
  }

  private void dial(
      EventLoop loop,
      Route route,
      List<InetSocketAddress> targets,
      int attempt,
      Promise<Channel> promise) {
    InetSocketAddress target = targets.get(attempt % targets.size());
    UpstreamBootstrap.on(loop, channelType, route)
        .handler(new ChannelInboundHandlerAdapter())
        .connect(target)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    promise.trySuccess(f.channel());
                  } else if (attempt == 0) {
                    dial(loop, route, targets, 1, promise);
                  } else {
                    promise.tryFailure(UpstreamFailure.connectFailed(target, f.cause(), true));
                  }
                });
  }

  /**
   * Joins a client and a connected upstream: bytes flow both ways from now on, and the entry is
   * written when both sides are closed. {@code client} must have no handlers left that look at
   * bytes.
   */
  void join(Channel client, Channel upstream, AccessLogEntry log) {
    log.upstreamHost = AccessLogEntry.address(upstream.remoteAddress());
    log.upstreamLocal = AccessLogEntry.address(upstream.localAddress());
    writer.tunnelOpened(log);
    AtomicInteger open = new AtomicInteger(2);
    Runnable closed =
        () -> {
          if (open.decrementAndGet() == 0) {
            writer.write(log);
          }
        };
    ChannelPipeline up = upstream.pipeline();
    for (String name : up.names()) {
      if (up.context(name) != null) {
        up.remove(name);
      }
    }
    up.addLast(new RelayHandler(client, log, false, closed));
    client.pipeline().addLast(new RelayHandler(upstream, log, true, closed));
    if (!upstream.isActive()) {
      closed.run();
    }
    client.read();
    upstream.read();
  }

  /** Logs a tunnel that never opened. */
  void refused(AccessLogEntry log) {
    writer.write(log);
  }

  /**
   * CONNECT host:port on 15001: after the policy allowed it, dial the upstream, answer 200, and
   * turn the client connection into a byte tunnel (HTTP handlers removed).
   */
  public void connect(
      ChannelHandlerContext ctx, Route route, String host, int port, AccessLogEntry log) {
    Channel client = ctx.channel();
    open(client.eventLoop(), route, host, log)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                refuseConnect(ctx, route, host, log, f.cause());
                return;
              }
              Channel upstream = (Channel) f.getNow();
              if (!client.isActive()) {
                upstream.close();
                return;
              }
              log.responseCode = 200;
              keepOnlyCodec(client, ctx.name());
              FullHttpResponse ok =
                  new DefaultFullHttpResponse(
                      HttpVersion.HTTP_1_1, new HttpResponseStatus(200, "Connection Established"));
              ctx.writeAndFlush(ok)
                  .addListener(
                      (ChannelFutureListener)
                          w -> {
                            if (!w.isSuccess()) {
                              upstream.close();
                              return;
                            }
                            ChannelPipeline p = client.pipeline();
                            p.remove(ctx.handler());
                            if (route.port().isTls()) {
                              p.addLast(
                                  new ConnectSniCheck(route, upstream, log, Tunnels.this, 10_000));
                            } else {
                              join(client, upstream, log);
                            }
                            // Last: bytes the client sent early, still in the codec, go on to
                            // the handler just added rather than being lost.
                            p.remove("codec");
                            client.read();
                          });
            });
  }

  private static void keepOnlyCodec(Channel client, String keep) {
    ChannelPipeline p = client.pipeline();
    for (String name : p.names()) {
      ChannelHandler h = p.get(name);
      if (h != null && !name.equals(keep) && !name.equals("codec")) {
        p.remove(name);
      }
    }
  }

  private void refuseConnect(
      ChannelHandlerContext ctx, Route route, String host, AccessLogEntry log, Throwable cause) {
    UpstreamFailure failure = UpstreamFailure.of(cause);
    for (String flag : failure.flag().split(",")) {
      log.flag(flag);
    }
    log.responseCode = failure.status().code();
    log.upstreamTransportFailureReason = failure.reason();
    String answer = UpstreamFailure.answer(failure.status(), host, route, failure.reason());
    byte[] body = (answer + "\n").getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, failure.status(), Unpooled.wrappedBuffer(body));
    r.headers()
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CONNECTION, "close");
    refused(log);
    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
  }
}
