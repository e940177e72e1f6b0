package dev.wayout.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.wayout.testing.CommandResult;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import dev.wayout.webhook.kube.SelfTest;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The webhook against the real API server: registered by URL with the caBundle of the CA that made
 * its certificate, driven by the real kubectl, asserting on what kubectl prints.
 */
@ExtendWith(KubeApiServerExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebhookIT {

  static final String CONFIGURATION = "wayout-webhook-it";

  private static TestWebhook webhook;

  @BeforeAll
  static void register(KubeApiServer api) {
    installCrds(api);
    api.installGatewayApiCrds();
    ensureNamespace(api, "wayout-system");
    webhook =
        new TestWebhook(
            Map.of(
                "WAYOUT_WEBHOOK_CONFIGURATION",
                CONFIGURATION,
                "WAYOUT_UNENFORCED_NAMESPACES",
                "sandbox-it"),
            api.client());
    apply(
        api,
        Manifests.registeredByUrl(
            "webhook/060-ValidatingWebhookConfiguration-wayout-webhook.yaml",
            CONFIGURATION,
            webhook.webhook.port(),
            webhook.ca.certificatePem()));
    apply(
        api,
        Manifests.registeredByUrl(
            "webhook/061-MutatingWebhookConfiguration-wayout-webhook.yaml",
            CONFIGURATION,
            webhook.webhook.port(),
            webhook.ca.certificatePem()));
    // The API server takes a few seconds to pick up new configurations.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                !api.kubectlWithInput(
                        entry("wayout-system", "probe", "hosts: []"),
                        "apply",
                        "--dry-run=server",
                        "-f",
                        "-")
                    .succeeded());
  }

  @AfterAll
  static void unregister(KubeApiServer api) {
    api.kubectl("delete", "validatingwebhookconfiguration", CONFIGURATION, "--ignore-not-found");
    api.kubectl("delete", "mutatingwebhookconfiguration", CONFIGURATION, "--ignore-not-found");
    if (webhook != null) {
      webhook.close();
    }
  }

  static void installCrds(KubeApiServer api) {
    CommandResult crds =
        api.kubectl("apply", "--server-side", "-k", Manifests.root().resolve("crds").toString());
    assertThat(crds.exitCode()).as(crds.toString()).isZero();
    CommandResult established =
        api.kubectl(
            "wait",
            "--for=condition=established",
            "--timeout=60s",
            "crd/serviceentries.networking.istio.io",
            "crd/destinationrules.networking.istio.io",
            "crd/virtualservices.networking.istio.io");
    assertThat(established.exitCode()).as(established.toString()).isZero();
  }

  static void ensureNamespace(KubeApiServer api, String name) {
    api.kubectl("create", "namespace", name);
  }

  static void apply(KubeApiServer api, com.fasterxml.jackson.databind.JsonNode object) {
    CommandResult r = api.kubectlWithInput(Manifests.json(object), "apply", "-f", "-");
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

  static String namespace(KubeApiServer api) {
    String name = "wh-" + UUID.randomUUID().toString().substring(0, 8);
    CommandResult r = api.kubectl("create", "namespace", name);
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return name;
  }

  static String entry(String namespace, String name, String spec) {
    return """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: %s, namespace: %s}
        spec:
          %s
        """
        .formatted(name, namespace, spec.replace("\n", "\n  "));
  }

  static CommandResult applyIn(KubeApiServer api, String namespace, String yaml) {
    return api.kubectlWithInput(yaml, "apply", "-n", namespace, "-f", "-");
  }

  @Test
  @Order(1)
  void appliesTheSeedServiceEntryAndDestinationRuleWarningUntilTlsIsOriginated(KubeApiServer api) {
    String ns = namespace(api);
    String seedStep4 =
        entry(
            ns,
            "external-svc-aliyun",
            """
        hosts:
        - aliyun.com
        location: MESH_EXTERNAL
        ports:
        - number: 80
          name: http
          protocol: HTTP
        - number: 443
          name: https
          protocol: HTTPS
        resolution: DNS""");
    CommandResult step4 = applyIn(api, ns, seedStep4);
    assertThat(step4.exitCode()).as(step4.toString()).isZero();
    assertThat(step4.stdout())
        .contains("serviceentry.networking.istio.io/external-svc-aliyun created");

    String seedStep5 =
        seedStep4.replace("protocol: HTTP\n", "protocol: HTTP\n    targetPort: 443\n");
    CommandResult step5 = applyIn(api, ns, seedStep5);
    assertThat(step5.exitCode()).as(step5.toString()).isZero();
    assertThat(step5.stdout())
        .contains("serviceentry.networking.istio.io/external-svc-aliyun configured");
    // port 80 now goes to 443 and no DestinationRule originates TLS yet: legal, but risky
    assertThat(step5.stderr()).contains("Warning: spec.ports[0].targetPort");

    CommandResult rule =
        applyIn(
            api,
            ns,
            """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: aliyun-com
        spec:
          host: aliyun.com
          trafficPolicy:
            portLevelSettings:
            - port:
                number: 80
              tls:
                mode: SIMPLE
        """);
    assertThat(rule.exitCode()).as(rule.toString()).isZero();
    assertThat(rule.stdout()).contains("destinationrule.networking.istio.io/aliyun-com created");
  }

  @Test
  @Order(2)
  void refusesTargetPort70000WithTheFieldPath(KubeApiServer api) {
    String ns = namespace(api);
    CommandResult r =
        applyIn(
            api,
            ns,
            entry(
                ns,
                "bad-port",
                """
        hosts: [api.example.com]
        ports:
        - number: 80
          name: http
          protocol: HTTP
          targetPort: 70000
        resolution: DNS"""));

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr())
        .contains("admission webhook \"istio.validate.wayout.dev\" denied the request: ")
        .contains("spec.ports[0].targetPort: 70000");
  }

  @Test
  @Order(2)
  void refusesAVirtualServiceWithABadRetryOnAndWarnsAboutAnUnreachableRoute(KubeApiServer api) {
    String ns = namespace(api);
    String vs =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: api}
        spec:
          hosts: [api.example.com]
          http:
          - route: [{destination: {host: api.example.com}}]
            retries: {attempts: 3, retryOn: "5xx, reset"}
        """;
    CommandResult refused = api.kubectlWithInput(vs, "apply", "-n", ns, "-f", "-");

    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.stderr())
        .contains("admission webhook \"istio.validate.wayout.dev\" denied the request: ")
        .contains("spec.http[0].retries.retryOn: \" reset\" is not a retryOn condition");

    String unreachable =
        """
        apiVersion: networking.istio.io/v1beta1
        kind: VirtualService
        metadata: {name: api}
        spec:
          hosts: [api.example.com]
          http:
          - route: [{destination: {host: api.example.com}}]
          - route: [{destination: {host: api.example.com}}]
        """;
    CommandResult warned = api.kubectlWithInput(unreachable, "apply", "-n", ns, "-f", "-");

    assertThat(warned.exitCode()).as(warned.toString()).isZero();
    assertThat(warned.stderr())
        .contains(
            "Warning: spec.http[1]: virtualService rule #1 not used (only the last rule can"
                + " have no matches)");
  }

  @Test
  @Order(3)
  void refusesAWildcardHostWithResolutionDns(KubeApiServer api) {
    String ns = namespace(api);
    CommandResult r =
        applyIn(
            api,
            ns,
            entry(
                ns,
                "wild",
                """
        hosts: ["*.example.org"]
        ports:
        - number: 443
          name: tls
          protocol: TLS
        resolution: DNS"""));

    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr())
        .contains("admission webhook \"istio.validate.wayout.dev\" denied the request: ")
        .contains("spec.hosts[0]: \"*.example.org\"")
        .contains("DYNAMIC_DNS");
  }

  @Test
  @Order(4)
  void refusesASecondEntryClaimingTheSameHostAndPortNamingBoth(KubeApiServer api) {
    String a = namespace(api);
    String b = namespace(api);
    String spec =
        """
        hosts: [shared.example.com]
        ports:
        - number: 443
          name: tls
          protocol: TLS
        resolution: DNS""";
    assertThat(applyIn(api, a, entry(a, "first", spec)).exitCode()).isZero();

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              CommandResult r =
                  applyIn(
                      api,
                      b,
                      entry(
                          b,
                          "second",
                          spec.replace("TLS", "HTTPS").replace("name: tls", "name: https")));
              assertThat(r.exitCode()).as(r.toString()).isNotZero();
              assertThat(r.stderr()).contains(a + "/first").contains(b + "/second");
            });
  }

  @Test
  @Order(5)
  void labelsANewNamespaceEnforced(KubeApiServer api) {
    String ns = namespace(api);

    CommandResult label =
        api.kubectl(
            "get", "namespace", ns, "-o", "jsonpath={.metadata.labels.wayout\\.dev/egress}");

    assertThat(label.stdout()).isEqualTo("enforced");
  }

  @Test
  @Order(6)
  void leavesAnExcludedNamespaceUnlabelled(KubeApiServer api) {
    api.kubectl("create", "namespace", "sandbox-it");

    CommandResult labels =
        api.kubectl("get", "namespace", "sandbox-it", "-o", "jsonpath={.metadata.labels}");

    assertThat(labels.stdout()).doesNotContain("wayout.dev/egress");
  }

  @Test
  @Order(7)
  void refusesAliceExemptingANamespaceAndSaysWhoMay(KubeApiServer api) {
    String ns = namespace(api);
    api.applyYaml(
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: wayout-it-namespace-editor}
        rules:
        - apiGroups: [""]
          resources: [namespaces]
          verbs: [get, list, create, update, patch]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: wayout-it-alice-namespaces}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: wayout-it-namespace-editor}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
        """);

    CommandResult alice =
        api.kubectl(
            "--as=alice", "label", "namespace", ns, "wayout.dev/egress=exempt", "--overwrite");

    assertThat(alice.exitCode()).as(alice.toString()).isNotZero();
    assertThat(alice.stderr())
        .contains("admission webhook \"namespaces.validate.wayout.dev\" denied the request: ")
        .contains("metadata.labels[\"wayout.dev/egress\"]: setting \"exempt\"")
        .contains("\"alice\"")
        .contains("only groups \"system:masters\" may");
    CommandResult admin =
        api.kubectl("label", "namespace", ns, "wayout.dev/egress=exempt", "--overwrite");
    assertThat(admin.exitCode()).as(admin.toString()).isZero();
  }

  @Test
  @Order(8)
  void selfTestTurnsTheIstioKindsFromIgnoreToFail(KubeApiServer api) throws Exception {
    assertThat(failurePolicies(api))
        .containsEntry("istio.validate.wayout.dev", "Ignore")
        .containsEntry("namespaces.validate.wayout.dev", "Ignore");

    SelfTest.Result result =
        new SelfTest(api.client(), "wayout-system", CONFIGURATION, Clock.systemUTC())
            .run(Duration.ofSeconds(30));

    assertThat(result.proven()).as(result.detail()).isTrue();
    assertThat(failurePolicies(api))
        .containsEntry("istio.validate.wayout.dev", "Fail")
        .containsEntry("namespaces.validate.wayout.dev", "Ignore");
    assertThat(
            api.client()
                .admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withName(CONFIGURATION)
                .get()
                .getWebhooks())
        .allSatisfy(w -> assertThat(w.getFailurePolicy()).isEqualTo("Ignore"));
  }

  @Test
  @Order(9)
  void warnsWhenAServiceEntryIsBoundToAGatewayThatDoesNotExistUntilItIsCreated(KubeApiServer api) {
    String ns = namespace(api);
    String bound =
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: api
          labels: {istio.io/use-waypoint: egress}
        spec:
          hosts: [%s]
          location: MESH_EXTERNAL
          resolution: DNS
          ports: [{number: 80, name: http, protocol: HTTP}]
        """;

    CommandResult warned = applyIn(api, ns, bound.formatted("api.example.com"));

    assertThat(warned.exitCode()).as(warned.toString()).isZero();
    assertThat(warned.stdout()).contains("serviceentry.networking.istio.io/api created");
    assertThat(warned.stderr())
        .contains(
            "Warning: metadata.labels[\"istio.io/use-waypoint\"]: \"egress\" names waypoint "
                + ns
                + "/egress, but no Gateway "
                + ns
                + "/egress exists (looked for in the cluster), so the waypoints refuse traffic to"
                + " this ServiceEntry's hosts; create the Gateway (name: egress, namespace: "
                + ns
                + ", gatewayClassName: istio-waypoint) or correct the label");

    CommandResult gateway = applyIn(api, ns, gateway("egress", "istio-waypoint"));
    assertThat(gateway.exitCode()).as(gateway.toString()).isZero();
    assertThat(gateway.stderr()).doesNotContain("Warning:");
    CommandResult quiet = applyIn(api, ns, bound.formatted("api2.example.com"));
    assertThat(quiet.exitCode()).as(quiet.toString()).isZero();
    assertThat(quiet.stderr()).doesNotContain("Warning: metadata.labels");
  }

  @Test
  @Order(10)
  void warnsAboutAGatewayMeantForWayoutWhoseClassItDoesNotServeButNotAboutAnotherProjects(
      KubeApiServer api) {
    String ns = namespace(api);
    String otherClass = ns + "-ingress";
    CommandResult cls =
        api.applyYaml(
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: GatewayClass
            metadata: {name: %s}
            spec: {controllerName: example.com/ingress-controller}
            """
                .formatted(otherClass));
    assertThat(cls.exitCode()).as(cls.toString()).isZero();
    try {
      CommandResult typo = applyIn(api, ns, gateway("egress", "istio-waypiont"));
      CommandResult other = applyIn(api, ns, gateway("public", otherClass));

      assertThat(typo.exitCode()).as(typo.toString()).isZero();
      assertThat(typo.stderr())
          .contains(
              "Warning: spec.gatewayClassName: \"istio-waypiont\" is not a class Wayout serves"
                  + " (istio-waypoint, wayout-waypoint), yet this Gateway looks meant for a Wayout"
                  + " waypoint: no GatewayClass \"istio-waypiont\" exists (looked for in the"
                  + " cluster); no Wayout waypoint is deployed for it; use gatewayClassName:"
                  + " istio-waypoint (or wayout-waypoint)");
      assertThat(other.exitCode()).as(other.toString()).isZero();
      assertThat(other.stderr()).doesNotContain("Warning:");

      // once a ServiceEntry is bound to it, another class's Gateway is warned about too
      CommandResult entry =
          applyIn(
              api,
              ns,
              """
              apiVersion: networking.istio.io/v1
              kind: ServiceEntry
              metadata:
                name: api
                labels: {istio.io/use-waypoint: public}
              spec:
                hosts: [api.example.com]
                resolution: DNS
                ports: [{number: 80, name: http, protocol: HTTP}]
              """);
      assertThat(entry.stderr()).contains("has gatewayClassName \"" + otherClass + "\"");
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(
                          applyIn(
                                  api,
                                  ns,
                                  gateway("public", otherClass).replace("port: 80", "port: 8080"))
                              .stderr())
                      .contains(
                          "ServiceEntry " + ns + "/api is bound to it by istio.io/use-waypoint"));
    } finally {
      api.kubectl("delete", "gatewayclass", otherClass, "--ignore-not-found");
    }
  }

  @Test
  @Order(11)
  void warnsWhenANamespaceIsLabelledForAWaypointThatDoesNotExist(KubeApiServer api) {
    String ns = namespace(api);

    CommandResult missing =
        api.kubectl("label", "namespace", ns, "istio.io/use-waypoint=egress", "--overwrite");
    CommandResult dflt =
        api.kubectl("label", "namespace", ns, "istio.io/use-waypoint=waypoint", "--overwrite");

    assertThat(missing.exitCode()).as(missing.toString()).isZero();
    assertThat(missing.stderr())
        .contains(
            "Warning: metadata.labels[\"istio.io/use-waypoint\"]: \"egress\" names waypoint "
                + ns
                + "/egress, but no Gateway "
                + ns
                + "/egress exists (looked for in the cluster), so the waypoints refuse traffic to"
                + " the hosts of this namespace's ServiceEntries");
    // the default waypoint's name: served by the default without a Gateway
    assertThat(dflt.exitCode()).as(dflt.toString()).isZero();
    assertThat(dflt.stderr()).doesNotContain("Warning:");
  }

  static String gateway(String name, String gatewayClass) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: %s}
        spec:
          gatewayClassName: %s
          listeners: [{name: http, port: 80, protocol: HTTP}]
        """
        .formatted(name, gatewayClass);
  }

  private static Map<String, String> failurePolicies(KubeApiServer api) {
    ValidatingWebhookConfiguration vwc =
        api.client()
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName(CONFIGURATION)
            .get();
    return vwc.getWebhooks().stream()
        .collect(Collectors.toMap(ValidatingWebhook::getName, ValidatingWebhook::getFailurePolicy));
  }
}
