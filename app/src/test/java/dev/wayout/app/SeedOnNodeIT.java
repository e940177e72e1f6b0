package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wayout.certs.CertificateAuthority;
import dev.wayout.testing.CommandResult;
import dev.wayout.testing.FakeExternalSite;
import dev.wayout.testing.RealNode;
import dev.wayout.testing.RealNodeExtension;
import dev.wayout.testing.TestAssets;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seed scenario on a real node (tools/node): Wayout installed with {@code kubectl apply -k
 * manifests/} from its own image, the seed's sleep Deployment as a real pod, and the seed's own
 * commands ({@code kubectl exec deployment/sleep -- curl aliyun.com -s -I}, {@code kubectl -n
 * istio-egress logs deployments/waypoint}) against aliyun.com's stand-in at 203.0.113.10. The steps
 * run in order; each asserts what the seed expects. The transcript is app/target/seed-node.txt.
 */
@ExtendWith(RealNodeExtension.class)
@TestMethodOrder(OrderAnnotation.class)
class SeedOnNodeIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path ROOT = TestAssets.repositoryRoot();
  private static final Path SEED = ROOT.resolve("examples/seed");
  private static final String[] SEED_CURL = {"curl", "aliyun.com", "-s", "-I"};
  private static final Duration ROLLOUT = Duration.ofMinutes(4);

  private static final Transcript transcript =
      new Transcript(ROOT.resolve("app/target/seed-node.txt"));
  private static RealNode node;
  private static FakeExternalSite aliyun;
  private static CertificateAuthority ca;

  @BeforeAll
  static void standIn(RealNode realNode) {
    node = realNode;
    ca = CertificateAuthority.create(Clock.systemUTC(), "aliyun-test-ca", Duration.ofDays(1));
    aliyun = FakeExternalSite.start(RealNode.OUTSIDE, ca, "aliyun.com");
  }

  @AfterAll
  static void stopStandIn() {
    if (aliyun != null) {
      aliyun.close();
    }
  }

  @Test
  @Order(1)
  void step1TheSleepPodReachesAliyunDirectly() {
    transcript.step("Step 1: deploy the test application and reach aliyun.com directly");
    kubectl("apply", "-f", SEED.resolve("app").toString());
    kubectl(ROLLOUT, "rollout", "status", "deployment/sleep", "--timeout=240s");
    CommandResult direct = seedCurl();
    assertThat(direct.stdout()).startsWith("HTTP/1.1 301").contains("Content-Length: 239");
    assertThat(aliyun.requests()).last().isEqualTo("http HEAD / aliyun.com");
    transcript.result("301 straight from aliyun.com's stand-in: nothing stands in the way yet");
  }

  @Test
  @Order(2)
  void installingWayoutGivesReadyPodsAndClosesTheWayOut() {
    transcript.step("Install Wayout: kubectl apply -k manifests/");
    kubectl("apply", "-f", TestAssets.crds().resolve("gateway-api").toString());
    kubectl("apply", "-k", ROOT.resolve("manifests").toString());
    kubectl("apply", "-k", ROOT.resolve("manifests/gateway").toString());
    for (String deployment : List.of("wayout-webhook", "wayout-enforcer", "wayout-waypoint")) {
      kubectl(
          ROLLOUT,
          "-n",
          "wayout-system",
          "rollout",
          "status",
          "deployment/" + deployment,
          "--timeout=240s");
    }
    kubectl("-n", "wayout-system", "get", "pods", "-o", "wide");
    await()
        .atMost(Duration.ofMinutes(2))
        .untilAsserted(
            () -> {
              ValidatingWebhookConfiguration config =
                  node.client()
                      .admissionRegistration()
                      .v1()
                      .validatingWebhookConfigurations()
                      .withName("wayout-webhook")
                      .get();
              assertThat(config.getWebhooks())
                  .allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isNotBlank());
              assertThat(config.getWebhooks())
                  .filteredOn(w -> w.getName().startsWith("istio"))
                  .isNotEmpty()
                  .allSatisfy(w -> assertThat(w.getFailurePolicy()).isEqualTo("Fail"));
            });
    transcript.result(
        "every Wayout pod Running and Ready; caBundle written; the Istio webhook switched to Fail");

    transcript.step("Enforce the sleep pod's namespace; its new pod gets Wayout's init container");
    kubectl("label", "namespace", "default", "wayout.dev/egress=enforced", "--overwrite");
    kubectl("rollout", "restart", "deployment/sleep");
    kubectl(ROLLOUT, "rollout", "status", "deployment/sleep", "--timeout=240s");
    String inits =
        kubectl(
                "get",
                "pods",
                "-l",
                "app=sleep",
                "-o",
                "jsonpath={.items[*].spec.initContainers[*].name}")
            .stdout();
    assertThat(inits).contains("wayout-init");
    int seen = aliyun.requests().size();
    CommandResult refused = seedCurl();
    assertThat(refused.stdout()).startsWith("HTTP/1.1 403");
    assertThat(aliyun.requests()).hasSize(seen);
    transcript.result("403 from the waypoint: aliyun.com is not registered, and saw nothing");
  }

  @Test
  @Order(3)
  void step3AndStep4GoOutThroughTheGatewaysWaypoint() throws Exception {
    transcript.step("Step 3: istio-egress, its waypoint from the seed's Gateway, bound by label");
    kubectl("create", "namespace", "istio-egress");
    trustTheStandInsCa();
    kubectl("apply", "-n", "istio-egress", "-f", SEED.resolve("waypoint").toString());
    kubectl("label", "namespace", "istio-egress", "istio.io/use-waypoint=waypoint", "--overwrite");
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () -> node.kubectl("-n", "istio-egress", "get", "deployment", "waypoint").succeeded());
    kubectl(
        ROLLOUT,
        "-n",
        "istio-egress",
        "rollout",
        "status",
        "deployment/waypoint",
        "--timeout=240s");
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                node.kubectl(
                        "-n",
                        "istio-egress",
                        "get",
                        "networkpolicy",
                        "wayout-waypoint-egress-waypoint")
                    .succeeded());
    kubectl("-n", "istio-egress", "get", "gateway,deployment,service,networkpolicy");
    transcript.result(
        "deployments/waypoint Ready in istio-egress, with its own egress policy"
            + " wayout-waypoint-egress-waypoint");

    transcript.step("Step 4: create the ServiceEntry and test the access");
    kubectl("apply", "-n", "istio-egress", "-f", SEED.resolve("step4").toString());
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> exec(SEED_CURL).stdout().startsWith("HTTP/1.1 301"));
    CommandResult head = seedCurl();
    assertThat(head.stdout()).startsWith("HTTP/1.1 301").contains("Location: https://aliyun.com/");
    JsonNode log = seedsWaypointLog();
    assertThat(log.path("authority").asText()).isEqualTo("aliyun.com");
    assertThat(log.path("method").asText()).isEqualTo("HEAD");
    assertThat(log.path("response_code").asInt()).isEqualTo(301);
    assertThat(log.path("upstream_host").asText()).isEqualTo("203.0.113.10:80");
    assertThat(aliyun.requests()).last().isEqualTo("http HEAD / aliyun.com");
    // captured traffic reaches the default waypoint (the pod's DNAT), which forwards it to the
    // waypoint that serves the entry
    JsonNode forwarded = lastLog("wayout-system", "app.kubernetes.io/name=wayout-waypoint");
    assertThat(forwarded.path("authority").asText()).isEqualTo("aliyun.com");
    assertThat(forwarded.path("upstream_cluster").asText())
        .isEqualTo("outbound|15001||waypoint.istio-egress.svc.cluster.local");
    transcript.result(
        "301 through istio-egress's waypoint (forwarded by the default waypoint); its log names"
            + " aliyun.com on :80");
  }

  /**
   * The stand-in's certificate is from a test CA: the Gateway's waypoint trusts it as a company CA,
   * from the ConfigMap the enforcer is told to mount (WAYOUT_WAYPOINT_TRUSTED_CA_CONFIGMAP).
   */
  private static void trustTheStandInsCa() {
    kubectl(
        "-n",
        "istio-egress",
        "create",
        "configmap",
        "wayout-trusted-ca",
        "--from-literal=ca.crt=" + ca.certificatePem());
    kubectl(
        "-n",
        "wayout-system",
        "set",
        "env",
        "deployment/wayout-enforcer",
        "WAYOUT_WAYPOINT_TRUSTED_CA_CONFIGMAP=wayout-trusted-ca");
    kubectl(ROLLOUT, "-n", "wayout-system", "rollout", "status", "deployment/wayout-enforcer");
  }

  @Test
  @Order(4)
  void step5UpgradesToHttps() throws Exception {
    transcript.step("Step 5: port 80 goes to 443 upstream, TLS originated by the waypoint");
    kubectl("apply", "-n", "istio-egress", "-f", SEED.resolve("step5").toString());
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                exec(SEED_CURL).stdout().startsWith("HTTP/1.1 301")
                    && aliyun.requests().get(aliyun.requests().size() - 1).startsWith("https"));
    CommandResult upgraded = seedCurl();
    assertThat(upgraded.stdout()).startsWith("HTTP/1.1 301");
    JsonNode log = seedsWaypointLog();
    assertThat(log.path("upstream_host").asText()).isEqualTo("203.0.113.10:443");
    assertThat(aliyun.requests()).last().isEqualTo("https HEAD / aliyun.com");
    transcript.result("the request left on port 443 and the stand-in saw TLS");
  }

  @Test
  @Order(5)
  void aPodCreatedWhileTheWebhookIsDownIsStillConfinedAndNothingIsBlocked() {
    transcript.step(
        "Drill: the webhook is down; namespaces and pods are still created, and an enforced pod"
            + " without Wayout's init container still cannot get out (the NetworkPolicy)");
    kubectl("create", "namespace", "drill-confined");
    kubectl("label", "namespace", "drill-confined", "wayout.dev/egress=enforced", "--overwrite");
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                node.kubectl("-n", "drill-confined", "get", "networkpolicy", "wayout-egress")
                    .succeeded());
    kubectl("-n", "wayout-system", "scale", "deployment/wayout-webhook", "--replicas=0");
    kubectl(
        ROLLOUT,
        "-n",
        "wayout-system",
        "wait",
        "--for=delete",
        "pod",
        "-l",
        "app.kubernetes.io/name=wayout-webhook",
        "--timeout=120s");
    try {
      kubectl("create", "namespace", "drill-while-down");
      runSleepPod("drill-confined", "bypass");
      String inits =
          kubectl(
                  "-n",
                  "drill-confined",
                  "get",
                  "pod",
                  "bypass",
                  "-o",
                  "jsonpath={.spec.initContainers[*].name}")
              .stdout();
      assertThat(inits).as("no webhook, no init container").doesNotContain("wayout-init");
      int seen = aliyun.requests().size();
      CommandResult direct =
          podCurl("drill-confined", "bypass", "-s", "-m", "5", "-I", "http://203.0.113.10/");
      assertThat(direct.exitCode()).as(direct.toString()).isNotZero();
      assertThat(aliyun.requests()).hasSize(seen);
      transcript.result(
          "namespace and pod created with the webhook down; the pod's direct request failed (exit "
              + direct.exitCode()
              + ") and the stand-in saw nothing");
    } finally {
      kubectl("-n", "wayout-system", "scale", "deployment/wayout-webhook", "--replicas=2");
      kubectl(ROLLOUT, "-n", "wayout-system", "rollout", "status", "deployment/wayout-webhook");
    }
  }

  @Test
  @Order(6)
  void udpIcmpAndIpv6FromAnEnforcedPodAreRefused() {
    transcript.step("Drill: UDP to an outside resolver, ICMP and IPv6 from the sleep pod");
    String pod = sleepPod();
    Counters before = Counters.read();
    CommandResult udp =
        node.inPodNetwork(
            "default",
            pod,
            "python3",
            "-c",
            "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
                + " s.sendto(b'wayout-drill', ('203.0.113.10', 53))");
    CommandResult icmp =
        node.inPodNetwork("default", pod, "ping", "-c", "2", "-W", "1", "203.0.113.10");
    CommandResult ipv6 =
        node.inPodNetwork("default", pod, "curl", "-s", "-m", "3", "-6", "http://[2001:db8::10]/");
    transcript.command("ping -c 2 203.0.113.10 (in the sleep pod's network)", icmp.output());
    transcript.command(
        "curl -6 http://[2001:db8::10]/ (in the sleep pod's network)", ipv6.output());
    Counters after = Counters.read();
    assertThat(icmp.exitCode()).as(icmp.toString()).isNotZero();
    assertThat(ipv6.exitCode()).as(ipv6.toString()).isNotZero();
    assertThat(after.udp).as("UDP datagrams that reached the outside host").isEqualTo(before.udp);
    assertThat(after.icmp).as("ICMP packets that reached the outside host").isEqualTo(before.icmp);
    transcript.result(
        "no UDP datagram and no ICMP packet reached the outside host; IPv6 has no way out"
            + " (udp sender exit "
            + udp.exitCode()
            + ")");
  }

  @Test
  @Order(7)
  void aPodInAnExemptNamespaceGetsOut() {
    transcript.step("Drill: a pod in a namespace an egress admin exempted reaches aliyun.com");
    kubectl("create", "namespace", "drill-exempt");
    kubectl("label", "namespace", "drill-exempt", "wayout.dev/egress=exempt", "--overwrite");
    runSleepPod("drill-exempt", "free");
    CommandResult direct =
        podCurl("drill-exempt", "free", "-s", "-m", "10", "-I", "http://aliyun.com/");
    assertThat(direct.stdout()).startsWith("HTTP/1.1 301").contains("Server: Tengine");
    transcript.result(
        "301 straight from the stand-in (Server: Tengine): exempt means not captured");
  }

  @Test
  @Order(8)
  void withoutAWaypointEgressFailsClosed() {
    transcript.step("Drill: no waypoint pod at all; the sleep pod's request fails, nothing leaks");
    kubectl("-n", "wayout-system", "scale", "deployment/wayout-waypoint", "--replicas=0");
    kubectl(
        "-n",
        "istio-egress",
        "delete",
        "pods",
        "-l",
        "gateway.networking.k8s.io/gateway-name=waypoint",
        "--wait=false");
    try {
      kubectl(
          ROLLOUT,
          "-n",
          "wayout-system",
          "wait",
          "--for=delete",
          "pod",
          "-l",
          "app.kubernetes.io/name=wayout-waypoint",
          "--timeout=120s");
      int seen = aliyun.requests().size();
      CommandResult closed = exec("curl", "aliyun.com", "-s", "-I", "-m", "5");
      transcript.command(
          "kubectl exec deployment/sleep -- curl aliyun.com -s -I -m 5",
          closed.output() + "(exit " + closed.exitCode() + ")\n");
      assertThat(closed.exitCode()).isNotZero();
      assertThat(aliyun.requests()).hasSize(seen);
      transcript.result("curl failed and the stand-in saw nothing");
    } finally {
      kubectl("-n", "wayout-system", "scale", "deployment/wayout-waypoint", "--replicas=2");
      kubectl(ROLLOUT, "-n", "wayout-system", "rollout", "status", "deployment/wayout-waypoint");
    }
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> exec(SEED_CURL).stdout().startsWith("HTTP/1.1 301"));
    transcript.result("with the waypoint back, the registered request goes out again");
  }

  @Test
  @Order(9)
  void deletingTheEnforcerLeaderHandsOverToTheStandby() {
    transcript.step("Drill: delete the enforcer leader's pod; the standby takes over and acts");
    String leader = leaseHolder();
    kubectl("-n", "wayout-system", "delete", "pod", leader, "--wait=false");
    await()
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> !leaseHolder().isBlank() && !leaseHolder().equals(leader));
    String next = leaseHolder();
    kubectl("-n", "default", "delete", "networkpolicy", "wayout-egress");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                node.kubectl("-n", "default", "get", "networkpolicy", "wayout-egress").succeeded());
    transcript.result(
        "Lease holder " + leader + " -> " + next + "; the deleted NetworkPolicy came back");
  }

  private static String leaseHolder() {
    return node.kubectl(
            "-n",
            "wayout-system",
            "get",
            "lease",
            "wayout-enforcer",
            "-o",
            "jsonpath={.spec.holderIdentity}")
        .stdout()
        .strip();
  }

  private static String sleepPod() {
    return kubectl(
            "get",
            "pods",
            "-l",
            "app=sleep",
            "--field-selector=status.phase=Running",
            "-o",
            "jsonpath={.items[0].metadata.name}")
        .stdout()
        .strip();
  }

  private static void runSleepPod(String namespace, String name) {
    kubectl(
        "-n",
        namespace,
        "run",
        name,
        "--image=registry-cn-hangzhou.ack.aliyuncs.com/ack-demo/curl:asm-sleep",
        "--image-pull-policy=IfNotPresent",
        "--restart=Never",
        "--command",
        "--",
        "/bin/sleep",
        "infinity");
    kubectl(
        ROLLOUT, "-n", namespace, "wait", "--for=condition=Ready", "pod/" + name, "--timeout=120s");
  }

  private static CommandResult podCurl(String namespace, String pod, String... args) {
    String[] full = new String[args.length + 6];
    full[0] = "-n";
    full[1] = namespace;
    full[2] = "exec";
    full[3] = pod;
    full[4] = "--";
    full[5] = "curl";
    System.arraycopy(args, 0, full, 6, args.length);
    CommandResult result = node.kubectl(Duration.ofSeconds(30), full);
    transcript.command(
        "kubectl " + String.join(" ", full),
        result.output() + "(exit " + result.exitCode() + ")\n");
    return result;
  }

  /** Packets that reached the outside host, counted by rules in its own INPUT chain. */
  private record Counters(long udp, long icmp) {
    static Counters read() {
      CommandResult rules =
          RealNode.OUTSIDE.exec("iptables", "-w", "-L", "WAYOUT-DRILL", "-n", "-v", "-x");
      if (!rules.succeeded()) {
        RealNode.OUTSIDE.exec("iptables", "-w", "-N", "WAYOUT-DRILL");
        RealNode.OUTSIDE.exec("iptables", "-w", "-A", "WAYOUT-DRILL", "-p", "udp");
        RealNode.OUTSIDE.exec("iptables", "-w", "-A", "WAYOUT-DRILL", "-p", "icmp");
        RealNode.OUTSIDE.exec("iptables", "-w", "-I", "INPUT", "-j", "WAYOUT-DRILL");
        rules = RealNode.OUTSIDE.exec("iptables", "-w", "-L", "WAYOUT-DRILL", "-n", "-v", "-x");
        assertThat(rules.exitCode()).as("counting rules on the outside host: " + rules).isZero();
      }
      long udp = 0;
      long icmp = 0;
      for (String line : rules.stdout().lines().toList()) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 3 && f[2].equals("udp")) {
          udp = Long.parseLong(f[0]);
        } else if (f.length > 3 && f[2].equals("icmp")) {
          icmp = Long.parseLong(f[0]);
        }
      }
      return new Counters(udp, icmp);
    }
  }

  /**
   * The seed's {@code kubectl -n istio-egress logs deployments/waypoint | tail -1 | jq}, as
   * written. kubectl reads one of the two replicas: until the newest request is on that one, the
   * seed's curl is sent again (at most 40 times).
   */
  private static JsonNode seedsWaypointLog() throws Exception {
    JsonNode[] last = new JsonNode[1];
    int[] sent = {0};
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              String[] lines =
                  node.kubectl("-n", "istio-egress", "logs", "deployments/waypoint")
                      .stdout()
                      .strip()
                      .split("\n");
              String tail = lines[lines.length - 1];
              if (tail.startsWith("{")) {
                last[0] = JSON.readTree(tail);
                // a replica that has just started may answer 503 DF until the CNI has programmed
                // its egress policy (kube-router does so a few seconds after the pod starts), and
                // the default waypoint then retries the other replica: wait for an answered line
                if (last[0].path("method").asText().equals("HEAD")
                    && last[0].path("authority").asText().equals("aliyun.com")
                    && last[0].path("response_code").asInt() == 301
                    && startTime(tail).compareTo(latestStart()) >= 0) {
                  return true;
                }
              }
              assertThat(sent[0]++)
                  .as("seed curls sent to reach the logged replica")
                  .isLessThan(40);
              exec(SEED_CURL);
              return false;
            });
    transcript.command(
        "kubectl -n istio-egress logs deployments/waypoint | tail -1 | jq",
        last[0].toPrettyString());
    return last[0];
  }

  /** The start time of the newest request any istio-egress waypoint replica logged. */
  private static String latestStart() {
    return Arrays.stream(
            node.kubectl(
                    "-n",
                    "istio-egress",
                    "logs",
                    "-l",
                    "gateway.networking.k8s.io/gateway-name=waypoint",
                    "--tail=-1")
                .stdout()
                .split("\n"))
        .filter(l -> l.startsWith("{"))
        .map(SeedOnNodeIT::startTime)
        .max(Comparator.naturalOrder())
        .orElse("");
  }

  /** The newest access-log line of the pods {@code selector} picks (replicas merged). */
  private static JsonNode lastLog(String namespace, String selector) throws Exception {
    JsonNode[] last = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              List<String> lines =
                  Arrays.stream(
                          node.kubectl("-n", namespace, "logs", "-l", selector, "--tail=-1")
                              .stdout()
                              .split("\n"))
                      .filter(l -> l.startsWith("{"))
                      .sorted(Comparator.comparing(SeedOnNodeIT::startTime))
                      .toList();
              if (lines.isEmpty()) {
                return false;
              }
              last[0] = JSON.readTree(lines.get(lines.size() - 1));
              return last[0].path("method").asText().equals("HEAD");
            });
    transcript.command(
        "kubectl -n " + namespace + " logs -l " + selector + " | (newest) | jq",
        last[0].toPrettyString());
    return last[0];
  }

  private static String startTime(String line) {
    int at = line.indexOf("\"start_time\":\"");
    return at < 0 ? "" : line.substring(at + 14, Math.min(line.length(), at + 14 + 24));
  }

  private static CommandResult seedCurl() {
    CommandResult result = exec(SEED_CURL);
    transcript.command(
        "kubectl exec deployment/sleep -- curl aliyun.com -s -I",
        result.output() + (result.succeeded() ? "" : "(exit " + result.exitCode() + ")\n"));
    return result;
  }

  private static CommandResult exec(String... command) {
    String[] args = new String[command.length + 3];
    args[0] = "exec";
    args[1] = "deployment/sleep";
    args[2] = "--";
    System.arraycopy(command, 0, args, 3, command.length);
    return node.kubectl(Duration.ofSeconds(30), args);
  }

  private static CommandResult kubectl(String... args) {
    return kubectl(Duration.ofSeconds(120), args);
  }

  private static CommandResult kubectl(Duration timeout, String... args) {
    CommandResult result = node.kubectl(timeout, args);
    transcript.command("kubectl " + String.join(" ", args), result.output());
    assertThat(result.exitCode())
        .as(result + "\nkubelet:\n" + RealNode.componentLog("kubelet", 30))
        .isZero();
    return result;
  }
}
