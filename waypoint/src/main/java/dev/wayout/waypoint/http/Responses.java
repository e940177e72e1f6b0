package dev.wayout.waypoint.http;

import dev.wayout.waypoint.policy.Route;
import dev.wayout.waypoint.upstream.UpstreamFailure;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The waypoint's own answers (403, 400, 503...): a short text body that says what to do. */
final class Responses {

  private Responses() {}

  static FullHttpResponse text(
      ByteBufAllocator alloc, HttpResponseStatus status, String body, boolean close) {
    byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
    ByteBuf content = alloc.buffer(bytes.length).writeBytes(bytes);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
        .set("x-wayout-refusal", "true");
    if (close) {
      r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return r;
  }

  /** The answer when the upstream failed before its response started ({@link UpstreamFailure}). */
  static FullHttpResponse upstreamFailure(
      ByteBufAllocator alloc, HttpResponseStatus status, String host, Route route, String reason) {
    return text(alloc, status, UpstreamFailure.answer(status, host, route, reason), false);
  }
}
