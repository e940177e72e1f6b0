package dev.wayout.waypoint.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The upstream HTTP/1.1 codec: Netty's request encoder and response decoder, paired as {@code
 * HttpClientCodec} pairs them so that the response to a HEAD request is read without a body. The
 * waypoint never sends CONNECT upstream (tunnels relay bytes), so that part of the client codec is
 * not needed. The decoder returns shared names for the response headers servers commonly send, and
 * shared words for their usual status lines, where Netty's response decoder copies every name and
 * word into two new objects: those copies were the largest single part of the waypoint's garbage
 * per request.
 *
 * <p>A response whose head and whole body arrive in one read is handed on as one {@link
 * FullHttpResponse} rather than a head and a last part: one trip through each pipeline instead of
 * two, and the client side encodes it into one buffer. A head whose body has not arrived by the end
 * of the read goes on alone, so a streamed response is never held back.
 */
final class UpstreamHttpCodec
    extends CombinedChannelDuplexHandler<HttpResponseDecoder, HttpRequestEncoder> {

  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

  UpstreamHttpCodec(int maxHeaderBytes) {
    HttpDecoderConfig config =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(4096)
            .setMaxHeaderSize(maxHeaderBytes)
            .setMaxChunkSize(16 * 1024)
            .setTrailersFactory(SmallTrailers.FACTORY);
    init(new Decoder(config), new Encoder());
  }

  private final class Encoder extends HttpRequestEncoder {
    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out)
        throws Exception {
      if (msg instanceof HttpRequest request) {
        methods.add(request.method());
      }
      super.encode(ctx, msg, out);
    }
  }

  private final class Decoder extends HttpResponseDecoder {
    private boolean inRead;
    private HttpResponse held;
    private int statusCode = -1;

    Decoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      inRead = true;
      try {
        super.channelRead(ctx, msg);
      } finally {
        inRead = false;
        HttpResponse head = held;
        held = null;
        if (head != null) {
          ctx.fireChannelRead(head); // its body comes in a later read
        }
      }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
        throws Exception {
      int from = out.size();
      super.decode(ctx, in, out);
      if (held != null && out.size() > from) {
        out.add(from, held);
        held = null;
      }
      for (int i = from; i < out.size() - 1; i++) {
        if (isBareHead(out.get(i))
            && out.get(i + 1) instanceof LastHttpContent last
            && last.decoderResult().isSuccess()) {
          out.set(i, whole((HttpResponse) out.get(i), last));
          out.remove(i + 1);
        }
      }
      int end = out.size() - 1;
      if (inRead && end >= from && isBareHead(out.get(end))) {
        held = (HttpResponse) out.remove(end);
      }
    }

    /** A final response's head, decoded cleanly, whose body is still to come. */
    private static boolean isBareHead(Object o) {
      return o instanceof HttpResponse r
          && !(o instanceof HttpContent)
          && r.decoderResult().isSuccess()
          && r.status().codeClass() != HttpStatusClass.INFORMATIONAL;
    }

    private static FullHttpResponse whole(HttpResponse head, LastHttpContent last) {
      return new DefaultFullHttpResponse(
          head.protocolVersion(),
          head.status(),
          last.content(),
          head.headers(),
          last.trailingHeaders());
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      if (((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        return super.isContentAlwaysEmpty(msg); // not the final response to a request
      }
      HttpMethod method = methods.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }

    @Override
    protected String splitFirstWordInitialLine(byte[] line, int start, int length) {
      String known = CommonStatusLines.version(line, start, length);
      return known != null ? known : super.splitFirstWordInitialLine(line, start, length);
    }

    @Override
    protected String splitSecondWordInitialLine(byte[] line, int start, int length) {
      statusCode = CommonStatusLines.code(line, start, length);
      return statusCode >= 0
          ? CommonStatusLines.codeText(statusCode)
          : super.splitSecondWordInitialLine(line, start, length);
    }

    @Override
    protected String splitThirdWordInitialLine(byte[] line, int start, int length) {
      String known = CommonStatusLines.reason(statusCode, line, start, length);
      return known != null ? known : super.splitThirdWordInitialLine(line, start, length);
    }

    @Override
    protected AsciiString splitHeaderName(byte[] line, int start, int length) {
      AsciiString known = CommonResponseHeaders.find(line, start, length);
      return known != null ? known : super.splitHeaderName(line, start, length);
    }
  }
}
