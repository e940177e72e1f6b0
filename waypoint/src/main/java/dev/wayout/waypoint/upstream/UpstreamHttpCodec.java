package dev.wayout.waypoint.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The upstream HTTP/1.1 codec: Netty's request encoder and response decoder, paired as {@code
 * HttpClientCodec} pairs them so that the response to a HEAD request is read without a body. The
 * waypoint never sends CONNECT upstream (tunnels relay bytes), so that part of the client codec is
 * not needed. The decoder returns shared names for the response headers servers commonly send,
 * where Netty's response decoder copies every name into two new objects: those copies were the
 * largest single part of the waypoint's garbage per request.
 */
final class UpstreamHttpCodec
    extends CombinedChannelDuplexHandler<HttpResponseDecoder, HttpRequestEncoder> {

  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

  UpstreamHttpCodec(int maxHeaderBytes) {
    HttpDecoderConfig config =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(4096)
            .setMaxHeaderSize(maxHeaderBytes)
            .setMaxChunkSize(16 * 1024);
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
    Decoder(HttpDecoderConfig config) {
      super(config);
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
    protected AsciiString splitHeaderName(byte[] line, int start, int length) {
      AsciiString known = CommonResponseHeaders.find(line, start, length);
      return known != null ? known : super.splitHeaderName(line, start, length);
    }
  }
}
