package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wayout.testing.FreePorts;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import dev.wayout.testing.WayoutProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code wayout enforcer} as a process against the real test API server. */
@ExtendWith(KubeApiServerExtension.class)
class EnforcerProcessIT {

  @Test
  void aBadClusterCidrStopsStartUpWithTheFix() {
    try (WayoutProcess enforcer =
        WayoutProcess.start(
            "enforcer", List.of("enforcer"), Map.of("WAYOUT_CLUSTER_CIDRS", "10.0.0.0/33"))) {
      enforcer.awaitStderr(
          l ->
              l.equals(
                  "WAYOUT_CLUSTER_CIDRS: \"10.0.0.0/33\" (expected: a CIDR such as"
                      + " \"10.244.0.0/16\"; the prefix length of \"10.0.0.0/33\" must be from 0"
                      + " to 32)"),
          Duration.ofSeconds(30));
      assertThat(enforcer.stop()).isEqualTo(2);
    }
  }

  @Test
  void writesPoliciesAndServesMetrics(KubeApiServer api) throws Exception {
    api.installIstioCrds();
    String suffix = UUID.randomUUID().toString().substring(0, 6);
    String system = "wayout-" + suffix;
    String shop = "shop-" + suffix;
    assertThat(api.kubectl("create", "namespace", system).succeeded()).isTrue();
    assertThat(api.kubectl("create", "namespace", shop).succeeded()).isTrue();
    assertThat(api.kubectl("label", "namespace", shop, "wayout.dev/egress=enforced").succeeded())
        .isTrue();
    int port = FreePorts.loopback();
    Map<String, String> env = new HashMap<>(api.clientEnvironment());
    env.put("WAYOUT_CLUSTER_CIDRS", "10.244.0.0/16,10.96.0.0/12");
    env.put("WAYOUT_NAMESPACE", system);
    env.put("WAYOUT_WAYPOINT_NAMESPACE", "egress-" + suffix);
    env.put("WAYOUT_METRICS_PORT", Integer.toString(port));
    env.put("POD_NAME", "enforcer-" + suffix);

    try (WayoutProcess enforcer = WayoutProcess.start("enforcer", List.of("enforcer"), env)) {
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(
                          api.kubectl("get", "networkpolicy", "wayout-egress", "-n", shop)
                              .exitCode())
                      .as(enforcer.printed())
                      .isZero());

      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> ready =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz/ready"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .contains("wayout_enforcer_policies_in_sync")
          .contains("wayout_enforcer_policies_desired");

      // SIGTERM: stop writing, then release the Lease (the JVM reports a signal exit as 143)
      assertThat(enforcer.stop()).isEqualTo(143);
      assertThat(
              api.kubectl(
                      "get",
                      "lease",
                      "wayout-enforcer",
                      "-n",
                      system,
                      "-o",
                      "jsonpath={.spec.holderIdentity}")
                  .stdout())
          .isEmpty();
    }
  }
}
