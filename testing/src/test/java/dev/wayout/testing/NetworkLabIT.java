package dev.wayout.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(KubeApiServerExtension.class)
class NetworkLabIT {

  @Test
  void hostsOnDifferentDocumentationRangesReachEachOtherAndNamesResolvePerHost(
      @TempDir Path scratch) throws Exception {
    try (NetworkLab lab = NetworkLab.create()) {
      NetworkLab.Host app = lab.addHost("app", "192.0.2.10/24", List.of("203.0.113.0/24"));
      NetworkLab.Host external = lab.addHost("ext", "203.0.113.10/24", List.of("192.0.2.0/24"));
      Path log = scratch.resolve("lab-http.log");
      lab.track(
          external.start(
              List.of("python3", "-m", "http.server", "80", "--bind", "203.0.113.10"),
              Map.of(),
              log));
      app.writeHosts(Map.of("aliyun.com", external.address()));

      CommandResult curl =
          app.exec(
              "curl",
              "-s",
              "-o",
              "/dev/null",
              "-w",
              "%{http_code}",
              "--retry",
              "20",
              "--retry-connrefused",
              "--retry-delay",
              "0",
              "--max-time",
              "5",
              "http://aliyun.com/");

      assertThat(curl.stdout()).as(curl.toString()).isEqualTo("200");
    }
  }

  @Test
  void forwardsTheTestApiServerIntoANamespace(KubeApiServer api) {
    try (NetworkLab lab = NetworkLab.create()) {
      NetworkLab.Host waypoint = lab.addHost("wp", "192.0.2.20/24", List.of());
      int port = Integer.parseInt(api.url().substring(api.url().lastIndexOf(':') + 1));
      lab.forwardLoopbackPort(waypoint, port);

      CommandResult ready =
          waypoint.exec(
              "curl", "-s", "-k", "-o", "/dev/null", "-w", "%{http_code}", api.url() + "/readyz");

      // anonymous requests are refused, but the answer proves the API server was reached
      assertThat(ready.stdout()).as(ready.toString()).isIn("200", "401", "403");
    }
  }

  @Test
  void fakeExternalSiteAnswersLikeTheSeedOverHttpAndHttps(@TempDir Path scratch) throws Exception {
    var ca =
        dev.wayout.certs.CertificateAuthority.create(
            java.time.Clock.systemUTC(), "test-ca", java.time.Duration.ofDays(1));
    Path caFile = Files.writeString(scratch.resolve("ca.pem"), ca.certificatePem());
    try (NetworkLab lab = NetworkLab.create()) {
      NetworkLab.Host app = lab.addHost("app", "192.0.2.10/24", List.of("203.0.113.0/24"));
      NetworkLab.Host external = lab.addHost("ext", "203.0.113.10/24", List.of("192.0.2.0/24"));
      app.writeHosts(Map.of("aliyun.com", external.address()));
      try (FakeExternalSite site = FakeExternalSite.start(external, ca, "aliyun.com")) {
        CommandResult http = app.exec("curl", "-s", "-I", "http://aliyun.com/");
        CommandResult https =
            app.exec(
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code} %{size_download}",
                "--cacert",
                caFile.toString(),
                "https://aliyun.com/");

        assertThat(http.stdout())
            .startsWith("HTTP/1.1 301")
            .contains("Location: https://aliyun.com/");
        assertThat(https.stdout()).isEqualTo("301 239");
        assertThat(site.requests())
            .containsExactly("http HEAD / aliyun.com", "https GET / aliyun.com");
      }
    }
  }
}
