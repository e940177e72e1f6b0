package dev.wayout.waypoint.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestTargetTest {

  private static HttpRequest request(String method, String uri, String host) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), uri);
    if (host != null) {
      r.headers().set("host", host);
    }
    return r;
  }

  @ParameterizedTest
  @CsvSource({
    "GET, /, aliyun.com, aliyun.com, 80, /",
    "GET, /a?b=c, Aliyun.COM.:8080, aliyun.com, 8080, /a?b=c",
    "GET, http://aliyun.com/x, ignored.example, aliyun.com, 80, /x",
    "GET, http://aliyun.com:81?q, , aliyun.com, 81, /?q",
    "GET, HTTP://aliyun.com, , aliyun.com, 80, /",
    "CONNECT, aliyun.com:443, , aliyun.com, 443, /",
    "GET, /, [2001:db8::1]:8080, 2001:db8::1, 8080, /",
  })
  void readsHostPortAndPath(
      String method, String uri, String host, String wantHost, int wantPort, String wantPath)
      throws Exception {
    RequestTarget t = RequestTarget.of(request(method, uri, host));
    assertThat(t.host()).isEqualTo(wantHost);
    assertThat(t.port()).isEqualTo(wantPort);
    assertThat(t.path()).isEqualTo(wantPath);
  }

  @ParameterizedTest
  @CsvSource({
    "GET, /, , no Host header",
    "GET, https://aliyun.com/, , CONNECT for https",
    "GET, http://user@aliyun.com/, , bad host",
    "GET, /, aliyun.com:99999, bad port",
    "GET, /, aliyun.com:, bad port",
    "CONNECT, aliyun.com, , CONNECT needs host:port",
    "GET, *, aliyun.com, neither /path nor http://host/path",
  })
  void refusesWhatCannotBeRouted(String method, String uri, String host, String message) {
    assertThatThrownBy(() -> RequestTarget.of(request(method, uri, host)))
        .hasMessageContaining(message);
  }
}
