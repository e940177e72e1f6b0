package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wayout.certs.CertificateAuthority;
import dev.wayout.testing.CommandResult;
import dev.wayout.testing.FakeExternalSite;
import dev.wayout.testing.FreePorts;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import dev.wayout.testing.NetworkLab;
import dev.wayout.testing.TestAssets;
import dev.wayout.testing.WayoutProcess;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed scenario (examples/seed, from Alibaba Cloud Service Mesh's egress waypoint guide) end to
 * end: the real API server with Wayout's webhook registered, the enforcer and the waypoint running
 * against it, and Linux network namespaces for the sleep pod (with Wayout's iptables applied by
 * {@code wayout init}), the waypoint and the external aliyun.com. kubectl applies the seed's YAML
 * unchanged and every step checks what the seed expects.
 */
@ExtendWith(KubeApiServerExtension.class)
class SeedScenarioIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CLUSTER_CIDRS = "192.0.2.0/24,10.96.0.0/16";
  private static final Path SEED = TestAssets.repositoryRoot().resolve("examples/seed");

  private final List<AutoCloseable> running = new ArrayList<>();
  private final Transcript transcript =
      new Transcript(TestAssets.repositoryRoot().resolve("app/target/seed-e2e.txt"));

  @TempDir Path scratch;
  private KubeApiServer api;
  private NetworkLab.Host sleep;
  private WayoutProcess waypoint;
  private FakeExternalSite aliyun;

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable r : running) {
      if (r instanceof WayoutProcess p) {
        transcript.diagnostics(p.printed());
      }
    }
    for (int i = running.size() - 1; i >= 0; i--) {
      running.get(i).close();
    }
  }

  @Test
  void seedScenarioEndToEnd(KubeApiServer api, KubernetesClient client) throws Exception {
    this.api = api;
    transcript.step(
        "Set-up: the API server, Wayout's CRDs and webhook, the enforcer, and network namespaces"
            + " for the sleep pod, the waypoint and aliyun.com (203.0.113.10)");
    Path ca = startLabAndExternalSite();
    startWebhookAndEnforcer();

    transcript.step("Step 1: deploy the test application (sleep) and reach aliyun.com directly");
    kubectl("apply", "-f", SEED.resolve("app").toString());
    kubectl("label", "namespace", "default", "wayout.dev/egress=enforced", "--overwrite");
    registerSleepPod(client);
    assertThat(
            client
                .pods()
                .inNamespace("default")
                .withName("sleep-0")
                .get()
                .getSpec()
                .getInitContainers())
        .extracting(c -> c.getName())
        .contains("wayout-init");
    transcript.result("the sleep pod came back from the API server with Wayout's init container");
    CommandResult direct = sleepCurl("curl", "aliyun.com", "-s", "-I");
    assertThat(direct.stdout()).startsWith("HTTP/1.1 301").contains("Server: Tengine");
    transcript.result("without Wayout's rules the pod reaches the external host directly");

    transcript.step("Wayout closes every other way out: enforcer policy and the pod's iptables");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(policy(client, "default", "wayout-egress")).isNotNull());
    transcript.result("NetworkPolicy default/wayout-egress written by the enforcer");
    CommandResult init =
        sleep.exec(
            "java",
            "-jar",
            WayoutProcess.jar().toString(),
            "init",
            "--cluster-cidrs",
            CLUSTER_CIDRS,
            "--waypoint",
            "192.0.2.20");
    transcript.command(
        "wayout init --cluster-cidrs " + CLUSTER_CIDRS + " --waypoint 192.0.2.20", init.output());
    assertThat(init.exitCode()).as(init.toString()).isZero();
    startWaypoint(ca);
    int seenBefore = aliyun.requests().size();
    CommandResult otherPort = sleepCurl("curl", "-s", "-m", "5", "http://aliyun.com:8080/");
    assertThat(otherPort.exitCode()).as("port 8080 must be rejected").isEqualTo(7);
    CommandResult unregistered = sleepCurl("curl", "aliyun.com", "-s", "-I");
    assertThat(unregistered.stdout()).startsWith("HTTP/1.1 403");
    assertThat(aliyun.requests()).hasSize(seenBefore);
    // the access log is written by its own thread, after the response: wait for the line
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(lastAccessLog().path("response_flags").asText()).isEqualTo("NR"));
    transcript.result(
        "port 8080 rejected; port 80 captured by the waypoint and refused (403, NR): nothing reached aliyun.com");

    transcript.step("Step 3: the waypoint in istio-egress");
    kubectl("create", "namespace", "istio-egress");
    kubectl("label", "namespace", "istio-egress", "istio.io/use-waypoint=waypoint", "--overwrite");
    kubectl("apply", "-n", "istio-egress", "-f", SEED.resolve("waypoint").toString());

    transcript.step("Step 4: create the ServiceEntry and test the access");
    kubectl("apply", "-n", "istio-egress", "-f", SEED.resolve("step4").toString());
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(quietCurl("aliyun.com", "-s", "-I").stdout())
                    .startsWith("HTTP/1.1 301"));
    CommandResult head = sleepCurl("curl", "aliyun.com", "-s", "-I");
    assertThat(head.stdout()).startsWith("HTTP/1.1 301").contains("Location: https://aliyun.com/");
    sleepCurl(
        "curl", "aliyun.com", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}\\n");
    JsonNode log = awaitAccessLog("GET", "203.0.113.10:80");
    transcript.command(
        "kubectl -n istio-egress logs deployments/waypoint | tail -1 | jq", log.toPrettyString());
    assertThat(log.path("authority").asText()).isEqualTo("aliyun.com");
    assertThat(log.path("method").asText()).isEqualTo("GET");
    assertThat(log.path("response_code").asInt()).isEqualTo(301);
    assertThat(log.path("bytes_sent").asInt()).isEqualTo(239);
    assertThat(log.path("upstream_host").asText()).isEqualTo("203.0.113.10:80");
    assertThat(log.path("source_namespace").asText()).isEqualTo("default");
    assertThat(aliyun.requests()).last().isEqualTo("http GET / aliyun.com");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(policy(client, "istio-egress", "wayout-waypoint-egress"))
                    .isNotNull()
                    .extracting(
                        p ->
                            p.getSpec().getEgress().get(0).getPorts().stream()
                                .map(port -> port.getPort().getIntVal())
                                .toList())
                    .asList()
                    .contains(80, 443));
    transcript.result(
        "301 through the waypoint; upstream_host on port 80; the waypoint's policy opens 80 and 443");

    transcript.step(
        "Step 5: upgrade HTTP to HTTPS at the waypoint (targetPort 443 + DestinationRule SIMPLE)");
    kubectl("apply", "-n", "istio-egress", "-f", SEED.resolve("step5").toString());
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              quietCurl("aliyun.com", "-s", "-o", "/dev/null");
              assertThat(lastAccessLog().path("upstream_host").asText())
                  .isEqualTo("203.0.113.10:443");
            });
    CommandResult upgraded = sleepCurl("curl", "aliyun.com", "-s", "-I");
    assertThat(upgraded.stdout()).startsWith("HTTP/1.1 301");
    sleepCurl(
        "curl", "aliyun.com", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}\\n");
    JsonNode tlsLog = awaitAccessLog("GET", "203.0.113.10:443");
    transcript.command(
        "kubectl -n istio-egress logs deployments/waypoint | tail -1 | jq",
        tlsLog.toPrettyString());
    assertThat(tlsLog.path("response_code").asInt()).isEqualTo(301);
    assertThat(tlsLog.path("upstream_host").asText()).isEqualTo("203.0.113.10:443");
    assertThat(aliyun.requests()).last().isEqualTo("https GET / aliyun.com");
    transcript.result("the request left on port 443 and the external server saw TLS");

    transcript.step("Deleting the ServiceEntry closes the way again");
    kubectl("delete", "serviceentry", "-n", "istio-egress", "external-svc-aliyun");
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(quietCurl("aliyun.com", "-s", "-I").stdout())
                    .startsWith("HTTP/1.1 403"));
    sleepCurl("curl", "aliyun.com", "-s", "-I");
    transcript.result("403 from the waypoint, logged with response_flags NR");

    transcript.step("Stopping the waypoint fails closed: never a direct connection");
    kubectl("apply", "-n", "istio-egress", "-f", SEED.resolve("step4").toString());
    waypoint.stop();
    int seen = aliyun.requests().size();
    CommandResult closed = sleepCurl("curl", "aliyun.com", "-s", "-I", "-m", "5");
    assertThat(closed.exitCode()).isNotZero();
    assertThat(aliyun.requests()).hasSize(seen);
    transcript.result("curl fails (exit " + closed.exitCode() + ") and aliyun.com saw nothing");
  }

  private Path startLabAndExternalSite() throws IOException {
    NetworkLab lab = NetworkLab.create();
    running.add(lab);
    sleep = lab.addHost("sleep", "192.0.2.10/24", List.of("203.0.113.0/24"));
    NetworkLab.Host waypointHost =
        lab.addHost("waypoint", "192.0.2.20/24", List.of("203.0.113.0/24"));
    NetworkLab.Host external = lab.addHost("aliyun", "203.0.113.10/24", List.of("192.0.2.0/24"));
    sleep.writeHosts(Map.of("aliyun.com", external.address()));
    waypointHost.writeHosts(Map.of("aliyun.com", external.address()));
    lab.forwardLoopbackPort(waypointHost, apiPort());
    CertificateAuthority ca =
        CertificateAuthority.create(Clock.systemUTC(), "aliyun-test-ca", Duration.ofDays(1));
    aliyun = FakeExternalSite.start(external, ca, "aliyun.com");
    running.add(aliyun);
    waypointHostRef = waypointHost;
    return Files.writeString(scratch.resolve("aliyun-ca.pem"), ca.certificatePem());
  }

  private NetworkLab.Host waypointHostRef;

  private void startWebhookAndEnforcer() {
    installCrdsAndWebhookConfigurations();
    Map<String, String> env = new HashMap<>(api.clientEnvironment());
    env.put("WAYOUT_NAMESPACE", "wayout-system");
    env.put("WAYOUT_WAYPOINT_NAMESPACE", "istio-egress");
    env.put("WAYOUT_CLUSTER_CIDRS", CLUSTER_CIDRS);
    env.put("WAYOUT_API_SERVER_CIDRS", "127.0.0.1/32");
    env.put("WAYOUT_WEBHOOK_HOST", "127.0.0.1");
    env.put("WAYOUT_WEBHOOK_PORT", Integer.toString(webhookPort));
    env.put("WAYOUT_CERTS_IP_ADDRESSES", "127.0.0.1");
    env.put("WAYOUT_METRICS_PORT", "0"); // the enforcer's /metrics: any free port
    WayoutProcess webhook = WayoutProcess.start("webhook", List.of("webhook"), env);
    running.add(webhook);
    WayoutProcess enforcer = WayoutProcess.start("enforcer", List.of("enforcer"), env);
    running.add(enforcer);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              CommandResult refused =
                  api.kubectlWithInput(
                      """
                      apiVersion: networking.istio.io/v1
                      kind: ServiceEntry
                      metadata: {name: probe, namespace: default}
                      spec: {hosts: ["*"], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS}
                      """,
                      "apply",
                      "--dry-run=server",
                      "-f",
                      "-");
              assertThat(refused.stderr())
                  .as("%s%n%s%n%s", refused, webhook.printed(), enforcer.printed())
                  .contains("denied the request");
            });
    transcript.result(
        "webhook registered (caBundle made by Wayout) and answering; enforcer running");
  }

  private int webhookPort;

  private void installCrdsAndWebhookConfigurations() {
    api.installGatewayApiCrds();
    kubectl("apply", "-k", TestAssets.repositoryRoot().resolve("manifests/crds").toString());
    kubectl("create", "namespace", "wayout-system");
    webhookPort = FreePorts.loopback();
    for (String file :
        List.of(
            "manifests/webhook/060-ValidatingWebhookConfiguration-wayout-webhook.yaml",
            "manifests/webhook/061-MutatingWebhookConfiguration-wayout-webhook.yaml")) {
      String yaml = read(TestAssets.repositoryRoot().resolve(file));
      // No Service or pods run here: the API server calls the webhook by URL on loopback.
      String byUrl =
          yaml.replaceAll(
              "(?m)^(\\s+)service:\\n\\s+name: wayout-webhook\\n\\s+namespace: wayout-system\\n\\s+path: (\\S+)\\n\\s+port: 443\\n",
              "$1url: https://127.0.0.1:" + webhookPort + "$2\n");
      CommandResult applied = api.kubectlWithInput(byUrl, "apply", "-f", "-");
      assertThat(applied.exitCode()).as(applied.toString()).isZero();
    }
  }

  private void startWaypoint(Path ca) {
    Map<String, String> env = new HashMap<>(api.clientEnvironment());
    env.put("WAYOUT_WAYPOINT_NAME", "waypoint");
    env.put("WAYOUT_WAYPOINT_NAMESPACE", "istio-egress");
    env.put("WAYOUT_WAYPOINT_CLUSTER_CIDRS", CLUSTER_CIDRS);
    env.put("WAYOUT_WAYPOINT_TRUSTED_CA_FILE", ca.toString());
    waypoint = WayoutProcess.startIn(waypointHostRef, "waypoint", List.of("waypoint"), env);
    running.add(waypoint);
    waypoint.awaitStderr(l -> l.contains(" listening: "), Duration.ofSeconds(60));
  }

  private void registerSleepPod(KubernetesClient client) {
    // No kubelet runs: the pod object stands for the sleep namespace, with its IP, so the
    // waypoint can name the source namespace.
    client
        .pods()
        .inNamespace("default")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("sleep-0")
                .withLabels(Map.of("app", "sleep"))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("sleep")
                .withImage("curl")
                .endContainer()
                .endSpec()
                .build())
        .create();
    client
        .pods()
        .inNamespace("default")
        .withName("sleep-0")
        .editStatus(
            p ->
                new PodBuilder(p)
                    .withNewStatus()
                    .withPodIP("192.0.2.10")
                    .addNewPodIP("192.0.2.10")
                    .endStatus()
                    .build());
  }

  private CommandResult kubectl(String... args) {
    CommandResult result = api.kubectl(args);
    transcript.command("kubectl " + String.join(" ", args), result.output());
    assertThat(result.exitCode()).as(result.toString()).isZero();
    return result;
  }

  private CommandResult sleepCurl(String... command) {
    CommandResult result = sleep.exec(Duration.ofSeconds(20), command);
    transcript.command(
        "kubectl exec deployment/sleep -- " + String.join(" ", command),
        result.output() + (result.succeeded() ? "" : "(curl exit " + result.exitCode() + ")\n"));
    return result;
  }

  private CommandResult quietCurl(String... args) {
    List<String> command = new ArrayList<>(List.of("curl"));
    command.addAll(List.of(args));
    return sleep.exec(Duration.ofSeconds(10), command.toArray(String[]::new));
  }

  /** The last access-log line once it is the one for this method and upstream. */
  private JsonNode awaitAccessLog(String method, String upstreamHost) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            this::lastAccessLog,
            log ->
                log.path("method").asText().equals(method)
                    && log.path("upstream_host").asText().equals(upstreamHost));
  }

  private JsonNode lastAccessLog() throws IOException {
    List<String> lines = waypoint.stdout().stream().filter(l -> l.startsWith("{")).toList();
    assertThat(lines).as("the waypoint's access log").isNotEmpty();
    return JSON.readTree(lines.get(lines.size() - 1));
  }

  private static NetworkPolicy policy(KubernetesClient client, String namespace, String name) {
    return client.network().v1().networkPolicies().inNamespace(namespace).withName(name).get();
  }

  private int apiPort() {
    return Integer.parseInt(api.url().substring(api.url().lastIndexOf(':') + 1));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
