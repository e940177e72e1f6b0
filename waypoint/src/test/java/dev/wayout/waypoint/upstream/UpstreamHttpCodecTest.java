package dev.wayout.waypoint.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamHttpCodecTest {

  private final EmbeddedChannel channel = new EmbeddedChannel(new UpstreamHttpCodec(60 * 1024));

  @Test
  void headerNamesKeepTheCaseTheServerSent() {
    send(HttpMethod.GET);
    List<Object> parts =
        receive(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-type: text/plain\r\n"
                + "X-Custom-Thing: a\r\nETAG: \"x\"\r\n\r\nok");
    HttpResponse response = (HttpResponse) parts.get(0);
    assertThat(response.headers().names())
        .containsExactly("Content-Length", "content-type", "X-Custom-Thing", "ETAG");
    assertThat(response.headers().get("etag")).isEqualTo("\"x\"");
    assertThat(body(parts)).isEqualTo("ok");
    assertThat(parts.get(parts.size() - 1)).isInstanceOf(LastHttpContent.class);
    release(parts);
  }

  @Test
  void theResponseToHeadHasNoBodyAndTheNextResponseFollowsIt() {
    send(HttpMethod.HEAD);
    send(HttpMethod.GET);
    List<Object> parts =
        receive(
            "HTTP/1.1 301 Moved Permanently\r\nContent-Length: 239\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    assertThat(statuses(parts)).containsExactly(301, 200);
    assertThat(body(parts)).isEqualTo("hello");
    release(parts);
  }

  @Test
  void informationalResponsesDoNotUseUpTheRequest() {
    send(HttpMethod.HEAD);
    List<Object> parts =
        receive(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n");
    // The 200 answers the HEAD (no body): the 204 after it is read as the next response.
    assertThat(statuses(parts)).containsExactly(100, 200, 204);
    release(parts);
  }

  @Test
  void aResponseReadWholeComesAsOneMessage() {
    send(HttpMethod.GET);
    List<Object> parts = receive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    assertThat(parts).hasSize(1).first().isInstanceOf(FullHttpResponse.class);
    assertThat(body(parts)).isEqualTo("hello");
    release(parts);
  }

  @Test
  void aHeadWhoseBodyIsLateGoesOnAtTheEndOfItsRead() {
    send(HttpMethod.GET);
    List<Object> head = receive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe");
    assertThat(head).hasSize(2);
    assertThat(head.get(0)).isInstanceOf(HttpResponse.class).isNotInstanceOf(HttpContent.class);
    List<Object> rest = receive("llo");
    assertThat(rest).hasSize(1).first().isInstanceOf(LastHttpContent.class);
    assertThat(body(head) + body(rest)).isEqualTo("hello");
    release(head);
    release(rest);

    send(HttpMethod.GET);
    List<Object> alone = receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    assertThat(alone).hasSize(1).first().isNotInstanceOf(HttpContent.class);
    List<Object> chunks = receive("3\r\nabc\r\n0\r\n\r\n");
    assertThat(body(chunks)).isEqualTo("abc");
    assertThat(chunks.get(chunks.size() - 1)).isInstanceOf(LastHttpContent.class);
    release(chunks);
  }

  @Test
  void findsOnlyExactNames() {
    byte[] line = "xContent-Lengthx".getBytes(StandardCharsets.US_ASCII);
    assertThat(name(CommonResponseHeaders.find(line, 1, 14))).isEqualTo("Content-Length");
    byte[] lower = "content-length".getBytes(StandardCharsets.US_ASCII);
    assertThat(name(CommonResponseHeaders.find(lower, 0, 14))).isEqualTo("content-length");
    byte[] mixed = "Content-length".getBytes(StandardCharsets.US_ASCII);
    assertThat(name(CommonResponseHeaders.find(mixed, 0, 14))).isNull();
    byte[] longer =
        "X-Very-Long-Header-Name-Nobody-Sends-Often".getBytes(StandardCharsets.US_ASCII);
    assertThat(name(CommonResponseHeaders.find(longer, 0, longer.length))).isNull();
  }

  @Test
  void statusLinesKeepTheirWordsWhetherUsualOrNot() {
    String[] lines = {
      "HTTP/1.1 200 OK",
      "HTTP/1.1 404 Not Found",
      "HTTP/1.1 200 Fine",
      "HTTP/1.0 503 Service Unavailable",
      "HTTP/1.1 299 Whatever",
      "HTTP/1.1 200 ",
    };
    for (String line : lines) {
      send(HttpMethod.GET);
      List<Object> parts = receive(line + "\r\nContent-Length: 0\r\n\r\n");
      HttpResponse response = (HttpResponse) parts.get(0);
      assertThat(response.decoderResult().isSuccess()).as(line).isTrue();
      assertThat(response.protocolVersion() + " " + response.status()).isEqualTo(line);
      release(parts);
    }
  }

  @Test
  void findsOnlyTheUsualStatusWords() {
    byte[] line = "HTTP/1.1 200 OK".getBytes(StandardCharsets.US_ASCII);
    assertThat(CommonStatusLines.version(line, 0, 8)).isEqualTo("HTTP/1.1");
    assertThat(CommonStatusLines.code(line, 9, 3)).isEqualTo(200);
    assertThat(CommonStatusLines.codeText(200)).isEqualTo("200");
    assertThat(CommonStatusLines.reason(200, line, 13, 2)).isEqualTo("OK");
    byte[] odd = "HTTP/1.0 2x0 Ok".getBytes(StandardCharsets.US_ASCII);
    assertThat(CommonStatusLines.version(odd, 0, 8)).isNull();
    assertThat(CommonStatusLines.code(odd, 9, 3)).isEqualTo(-1);
    assertThat(CommonStatusLines.code(line, 9, 4)).isEqualTo(-1);
    assertThat(CommonStatusLines.reason(200, odd, 13, 2)).isNull();
    assertThat(CommonStatusLines.reason(-1, line, 13, 2)).isNull();
  }

  private static String name(CharSequence found) {
    return found == null ? null : found.toString();
  }

  private void send(HttpMethod method) {
    assertThat(channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/")))
        .isTrue();
    ByteBuf out;
    while ((out = channel.readOutbound()) != null) {
      out.release();
    }
  }

  private List<Object> receive(String wire) {
    channel.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.US_ASCII));
    List<Object> parts = new ArrayList<>();
    Object o;
    while ((o = channel.readInbound()) != null) {
      parts.add(o);
    }
    return parts;
  }

  private static List<Integer> statuses(List<Object> parts) {
    List<Integer> statuses = new ArrayList<>();
    for (Object part : parts) {
      if (part instanceof HttpResponse r) {
        statuses.add(r.status().code());
      }
    }
    return statuses;
  }

  private static String body(List<Object> parts) {
    StringBuilder b = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof HttpContent c) {
        b.append(c.content().toString(StandardCharsets.US_ASCII));
      }
    }
    return b.toString();
  }

  private static void release(List<Object> parts) {
    for (Object part : parts) {
      if (part instanceof HttpContent c) {
        c.release();
      }
    }
  }
}
