package dev.wayout.waypoint.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.model.IstioDocuments;
import dev.wayout.model.SourceIdentity;
import dev.wayout.waypoint.access.AccessLogEntry;
import dev.wayout.waypoint.policy.EgressPolicy;
import dev.wayout.waypoint.policy.EgressPolicyBuilder;
import dev.wayout.waypoint.policy.WaypointBinding;
import dev.wayout.waypoint.upstream.TlsContexts;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EgressPolicyHandlerTest {

  private static final EgressPolicy POLICY =
      new EgressPolicyBuilder(
              () -> WaypointBinding.everything("waypoint"),
              new TlsContexts(null, null),
              Duration.ofSeconds(1),
              Duration.ofSeconds(1))
          .build(
              IstioDocuments.parse(
                  """
                  apiVersion: networking.istio.io/v1
                  kind: ServiceEntry
                  metadata: {name: aliyun, namespace: istio-egress}
                  spec:
                    hosts: [aliyun.com]
                    ports: [{number: 80, name: http, protocol: HTTP}]
                    resolution: DNS
                  """,
                  "t.yaml",
                  "default"));

  private static EmbeddedChannel channel(String namespace) {
    EmbeddedChannel ch = new EmbeddedChannel(new EgressPolicyHandler(() -> POLICY, "waypoint"));
    AccessLogEntry entry = new AccessLogEntry();
    entry.source = SourceIdentity.of(namespace, null, null, null);
    ch.attr(AccessLogHandler.ENTRY).set(entry);
    return ch;
  }

  @Test
  void passesAnAllowedRequestOnInOriginFormWithARequestId() {
    EmbeddedChannel ch = channel(null);
    HttpRequest r =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "http://aliyun.com/x");
    ch.writeInbound(r);
    RoutedRequest routed = ch.readInbound();
    assertThat(routed.route().host()).isEqualTo("aliyun.com");
    assertThat(routed.request().uri()).isEqualTo("/x");
    assertThat(routed.request().headers().get("host")).isEqualTo("aliyun.com");
    assertThat(routed.request().headers().get("x-request-id")).hasSize(36);
    assertThat(ch.attr(AccessLogHandler.ENTRY).get().routeName).isEqualTo("default");
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }

  @Test
  void refusesAnUnregisteredHostNamingTheNamespaceAndTheFix() {
    EmbeddedChannel ch = channel("shop");
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    r.headers().set("host", "evil.example.com:443");
    ch.writeInbound(r, LastHttpContent.EMPTY_LAST_CONTENT);
    FullHttpResponse response = ch.readOutbound();
    assertThat(response.status().code()).isEqualTo(403);
    assertThat(response.content().toString(StandardCharsets.UTF_8))
        .startsWith(
            "egress to evil.example.com:443 is not allowed from namespace shop; declare it in a ServiceEntry in shop");
    response.release();
    assertThat(ch.attr(AccessLogHandler.ENTRY).get().responseFlags()).isEqualTo("NR");
    assertThat((Object) ch.readInbound()).isNull();
    assertThat(ch.finishAndReleaseAll()).isFalse();
  }
}
