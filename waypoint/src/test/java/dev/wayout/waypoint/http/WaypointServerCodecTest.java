package dev.wayout.waypoint.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WaypointServerCodecTest {

  private static EmbeddedChannel channel() {
    return new EmbeddedChannel(new WaypointServerCodec(60 * 1024));
  }

  private static void write(EmbeddedChannel ch, String text) {
    ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
  }

  @Test
  void decodesAPlainRequestAndItsEmptyBody() {
    EmbeddedChannel ch = channel();
    write(ch, "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n");
    HttpRequest r = ch.readInbound();
    assertThat(r.decoderResult().isSuccess()).isTrue();
    LastHttpContent last = ch.readInbound();
    last.release();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void failsARequestWithAnObsFoldedHeaderLine() {
    EmbeddedChannel ch = channel();
    write(ch, "GET / HTTP/1.1\r\nHost: a.example\r\nX-A: 1\r\n");
    write(ch, " 2\r\n\r\n");
    HttpRequest r = ch.readInbound();
    assertThat(r.decoderResult().cause()).isInstanceOf(WaypointServerCodec.ObsFoldException.class);
    io.netty.util.ReferenceCountUtil.release(r);
    // Everything after the refused head is discarded, nothing else comes out.
    write(ch, "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n");
    assertThat((Object) ch.readInbound()).isNull();
    ch.finishAndReleaseAll();
  }

  @Test
  void failsAHeaderLineOverTheLimit() {
    EmbeddedChannel ch = channel();
    write(ch, "GET / HTTP/1.1\r\nHost: a.example\r\nX-Big: " + "x".repeat(61 * 1024) + "\r\n\r\n");
    HttpRequest r = ch.readInbound();
    assertThat(r.decoderResult().cause()).isInstanceOf(TooLongHttpHeaderException.class);
    io.netty.util.ReferenceCountUtil.release(r);
    ch.finishAndReleaseAll();
  }

  @Test
  void reportsAPartialHeadAsAPartialRequest() {
    EmbeddedChannel ch = channel();
    WaypointServerCodec codec = ch.pipeline().get(WaypointServerCodec.class);
    assertThat(codec.partialRequest()).isFalse();
    write(ch, "GET / HTTP/1.1\r\nHost: a.ex");
    assertThat(codec.partialRequest()).isTrue();
    write(ch, "ample\r\n\r\n");
    assertThat(codec.partialRequest()).isFalse();
    HttpRequest r = ch.readInbound();
    assertThat(r.headers().get("host")).isEqualTo("a.example");
    ((LastHttpContent) ch.readInbound()).release();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }
}
