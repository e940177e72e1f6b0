package dev.wayout.waypoint.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wayout.model.SourceIdentity;
import dev.wayout.waypoint.access.AccessLogWriter;
import dev.wayout.waypoint.admin.WaypointMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessLogHandlerTest {

  private final List<String> lines = new ArrayList<>();
  private final EmbeddedChannel ch =
      new EmbeddedChannel(
          new AccessLogHandler(
              new AccessLogWriter(
                  (line, length) -> lines.add(new String(line, 0, length, StandardCharsets.UTF_8)),
                  new WaypointMetrics()),
              SourceIdentity.of("shop", "checkout", "checkout", Map.of("app", "checkout"))));

  private void drain() {
    Object o;
    while ((o = ch.readInbound()) != null) {
      ReferenceCountUtil.release(o);
    }
    while ((o = ch.readOutbound()) != null) {
      ReferenceCountUtil.release(o);
    }
  }

  @Test
  void writesTheLineWhenTheLastResponsePartIsWritten() throws Exception {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/x");
    r.headers()
        .set("host", "aliyun.com")
        .set("user-agent", "curl/8.8.0")
        .set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    ch.writeInbound(r, new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[5])));
    ch.writeOutbound(
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.MOVED_PERMANENTLY));
    assertThat(lines).isEmpty();
    ch.writeOutbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[239])));

    assertThat(lines).hasSize(1);
    JsonNode json = new ObjectMapper().readTree(lines.get(0));
    assertThat(json.get("method").asText()).isEqualTo("POST");
    assertThat(json.get("bytes_received").asInt()).isEqualTo(5);
    assertThat(json.get("bytes_sent").asInt()).isEqualTo(239);
    assertThat(json.get("response_code").asInt()).isEqualTo(301);
    assertThat(json.get("source_namespace").asText()).isEqualTo("shop");
    assertThat(json.get("source_principal").asText())
        .isEqualTo("spiffe://cluster.local/ns/shop/sa/checkout");
    assertThat(json.get("source_workload").asText()).isEqualTo("checkout");
    assertThat(json.get("trace_id").asText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    drain();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void logsARequestCutShortByTheClientWithDownstreamDisconnect() throws Exception {
    ch.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
    drain();
    ch.close();
    assertThat(lines)
        .singleElement()
        .satisfies(
            l ->
                assertThat(new ObjectMapper().readTree(l).get("response_flags").asText())
                    .isEqualTo("DC"));
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }
}
