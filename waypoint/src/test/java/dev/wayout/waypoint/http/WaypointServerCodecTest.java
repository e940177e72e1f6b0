package dev.wayout.waypoint.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
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
  void decodesARequestWithoutABodyAsOneMessage() {
    EmbeddedChannel ch = channel();
    write(ch, "GET / HTTP/1.1\r\nHost: a.example\r\n\r\n");
    FullHttpRequest r = ch.readInbound();
    assertThat(r.decoderResult().isSuccess()).isTrue();
    assertThat(r.headers().get("host")).isEqualTo("a.example");
    assertThat(r.content().readableBytes()).isZero();
    r.release();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void decodesARequestWithABodyAsAHeadAndItsParts() {
    EmbeddedChannel ch = channel();
    write(ch, "POST / HTTP/1.1\r\nHost: a.example\r\nContent-Length: 2\r\n\r\nok");
    HttpRequest r = ch.readInbound();
    assertThat(r).isNotInstanceOf(FullHttpRequest.class);
    LastHttpContent last = ch.readInbound();
    assertThat(last.content().toString(StandardCharsets.ISO_8859_1)).isEqualTo("ok");
    last.release();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void keepsConnectAHeadAloneForTheTunnel() {
    EmbeddedChannel ch = channel();
    write(ch, "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n");
    HttpRequest r = ch.readInbound();
    assertThat(r).isNotInstanceOf(FullHttpRequest.class);
    ((LastHttpContent) ch.readInbound()).release();
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
    FullHttpRequest r = ch.readInbound();
    assertThat(r.headers().get("host")).isEqualTo("a.example");
    r.release();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }
}
