package dev.wayout.waypoint.http;

import dev.wayout.waypoint.upstream.SmallTrailers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The downstream HTTP/1.1 codec: Netty's strict request decoder (RFC 9112 framing: Content-Length
 * with Transfer-Encoding, duplicate lengths, bad chunking and bad header names are decoder
 * failures) plus a refusal of obs-folded header lines, which Netty would silently join and which
 * other servers read differently (request smuggling). Responses to HEAD are encoded without a body.
 *
 * <p>A request without a body (most of them) is handed on as one {@link FullHttpRequest} rather
 * than a head and an empty last part: one trip through the pipeline instead of two, and one write
 * upstream. CONNECT stays a head alone, as the tunnel takes over the connection after it.
 */
public final class WaypointServerCodec
    extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {

  /** The decoder result of a request whose header block contains an obs-fold line. */
  public static final class ObsFoldException extends IllegalArgumentException {
    ObsFoldException() {
      super("obs-folded header line (a line starting with a space or tab) is not accepted");
    }
  }

  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();
  private Decoder decoder;

  public WaypointServerCodec(int maxHeaderBytes) {
    HttpDecoderConfig config =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(8192)
            .setMaxHeaderSize(maxHeaderBytes)
            .setMaxChunkSize(16 * 1024)
            .setTrailersFactory(SmallTrailers.FACTORY)
            .setStrictLineParsing(true)
            .setAllowDuplicateContentLengths(false)
            .setValidateHeaders(true);
    decoder = new Decoder(config);
    init(decoder, new Encoder());
  }

  /** True while part of a request's head has arrived but not all of it (a slow client). */
  public boolean partialRequest() {
    return decoder.partial();
  }

  private final class Decoder extends HttpRequestDecoder {
    private boolean inHeaders = true;
    private boolean lineConsumed;
    private boolean discarding;

    Decoder(HttpDecoderConfig config) {
      super(config);
    }

    boolean partial() {
      return inHeaders && (lineConsumed || internalBuffer().isReadable());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
        throws Exception {
      if (discarding) {
        in.skipBytes(in.readableBytes());
        return;
      }
      if (inHeaders && hasObsFold(in)) {
        discarding = true;
        in.skipBytes(in.readableBytes());
        HttpRequest bad =
            new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
        bad.setDecoderResult(DecoderResult.failure(new ObsFoldException()));
        out.add(bad);
        return;
      }
      int before = in.readerIndex();
      int size = out.size();
      super.decode(ctx, in, out);
      if (inHeaders && in.readerIndex() != before) {
        lineConsumed = true;
      }
      for (int i = size; i < out.size(); i++) {
        Object o = out.get(i);
        if (o instanceof HttpRequest r) {
          inHeaders = false;
          methods.add(r.method());
        }
        if (o instanceof LastHttpContent) {
          inHeaders = true;
          lineConsumed = false;
        }
      }
      for (int i = size; i < out.size() - 1; i++) {
        if (out.get(i) instanceof HttpRequest head
            && isBodiless(head, out.get(i + 1))
            && head.method() != HttpMethod.CONNECT) {
          LastHttpContent last = (LastHttpContent) out.remove(i + 1);
          // An empty buffer of its own, so that a retry can write the request a second time.
          out.set(
              i,
              new DefaultFullHttpRequest(
                  head.protocolVersion(),
                  head.method(),
                  head.uri(),
                  Unpooled.EMPTY_BUFFER,
                  head.headers(),
                  last.trailingHeaders()));
          last.release();
        }
      }
    }

    /** A cleanly decoded head followed straight away by its end: a request without a body. */
    private static boolean isBodiless(HttpRequest head, Object next) {
      return !(head instanceof HttpContent)
          && head.decoderResult().isSuccess()
          && next instanceof LastHttpContent last
          && last.decoderResult().isSuccess()
          && !last.content().isReadable();
    }

    /**
     * Looks for a header line that starts with SP or HT, up to the end of the header block. The
     * decoder consumes whole lines only, so the buffer always starts at a line boundary.
     */
    private boolean hasObsFold(ByteBuf in) {
      int start = in.readerIndex();
      int end = in.writerIndex();
      if (start < end && lineConsumed && isBlank(in.getByte(start))) {
        return true;
      }
      boolean sawText = false;
      for (int i = start; i < end - 1; i++) {
        byte b = in.getByte(i);
        if (b == '\n') {
          byte next = in.getByte(i + 1);
          if (next == '\r' || next == '\n') {
            if (sawText) {
              return false; // blank line: end of the header block
            }
          } else if (isBlank(next) && sawText) {
            return true;
          }
        } else if (b != '\r') {
          sawText = true;
        }
      }
      return false;
    }

    private static boolean isBlank(byte b) {
      return b == ' ' || b == '\t';
    }
  }

  private final class Encoder extends HttpResponseEncoder {
    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
      if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        return super.isContentAlwaysEmpty(msg);
      }
      HttpMethod method = methods.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }
  }
}
