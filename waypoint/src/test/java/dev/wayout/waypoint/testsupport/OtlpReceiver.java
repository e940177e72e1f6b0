package dev.wayout.waypoint.testsupport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
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
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * An OTLP/HTTP collector on 127.0.0.1 standing in for an OpenTelemetry collector: decodes each
 * {@code POST /v1/traces} body as OTLP protobuf ({@code ExportTraceServiceRequest}) and keeps the
 * spans it carried, with their resource.
 */
public final class OtlpReceiver implements AutoCloseable {

  /** One span as received: ids in hex, attributes as strings, and its resource's attributes. */
  public record Received(
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      Span.SpanKind kind,
      Map<String, String> attributes,
      Map<String, String> resource,
      boolean error,
      long startNanos,
      long endNanos) {}

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  public final List<Received> spans = new CopyOnWriteArrayList<>();
  public final List<String> contentTypes = new CopyOnWriteArrayList<>();

  public OtlpReceiver() throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new HttpServerCodec(),
                            new HttpObjectAggregator(16 << 20),
                            new Answer());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  /** The base URL, e.g. {@code http://127.0.0.1:4318}. */
  public String url() {
    return "http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
  }

  private final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
      HttpResponseStatus status = HttpResponseStatus.OK;
      byte[] body = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
      if (!req.uri().equals("/v1/traces")) {
        status = HttpResponseStatus.NOT_FOUND;
      } else {
        contentTypes.add(req.headers().get(HttpHeaderNames.CONTENT_TYPE));
        ExportTraceServiceRequest export =
            ExportTraceServiceRequest.parseFrom(ByteBufUtil.getBytes(req.content()));
        for (ResourceSpans rs : export.getResourceSpansList()) {
          Map<String, String> resource = attributes(rs.getResource());
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            for (Span s : ss.getSpansList()) {
              spans.add(
                  new Received(
                      hex(s.getTraceId().toByteArray()),
                      hex(s.getSpanId().toByteArray()),
                      hex(s.getParentSpanId().toByteArray()),
                      s.getName(),
                      s.getKind(),
                      attributes(s.getAttributesList()),
                      resource,
                      s.getStatus().getCode()
                          == io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR,
                      s.getStartTimeUnixNano(),
                      s.getEndTimeUnixNano()));
            }
          }
        }
      }
      FullHttpResponse res =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-protobuf");
      HttpUtil.setContentLength(res, body.length);
      ctx.writeAndFlush(res);
    }
  }

  private static Map<String, String> attributes(Resource r) {
    return attributes(r.getAttributesList());
  }

  private static Map<String, String> attributes(List<KeyValue> kvs) {
    return kvs.stream()
        .collect(
            Collectors.toMap(
                KeyValue::getKey,
                kv ->
                    kv.getValue().hasStringValue()
                        ? kv.getValue().getStringValue()
                        : kv.getValue().toString().trim()));
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
