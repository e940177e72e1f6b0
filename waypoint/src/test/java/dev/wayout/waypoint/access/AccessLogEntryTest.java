package dev.wayout.waypoint.access;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class AccessLogEntryTest {

  @Test
  void writesOneJsonObjectWithIstiosFieldNames() throws Exception {
    AccessLogEntry e = new AccessLogEntry();
    e.authority = "aliyun.com";
    e.method = "GET";
    e.path = "/\"quoted\"\n";
    e.responseCode = 301;
    e.bytesSent = 239;
    e.upstreamHost = AccessLogEntry.address(new InetSocketAddress("140.205.135.3", 80));
    e.downstreamRemote = AccessLogEntry.address(new InetSocketAddress("::1", 33356));
    e.flag("UF");
    e.flag("URX");
    e.flag("UF");
    e.upstreamServiceMillis = 23;

    JsonNode json = new ObjectMapper().readTree(e.toJson());

    assertThat(json.get("authority").asText()).isEqualTo("aliyun.com");
    assertThat(json.get("path").asText()).isEqualTo("/\"quoted\"\n");
    assertThat(json.get("response_code").asInt()).isEqualTo(301);
    assertThat(json.get("bytes_sent").asInt()).isEqualTo(239);
    assertThat(json.get("upstream_host").asText()).isEqualTo("140.205.135.3:80");
    assertThat(json.get("downstream_remote_address").asText()).isEqualTo("[0:0:0:0:0:0:0:1]:33356");
    assertThat(json.get("response_flags").asText()).isEqualTo("UF,URX");
    assertThat(json.get("upstream_service_time").asText()).isEqualTo("23");
    assertThat(json.get("trace_id").isNull()).isTrue();
    assertThat(json.get("start_time").asText())
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
  }

  @Test
  void escapesControlCharactersAndEncodesEverythingElseAsUtf8() throws Exception {
    AccessLogEntry e = new AccessLogEntry();
    e.userAgent = "caf\u00e9 \ud83d\ude00 tab\tbell\u0007 del\u007f back\\slash";
    e.path = "/" + "x".repeat(5000); // grows the reused buffer
    e.bytesReceived = 1234567890123L;

    String line = e.toJson();
    JsonNode json = new ObjectMapper().readTree(line);

    assertThat(json.get("user_agent").asText()).isEqualTo(e.userAgent);
    assertThat(json.get("path").asText()).isEqualTo(e.path);
    assertThat(json.get("bytes_received").asLong()).isEqualTo(1234567890123L);
    assertThat(line).contains("\\u0007").contains("\\u007f").doesNotContain("\t");
    // The next line from the same thread starts clean.
    assertThat(new ObjectMapper().readTree(new AccessLogEntry().toJson()).get("path").isNull())
        .isTrue();
  }

  @Test
  void isWrittenOnce() {
    AccessLogEntry e = new AccessLogEntry();
    assertThat(e.finish()).isTrue();
    assertThat(e.finish()).isFalse();
  }
}
