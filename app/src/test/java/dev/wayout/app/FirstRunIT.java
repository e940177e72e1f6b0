package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.certs.CertificateAuthority;
import dev.wayout.testing.CommandResult;
import dev.wayout.testing.FakeExternalSite;
import dev.wayout.testing.NetworkLab;
import dev.wayout.testing.TestAssets;
import dev.wayout.testing.WayoutProcess;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, {@code wayout run --config examples/seed/step4}, on a "laptop": a lab
 * host whose /etc/hosts sends aliyun.com to the seed's external site on another lab host. The curl
 * the README documents gets its answer through the waypoint.
 */
class FirstRunIT {

  private static NetworkLab lab;
  private static NetworkLab.Host laptop;
  private static FakeExternalSite site;
  private static WayoutProcess wayout;

  @BeforeAll
  static void startWayoutRunOnALaptop() {
    lab = NetworkLab.create();
    laptop = lab.addHost("laptop", "198.51.100.10/24", List.of("203.0.113.0/24"));
    NetworkLab.Host internet = lab.addHost("net", "203.0.113.10/24", List.of("198.51.100.0/24"));
    laptop.writeHosts(Map.of("aliyun.com", internet.address()));
    site =
        FakeExternalSite.start(
            internet,
            CertificateAuthority.create(Clock.systemUTC(), "test-ca", Duration.ofDays(1)),
            "aliyun.com");
    wayout =
        WayoutProcess.startIn(
            laptop,
            "run",
            List.of(
                "run",
                "--config",
                TestAssets.repositoryRoot().resolve("examples/seed/step4").toString(),
                "-n",
                "istio-egress"),
            Map.of());
    wayout.awaitStderr(l -> l.contains(" listening: "), Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (wayout != null) {
      wayout.close();
    }
    if (site != null) {
      site.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void printsValidationPoliciesAndRulesBeforeServing() {
    assertThat(String.join("\n", wayout.stdout()))
        .contains("== 1/3 validate")
        .contains("1 file, 1 resource: 0 errors")
        .contains("name: \"wayout-egress\"")
        .contains("--dport 80 -j DNAT --to-destination 10.96.0.15:15001")
        .contains("== 3/3 waypoint serving");
  }

  @Test
  void theDocumentedCurlGoesOutThroughTheWaypoint() {
    CommandResult curl =
        laptop.exec("curl", "-s", "-i", "-x", "127.0.0.1:15001", "http://aliyun.com/");

    assertThat(curl.stdout())
        .as(curl.toString())
        .startsWith("HTTP/1.1 301")
        .contains("Location: https://aliyun.com/");
    assertThat(site.requests()).contains("http GET / aliyun.com");
    String log =
        wayout.awaitStdout(
            l -> l.startsWith("{") && l.contains("\"authority\":\"aliyun.com\""),
            Duration.ofSeconds(10));
    assertThat(log).contains("\"response_code\":301").contains("\"bytes_sent\":239");
  }

  @Test
  void anUnregisteredHostIsRefusedWithTheFix() {
    CommandResult curl =
        laptop.exec("curl", "-s", "-i", "-x", "127.0.0.1:15001", "http://example.org/");

    assertThat(curl.stdout())
        .as(curl.toString())
        .startsWith("HTTP/1.1 403")
        .contains("egress to example.org:80 is not allowed")
        .contains("declare it in a ServiceEntry");
  }
}
