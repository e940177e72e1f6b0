package dev.wayout.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IstioDocumentsTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"v1", "v1beta1", "v1alpha3"})
  void readsEveryServedVersion(String version) {
    ResourceSet set =
        IstioDocuments.parse(
            "apiVersion: networking.istio.io/"
                + version
                + "\nkind: ServiceEntry\nmetadata: {name:"
                + " a}\nspec: {hosts: [a.example.com]}\n",
            "a.yaml",
            "ns");

    assertThat(set.problems()).isEmpty();
    assertThat(set.serviceEntries())
        .singleElement()
        .satisfies(e -> assertThat(e.ref()).isEqualTo(new ObjectRef("ns", "a")));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"networking.istio.io/v2", "security.istio.io/v1", "v1", "networking.istio.io"})
  void skipsOtherGroupsAndVersions(String apiVersion) {
    ResourceSet set =
        IstioDocuments.parse(
            "apiVersion: " + apiVersion + "\nkind: ServiceEntry\nmetadata: {name: a}\n",
            "a.yaml",
            "ns");

    assertThat(set).isEqualTo(ResourceSet.EMPTY);
  }

  @Test
  void readsEveryDocumentOfAMultiDocumentFileAndSkipsOtherKinds() {
    String yaml =
        Resources.seed("step5-serviceentry.yaml")
            + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sleep}\n---\n"
            + Resources.seed("step5-destinationrule.yaml")
            + "---\n";

    ResourceSet set = IstioDocuments.parse(yaml, "seed.yaml", "istio-egress");

    assertThat(set.problems()).isEmpty();
    assertThat(set.serviceEntries())
        .extracting(ServiceEntry::name)
        .containsExactly("external-svc-aliyun");
    assertThat(set.destinationRules())
        .extracting(DestinationRule::name)
        .containsExactly("aliyun-com");
    assertThat(set.destinationRules().get(0).namespace()).isEqualTo("istio-egress");
  }

  @Test
  void readsTheItemsOfAKindList() {
    String yaml =
        "apiVersion: v1\nkind: List\nitems:\n"
            + "- {apiVersion: networking.istio.io/v1beta1, kind: ServiceEntry, metadata: {name: a,"
            + " namespace: x}, spec: {hosts: [a.example.com]}}\n"
            + "- {apiVersion: networking.istio.io/v1alpha3, kind: DestinationRule, metadata: {name:"
            + " b}, spec: {host: a.example.com}}\n";

    ResourceSet set = IstioDocuments.parse(yaml, "list.yaml", "default");

    assertThat(set.serviceEntries())
        .extracting(ServiceEntry::ref)
        .containsExactly(new ObjectRef("x", "a"));
    assertThat(set.destinationRules())
        .extracting(DestinationRule::ref)
        .containsExactly(new ObjectRef("default", "b"));
  }

  @Test
  void readsJson() {
    String json =
        "{\"apiVersion\":\"networking.istio.io/v1\",\"kind\":\"DestinationRule\",\"metadata\":"
            + "{\"name\":\"r\",\"namespace\":\"n\"},\"spec\":{\"host\":\"a.example.com\","
            + "\"trafficPolicy\":{\"connectionPool\":{\"tcp\":{\"connectTimeout\":\"1m30s\"}}}}}";

    ResourceSet set = IstioDocuments.parse(json, "r.json", null);

    assertThat(set.destinationRules())
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.trafficPolicy().connectionPool().connectTimeout())
                    .isEqualTo(Duration.ofSeconds(90)));
  }

  @Test
  void ignoresFieldsWayoutDoesNotUse() {
    String yaml =
        "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: a, uid: x,"
            + " annotations: {k: v}}\nspec:\n  hosts: [a.example.com]\n  futureField: {deep:"
            + " [1, 2]}\n  ports: [{number: 80, name: http, protocol: HTTP, somethingNew: true}]\n"
            + "status: {conditions: []}\n";

    ResourceSet set = IstioDocuments.parse(yaml, "a.yaml", "ns");

    assertThat(set.problems()).isEmpty();
    assertThat(set.serviceEntries().get(0).ports())
        .containsExactly(new ServicePort(80, "HTTP", "http", null));
  }

  @Test
  void reportsEveryFieldOfTheWrongTypeWithItsPath() {
    String yaml =
        "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad}\nspec:\n"
            + "  hosts: api.example.com\n"
            + "  ports:\n  - {number: eighty, name: http, targetPort: [443]}\n"
            + "  endpoints: [{address: 192.0.2.1, ports: {http: x}}]\n";

    ResourceSet set = IstioDocuments.parse(yaml, "bad.yaml", "ns");

    assertThat(set.serviceEntries()).isEmpty();
    assertThat(set.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.kind()).isEqualTo("ServiceEntry");
              assertThat(p.name()).isEqualTo("ns/bad");
              assertThat(p.errors())
                  .extracting(FieldError::message)
                  .containsExactly(
                      "spec.hosts: \"api.example.com\" is not a list; write a list here",
                      "spec.ports[0].number: \"eighty\" is not an integer; write an integer here",
                      "spec.ports[0].targetPort: a list is not an integer; write an integer here",
                      "spec.endpoints[0].ports.http: \"x\" is not an integer; write an integer"
                          + " here");
            });
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiterString = "=>",
      value = {
        "{host: a.example.com, trafficPolicy: {tls: {insecureSkipVerify: maybe}}} =>"
            + " spec.trafficPolicy.tls.insecureSkipVerify",
        "{host: a.example.com, trafficPolicy: {connectionPool: {tcp: {connectTimeout: soon}}}} =>"
            + " spec.trafficPolicy.connectionPool.tcp.connectTimeout",
        "{host: a.example.com, subsets: [{name: v1, labels: [a]}]} => spec.subsets[0].labels",
        "{host: a.example.com, trafficPolicy: {portLevelSettings: [{port: {number: '80a'}}]}} =>"
            + " spec.trafficPolicy.portLevelSettings[0].port.number",
        "{host: [a.example.com]} => spec.host",
      })
  void throwsForWrongTypesInDestinationRules(String spec, String path) throws Exception {
    var object =
        new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readTree(
                "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\n"
                    + "spec: "
                    + spec);

    assertThatThrownBy(() -> DestinationRule.from(object))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e -> assertThat(e.errors()).extracting(FieldError::path).containsExactly(path));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = "=>",
      value = {
        "'key: [unclosed' => not valid YAML or JSON",
        "just a sentence => expected a Kubernetes object with apiVersion and kind",
        "'{\"apiVersion\": ' => not valid YAML or JSON",
      })
  void reportsTextThatIsNoObjectAsAProblemOfTheFile(String text, String problem) {
    ResourceSet set = IstioDocuments.parse(text, "notes.yaml", null);

    assertThat(set.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.source()).isEqualTo("notes.yaml");
              assertThat(p.message()).startsWith("notes.yaml: document: document: " + problem);
            });
  }

  @Test
  void explainsAnUnquotedIpv6AddressThatYamlReadAsAKey() {
    ResourceSet set =
        IstioDocuments.parse(
            "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: a}\n"
                + "spec: {hosts: [a.example.com], addresses: [192.0.2.1, 2001:db8::]}\n",
            "a.yaml",
            "ns");

    assertThat(set.problems())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.errors())
                    .extracting(FieldError::message)
                    .containsExactly(
                        "spec.addresses[1]: the unquoted value 2001:db8:: was read by YAML as a map"
                            + " key; quote it, e.g. \"2001:db8::\""));
  }

  @Test
  void readsTheDestinationRuleSelectorFromMatchLabels() {
    DestinationRule rule =
        Resources.destinationRule(
            "{host: a.example.com, workloadSelector: {matchLabels: {app: sleep}}}");

    assertThat(rule.workloadSelector()).isEqualTo(Map.of("app", "sleep"));
  }

  @Test
  void keepsTheNamespaceAnObjectNames() {
    ResourceSet set =
        IstioDocuments.parse(
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r,"
                + " namespace: mine}\nspec: {host: a.example.com}\n",
            "r.yaml",
            "other");

    assertThat(set.destinationRules().get(0).namespace()).isEqualTo("mine");
  }

  @Test
  void readsGatewaysGatewayClassesAndNamespacesForTheWaypointChecks() {
    String yaml =
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: waypoint}
        spec:
          gatewayClassName: istio-waypoint
          listeners: [{name: mesh, port: 15008, protocol: HBONE}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: wayout-waypoint}
        spec: {controllerName: wayout.dev/waypoint-controller}
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: istio-egress
          labels: {istio.io/use-waypoint: waypoint}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: skipped}
        """;

    ResourceSet set = IstioDocuments.parse(yaml, "waypoint.yaml", "istio-egress");

    assertThat(set.problems()).isEmpty();
    assertThat(set.gateways())
        .containsExactly(new Gateway("istio-egress", "waypoint", Map.of(), "istio-waypoint"));
    assertThat(set.gatewayClasses())
        .containsExactly(new GatewayClass("wayout-waypoint", "wayout.dev/waypoint-controller"));
    assertThat(set.namespaces())
        .containsExactly(
            new KubeNamespace("istio-egress", Map.of("istio.io/use-waypoint", "waypoint")));
    assertThat(set.serviceEntries()).isEmpty();
  }
}
