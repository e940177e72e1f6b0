package dev.wayout.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RotationConfigTest {

  @Test
  void defaultsFollowTheService() {
    RotationConfig config = RotationConfig.fromEnv(Map.of());
    assertThat(config.namespace()).isEqualTo("wayout-system");
    assertThat(config.secretName()).isEqualTo("wayout-webhook-tls");
    assertThat(config.names().dnsNames())
        .containsExactly(
            "wayout-webhook",
            "wayout-webhook.wayout-system",
            "wayout-webhook.wayout-system.svc",
            "wayout-webhook.wayout-system.svc.cluster.local");
    assertThat(config.caValidity()).isEqualTo(Duration.ofDays(365));
    assertThat(config.servingValidity()).isEqualTo(Duration.ofDays(7));
    assertThat(config.checkPeriod()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void readsTheEnvironment() {
    RotationConfig config =
        RotationConfig.fromEnv(
            Map.of(
                "WAYOUT_NAMESPACE", "egress",
                "WAYOUT_WEBHOOK_SERVICE", "hook",
                "WAYOUT_CERTS_DNS_NAMES", "hook.example.com, other.example.com",
                "WAYOUT_CERTS_IP_ADDRESSES", "127.0.0.1",
                "WAYOUT_CERTS_CA_VALIDITY", "60s",
                "WAYOUT_CERTS_SERVING_VALIDITY", "20s",
                "WAYOUT_CERTS_CHECK_PERIOD", "1s",
                "WAYOUT_CERTS_OVERLAP", "PT4S"));
    assertThat(config.names().dnsNames()).contains("hook.egress.svc", "other.example.com");
    assertThat(config.names().ipAddresses()).containsExactly("127.0.0.1");
    assertThat(config.overlap()).isEqualTo(Duration.ofSeconds(4));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "WAYOUT_CERTS_CHECK_PERIOD | 5x | WAYOUT_CERTS_CHECK_PERIOD: \"5x\" (expected a duration such as 20s",
        "WAYOUT_CERTS_CHECK_PERIOD | 3d | checkPeriod (WAYOUT_CERTS_CHECK_PERIOD): PT72H is not shorter than a third",
        "WAYOUT_CERTS_SERVING_VALIDITY | 400d | servingValidity (WAYOUT_CERTS_SERVING_VALIDITY): PT9600H is not shorter than caValidity",
        "WAYOUT_CERTS_OVERLAP | 30s | overlap (WAYOUT_CERTS_OVERLAP): PT30S is shorter than checkPeriod",
        "WAYOUT_CERTS_OVERLAP | 0s | overlap (WAYOUT_CERTS_OVERLAP): PT0S (expected a positive duration)",
        "WAYOUT_CERTS_IP_ADDRESSES | localhost | WAYOUT_WEBHOOK_SERVICE, WAYOUT_CERTS_DNS_NAMES or WAYOUT_CERTS_IP_ADDRESSES: \"localhost\" is not an IP address",
        "WAYOUT_CERTS_DNS_NAMES | bad_name | WAYOUT_WEBHOOK_SERVICE, WAYOUT_CERTS_DNS_NAMES or WAYOUT_CERTS_IP_ADDRESSES: DNS name \"bad_name\" is not valid",
        "WAYOUT_WEBHOOK_TLS_SECRET | Bad | secretName (WAYOUT_WEBHOOK_TLS_SECRET): \"Bad\" is not a Kubernetes object name",
      })
  void namesTheVariableAndTheFix(String variable, String value, String message) {
    assertThatThrownBy(() -> RotationConfig.fromEnv(Map.of(variable, value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  @ParameterizedTest
  @CsvSource({
    "500ms,PT0.5S",
    "20s,PT20S",
    "5m,PT5M",
    "12h,PT12H",
    "365d,PT8760H",
    "PT1M30S,PT1M30S"
  })
  void parsesDurations(String text, Duration expected) {
    assertThat(RotationConfig.parseDuration(text)).isEqualTo(expected);
  }
}
