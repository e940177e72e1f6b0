package dev.wayout.waypoint.testsupport;

import dev.wayout.certs.CertificateAuthority;
import dev.wayout.certs.ServingCertificate;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 server on 127.0.0.1 (optionally HTTPS) standing in for an external service. By
 * default it answers like the seed's aliyun.com: 301, a 239-byte body, Location
 * https://aliyun.com/. It records every complete request and counts connections.
 */
public final class TestUpstream implements AutoCloseable {

  /** What the upstream saw of one request. */
  public record Seen(
      String method, String uri, Map<String, String> headers, String body, boolean tls) {}

  public static final String SEED_BODY = seedBody();

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  public final List<Seen> requests = new CopyOnWriteArrayList<>();
  public final AtomicInteger connections = new AtomicInteger();

  /** When above 0, every request is answered with this status (an upstream gone bad). */
  public volatile int forcedStatus;

  /** While above 0, each request is answered 503 (and the count goes down): a flaky upstream. */
  public final AtomicInteger failNext = new AtomicInteger();

  /** How long each answer waits, in milliseconds: a slow upstream (or mirror). */
  public volatile long delayMillis;

  private final io.netty.channel.group.ChannelGroup children =
      new io.netty.channel.group.DefaultChannelGroup(
          io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
  private final boolean tls;

  private TestUpstream(SslContext ssl) throws InterruptedException {
    this.tls = ssl != null;
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.incrementAndGet();
                    children.add(ch);
                    if (ssl != null) {
                      ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(
                            new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Answer());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  public static TestUpstream http() throws InterruptedException {
    return new TestUpstream(null);
  }

  public static TestUpstream https(SslContext serverContext) throws InterruptedException {
    return new TestUpstream(serverContext);
  }

  /** An HTTPS upstream serving a certificate for {@code host} signed by the test CA {@code ca}. */
  public static TestUpstream https(CertificateAuthority ca, String host) throws Exception {
    Clock clock = Clock.systemUTC();
    ServingCertificate cert = ca.issueServing(clock, List.of(host), List.of(), Duration.ofDays(1));
    return https(
        SslContextBuilder.forServer(cert.privateKey(), cert.chain().toArray(new X509Certificate[0]))
            .build());
  }

  /** Closes every connection, as an upstream does with idle keep-alive connections. */
  public void closeConnections() {
    children.close().syncUninterruptibly();
  }

  /** Connections from the waypoint that are open now. */
  public int openConnections() {
    return children.size();
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  private static String seedBody() {
    String head =
        "<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n"
            + "<center><h1>301 Moved Permanently</h1></center>\r\n";
    String tail = "<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n";
    StringBuilder b = new StringBuilder(head);
    while (b.length() + tail.length() < 239) {
      b.append(' ');
    }
    return b.append(tail).toString();
  }

  private final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      Map<String, String> headers = new ConcurrentHashMap<>();
      req.headers().forEach(e -> headers.put(e.getKey().toLowerCase(), e.getValue()));
      requests.add(
          new Seen(
              req.method().name(),
              req.uri(),
              headers,
              req.content().toString(StandardCharsets.UTF_8),
              tls));
      byte[] body = SEED_BODY.getBytes(StandardCharsets.US_ASCII);
      FullHttpResponse res;
      int forced = forcedStatus;
      if (forced > 0) {
        res =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(forced),
                Unpooled.copiedBuffer("forced " + forced, StandardCharsets.UTF_8));
      } else if (req.uri().startsWith("/echo")) {
        byte[] echo =
            (req.method().name()
                    + " "
                    + req.uri()
                    + " "
                    + req.content().toString(StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        res =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(echo));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
      } else {
        res =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.MOVED_PERMANENTLY,
                Unpooled.wrappedBuffer(body));
        res.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, "text/html")
            .set(HttpHeaderNames.LOCATION, "https://aliyun.com/")
            .set(HttpHeaderNames.SERVER, "Tengine");
      }
      if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        res.release();
        res =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.SERVICE_UNAVAILABLE,
                Unpooled.wrappedBuffer("flaky".getBytes(StandardCharsets.US_ASCII)));
      }
      HttpUtil.setContentLength(res, res.content().readableBytes());
      boolean keepAlive = HttpUtil.isKeepAlive(req);
      if (delayMillis > 0) {
        FullHttpResponse later = res;
        HttpUtil.setKeepAlive(later, keepAlive);
        ctx.executor()
            .schedule(
                () -> ctx.writeAndFlush(later),
                delayMillis,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        return;
      }
      if (req.uri().startsWith("/slow")) {
        // Answers after 500 ms: a request that is in flight while the test does something else.
        FullHttpResponse later = res;
        HttpUtil.setKeepAlive(later, keepAlive);
        ctx.executor()
            .schedule(
                () -> ctx.writeAndFlush(later), 500, java.util.concurrent.TimeUnit.MILLISECONDS);
        return;
      }
      HttpUtil.setKeepAlive(res, keepAlive);
      var written = ctx.writeAndFlush(res);
      if (!keepAlive) {
        written.addListener(io.netty.channel.ChannelFutureListener.CLOSE);
      }
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
