package dev.wayout.enforcer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wayout.model.Cidr;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnforcerConfigTest {

  @Test
  void readsTheEnvironmentWithDefaults() {
    EnforcerConfig config =
        EnforcerConfig.fromEnv(
            Map.of(
                "WAYOUT_CLUSTER_CIDRS", "10.244.0.0/16, 10.96.0.0/12,fd00::/108",
                "POD_NAME", "enforcer-0",
                "POD_NAMESPACE", "wayout-system",
                "WAYOUT_LEASE_DURATION", "4s",
                "WAYOUT_LEASE_RENEW_DEADLINE", "3000ms",
                "WAYOUT_WAYPOINT_POD_LABELS", "app=waypoint,tier=egress"));
    assertThat(config.policy().clusterCidrs())
        .containsExactly(
            Cidr.parse("10.244.0.0/16"), Cidr.parse("10.96.0.0/12"), Cidr.parse("fd00::/108"));
    assertThat(config.identity()).isEqualTo("enforcer-0");
    assertThat(config.leaseNamespace()).isEqualTo("wayout-system");
    assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(4));
    assertThat(config.renewDeadline()).isEqualTo(Duration.ofSeconds(3));
    assertThat(config.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.policy().waypointPodLabels())
        .isEqualTo(Map.of("app", "waypoint", "tier", "egress"));
    assertThat(config.policy().waypointNamespace()).isEqualTo("wayout-system");
    assertThat(config.workers()).isEqualTo(8);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "10.0.0.0/33 | WAYOUT_CLUSTER_CIDRS: \"10.0.0.0/33\" (expected: a CIDR such as"
            + " \"10.244.0.0/16\"; the prefix length of \"10.0.0.0/33\" must be from 0 to 32)",
        "10.0.0.1/8 | WAYOUT_CLUSTER_CIDRS: \"10.0.0.1/8\" (expected: a CIDR such as"
            + " \"10.244.0.0/16\"; \"10.0.0.1/8\" has host bits set; write 10.0.0.0/8)",
        "0.0.0.0/0 | WAYOUT_CLUSTER_CIDRS: \"0.0.0.0/0\" (expected: the cluster's own ranges; /0"
            + " covers every address)",
        "' ' | WAYOUT_CLUSTER_CIDRS: missing (expected: comma-separated CIDRs, e.g."
            + " \"10.244.0.0/16,10.96.0.0/12\")",
      })
  void stopsStartUpOnABadClusterCidr(String value, String message) {
    assertThatThrownBy(() -> EnforcerConfig.fromEnv(Map.of("WAYOUT_CLUSTER_CIDRS", value)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message);
  }

  @Test
  void reportsEveryBadVariableAtOnce() {
    assertThatThrownBy(
            () ->
                EnforcerConfig.fromEnv(
                    Map.of(
                        "WAYOUT_CLUSTER_CIDRS", "10.0.0.0/8,banana",
                        "WAYOUT_WORKERS", "0",
                        "WAYOUT_RESYNC_PERIOD", "soon")))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .containsExactly(
                        "WAYOUT_CLUSTER_CIDRS: \"banana\" (expected: a CIDR such as"
                            + " \"10.244.0.0/16\"; \"banana\" is not an IPv4 or IPv6 address;"
                            + " write e.g. 10.96.0.0/12 or fd00::/108)",
                        "WAYOUT_RESYNC_PERIOD: \"soon\" (expected: a positive duration such as"
                            + " 15s, 500ms, 5m)",
                        "WAYOUT_WORKERS: \"0\" (expected: an integer from 1 to 64)"));
  }

  @Test
  void refusesARenewDeadlineLongerThanTheLease() {
    assertThatThrownBy(
            () ->
                EnforcerConfig.fromEnv(
                    Map.of(
                        "WAYOUT_CLUSTER_CIDRS", "10.0.0.0/8",
                        "WAYOUT_LEASE_DURATION", "5s",
                        "WAYOUT_LEASE_RENEW_DEADLINE", "5s")))
        .hasMessageContaining("WAYOUT_LEASE_RENEW_DEADLINE")
        .hasMessageContaining("shorter than WAYOUT_LEASE_DURATION");
  }
}
