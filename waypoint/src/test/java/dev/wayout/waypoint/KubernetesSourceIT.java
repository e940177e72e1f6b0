package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.certs.CertificateAuthority;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import dev.wayout.waypoint.config.KubernetesPolicySource;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration from the real test API server through informers: only ServiceEntries bound by
 * istio.io/use-waypoint are served, changes apply live, and a client's namespace comes from its pod
 * IP. Each test uses its own waypoint name and namespaces.
 */
@ExtendWith(KubeApiServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesSourceIT {

  private KubeApiServer api;
  private TestUpstream upstream;
  private WaypointFixture fixture;
  private KubernetesPolicySource source;
  private String name;

  @BeforeAll
  void crds(KubeApiServer api) {
    this.api = api;
    api.installIstioCrds();
  }

  @BeforeEach
  void start() throws Exception {
    name = "wp-" + UUID.randomUUID().toString().substring(0, 8);
    upstream = TestUpstream.http();
    String own = "wayout-" + name;
    api.client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(own).endMetadata().build())
        .create();
    fixture =
        new WaypointFixture(Map.of("WAYOUT_WAYPOINT_NAME", name, "WAYOUT_WAYPOINT_NAMESPACE", own));
    source =
        new KubernetesPolicySource(api.client(), false, fixture.config, fixture.waypoint).start();
  }

  @AfterEach
  void stop() {
    source.close();
    fixture.close();
    upstream.close();
  }

  private String namespace(String prefix, Map<String, String> labels) {
    String ns = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    api.client()
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(ns)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
    return ns;
  }

  private void applyEntry(String ns, String host, String extra) {
    String yaml =
        WaypointFixture.staticEntry(
                host.substring(0, host.indexOf('.')), host, 80, upstream.port(), "HTTP")
            .replace("namespace: istio-egress", "namespace: " + ns);
    api.applyYaml(yaml.replace("spec:\n", "spec:\n" + extra));
  }

  /** A ServiceEntry for {@code host}:80 served on {@code port}, and a DestinationRule for it. */
  private void applyEntryAndRule(String ns, String host, int port, String trafficPolicy) {
    String entryName = host.substring(0, host.indexOf('.'));
    api.applyYaml(
        (WaypointFixture.staticEntry(entryName, host, 80, port, "HTTP")
                + WaypointFixture.destinationRule(entryName, host, trafficPolicy))
            .replace("namespace: istio-egress", "namespace: " + ns));
  }

  private int status(String host) throws Exception {
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      return client.send("GET /echo HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read().status();
    }
  }

  @Test
  void servesEntriesOfBoundNamespacesLiveAndNothingElse() throws Exception {
    String bound = namespace("egress", Map.of("istio.io/use-waypoint", name));
    String unbound = namespace("other", Map.of());
    applyEntry(bound, "bound.example.com", "");
    applyEntry(unbound, "unbound.example.com", "");

    await().atMost(Duration.ofSeconds(20)).until(() -> status("bound.example.com") == 200);
    assertThat(status("unbound.example.com")).isEqualTo(403);

    // Labelling the namespace binds its entries; deleting an entry closes the way again.
    api.client()
        .namespaces()
        .withName(unbound)
        .edit(
            n ->
                new NamespaceBuilder(n)
                    .editMetadata()
                    .addToLabels("istio.io/use-waypoint", name)
                    .endMetadata()
                    .build());
    await().atMost(Duration.ofSeconds(20)).until(() -> status("unbound.example.com") == 200);
    api.kubectl("delete", "serviceentry", "bound", "-n", bound);
    await().atMost(Duration.ofSeconds(20)).until(() -> status("bound.example.com") == 403);
  }

  @Test
  void originatesTlsWithTheCaOfTheSecretNamedByCredentialName() throws Exception {
    CertificateAuthority ca =
        CertificateAuthority.create(Clock.systemUTC(), "secret CA", Duration.ofDays(1));
    try (TestUpstream https = TestUpstream.https(ca, "tls.example.com")) {
      String egress = namespace("egress", Map.of("istio.io/use-waypoint", name));
      api.client()
          .secrets()
          .inNamespace(fixture.config.namespace())
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("tls-example-ca")
                  .endMetadata()
                  .addToStringData("ca.crt", ca.certificatePem())
                  .build())
          .createOr(NonDeletingOperation::update);
      applyEntryAndRule(
          egress,
          "tls.example.com",
          https.port(),
          "tls: {mode: SIMPLE, credentialName: tls-example-ca}");

      await().atMost(Duration.ofSeconds(20)).until(() -> status("tls.example.com") == 200);
      assertThat(https.requests).isNotEmpty().allSatisfy(r -> assertThat(r.tls()).isTrue());

      // Deleting the Secret revokes the credential at the next rebuild (any change, or a minute).
      api.client()
          .secrets()
          .inNamespace(fixture.config.namespace())
          .withName("tls-example-ca")
          .delete();
      applyEntry(egress, "nudge.example.com", "");
      await().atMost(Duration.ofSeconds(20)).until(() -> status("tls.example.com") == 503);
    }
  }

  @Test
  void usesARewrittenCaFileWithinSeconds(@TempDir Path folder) throws Exception {
    Clock clock = Clock.systemUTC();
    CertificateAuthority wrong = CertificateAuthority.create(clock, "old CA", Duration.ofDays(1));
    CertificateAuthority right = CertificateAuthority.create(clock, "new CA", Duration.ofDays(1));
    Path caFile = Files.writeString(folder.resolve("ca.pem"), wrong.certificatePem());
    try (TestUpstream https = TestUpstream.https(right, "ca.example.com")) {
      String egress = namespace("egress", Map.of("istio.io/use-waypoint", name));
      applyEntryAndRule(
          egress,
          "ca.example.com",
          https.port(),
          "tls: {mode: SIMPLE, caCertificates: " + caFile + "}");
      await().atMost(Duration.ofSeconds(20)).until(() -> status("ca.example.com") == 503);

      // Rotated in place, as the kubelet updates a mounted volume; no object changes.
      Files.writeString(caFile, right.certificatePem());
      await().atMost(Duration.ofSeconds(10)).until(() -> status("ca.example.com") == 200);
    }
  }

  @Test
  void readsTheClientsIdentityFromItsPodIpAndHonoursExportTo() throws Exception {
    String egress = namespace("egress", Map.of("istio.io/use-waypoint", name));
    String shop = namespace("shop", Map.of());
    applyEntry(egress, "private.example.com", "  exportTo: [\".\"]\n");
    applyEntry(egress, "public.example.com", "");
    Pod pod =
        api.client()
            .pods()
            .inNamespace(shop)
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("sleep-7d4f9-x2x5k")
                    .withLabels(Map.of("app", "sleep", "pod-template-hash", "7d4f9"))
                    .addNewOwnerReference()
                    .withApiVersion("apps/v1")
                    .withKind("ReplicaSet")
                    .withName("sleep-7d4f9")
                    .withUid(UUID.randomUUID().toString())
                    .withController(true)
                    .endOwnerReference()
                    .endMetadata()
                    .withNewSpec()
                    .withServiceAccountName("sleeper")
                    .addNewContainer()
                    .withName("sleep")
                    .withImage("curl")
                    .endContainer()
                    .endSpec()
                    .build())
            .create();
    pod.setStatus(
        new PodStatusBuilder()
            .withPodIP("127.0.0.1")
            .withPodIPs(new PodIPBuilder().withIp("127.0.0.1").build())
            .build());
    api.client().pods().inNamespace(shop).resource(pod).updateStatus();

    await().atMost(Duration.ofSeconds(20)).until(() -> status("public.example.com") == 200);
    await().atMost(Duration.ofSeconds(20)).until(() -> status("private.example.com") == 403);
    fixture.accessLog.clear();
    status("private.example.com");
    JsonNode log = fixture.nextLog();
    assertThat(log.get("source_namespace").asText()).isEqualTo(shop);
    assertThat(log.get("source_principal").asText())
        .isEqualTo("spiffe://cluster.local/ns/" + shop + "/sa/sleeper");
    assertThat(log.get("source_workload").asText()).isEqualTo("sleep");
    assertThat(log.get("response_flags").asText()).isEqualTo("NR");
  }
}
