package dev.wayout.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** Every manifest under manifests/: one object a file, named after it, and names that agree. */
class ManifestsTest {

  private static final Pattern FILE = Pattern.compile("(\\d{3})-([A-Za-z]+)-(.+)\\.yaml");

  private static Map<String, ObjectNode> objects() {
    Map<String, ObjectNode> byKindAndName = new HashMap<>();
    for (Path file : Manifests.all()) {
      if (file.getFileName().toString().equals("kustomization.yaml")) {
        continue;
      }
      ObjectNode object = Manifests.read(file);
      byKindAndName.put(
          object.path("kind").asText() + "/" + object.path("metadata").path("name").asText(),
          object);
    }
    return byKindAndName;
  }

  private static ObjectNode get(String kindAndName) {
    ObjectNode object = objects().get(kindAndName);
    assertThat(object).as(kindAndName).isNotNull();
    return object;
  }

  @Test
  void holdsOneObjectPerFileNamedNnnKindName() throws Exception {
    List<Path> files = Manifests.all();
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (name.equals("kustomization.yaml")) {
        continue;
      }
      Matcher m = FILE.matcher(name);
      assertThat(m.matches()).as(name + " is NNN-Kind-name.yaml").isTrue();
      assertThat(Files.readString(file)).as(name + " holds one document").doesNotContain("\n---");
      ObjectNode object = Manifests.read(file);
      assertThat(object.path("kind").asText()).as(name).isEqualTo(m.group(2));
      assertThat(object.path("metadata").path("name").asText()).as(name).isEqualTo(m.group(3));
    }
  }

  @Test
  void listsEveryFileInItsFoldersKustomization() throws Exception {
    for (Path kustomization : Manifests.all()) {
      if (!kustomization.getFileName().toString().equals("kustomization.yaml")) {
        continue;
      }
      Path dir = kustomization.getParent();
      List<String> listed = new ArrayList<>();
      Manifests.read(kustomization).path("resources").forEach(r -> listed.add(r.asText()));
      List<String> present = new ArrayList<>();
      try (var entries = Files.list(dir)) {
        entries
            .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
            .filter(p -> Files.isDirectory(p) || p.toString().endsWith(".yaml"))
            .forEach(p -> present.add(p.getFileName().toString()));
      }
      // manifests/gateway needs the Gateway API CRDs, which not every cluster has: it is applied
      // on its own (kubectl apply -k manifests/gateway/), as the top-level kustomization says
      if (dir.equals(Manifests.root())) {
        present.remove("gateway");
      }
      assertThat(listed).as(kustomization.toString()).containsExactlyInAnyOrderElementsOf(present);
    }
  }

  @Test
  void agreesOnTheServiceItsCertificateAndTheWebhookConfigurations() {
    ObjectNode deployment = get("Deployment/wayout-webhook");
    ObjectNode service = get("Service/wayout-webhook");
    WebhookConfig config = WebhookConfig.fromEnv(env(deployment));
    String namespace = deployment.path("metadata").path("namespace").asText();

    assertThat(config.serviceName()).isEqualTo(service.path("metadata").path("name").asText());
    assertThat(service.path("metadata").path("namespace").asText()).isEqualTo(namespace);
    // the API server dials <service>.<namespace>.svc: the serving certificate must name it
    assertThat(config.serviceDnsNames()).contains(config.serviceName() + "." + namespace + ".svc");
    JsonNode container = deployment.at("/spec/template/spec/containers/0");
    JsonNode servicePort = service.at("/spec/ports/0");
    assertThat(servicePort.path("port").asInt()).isEqualTo(443);
    assertThat(servicePort.path("targetPort").asText())
        .isEqualTo(container.at("/ports/0/name").asText());
    assertThat(container.at("/ports/0/containerPort").asInt())
        .isEqualTo(config.port())
        .isEqualTo(9443);
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(container.at("/readinessProbe/httpGet/scheme").asText()).isEqualTo("HTTPS");
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
    assertThat(service.at("/spec/selector")).isEqualTo(deployment.at("/spec/selector/matchLabels"));
    deployment
        .at("/spec/selector/matchLabels")
        .fields()
        .forEachRemaining(
            e ->
                assertThat(deployment.at("/spec/template/metadata/labels").path(e.getKey()))
                    .isEqualTo(e.getValue()));

    for (String kind : List.of("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")) {
      ObjectNode configuration = get(kind + "/" + config.configurationName());
      for (JsonNode webhook : configuration.path("webhooks")) {
        String name = webhook.path("name").asText();
        assertThat(webhook.at("/clientConfig/service/name").asText())
            .as(name)
            .isEqualTo(config.serviceName());
        assertThat(webhook.at("/clientConfig/service/namespace").asText())
            .as(name)
            .isEqualTo(namespace);
        assertThat(webhook.at("/clientConfig/service/port").asInt()).as(name).isEqualTo(443);
        assertThat(webhook.at("/clientConfig/service/path").asText())
            .as(name)
            .isIn("/validate", "/mutate/namespaces", "/mutate/pods");
        assertThat(webhook.path("failurePolicy").asText()).as(name).isEqualTo("Ignore");
        assertThat(webhook.path("sideEffects").asText()).as(name).isEqualTo("None");
        assertThat(webhook.path("timeoutSeconds").asInt()).as(name).isEqualTo(5);
        assertThat(webhook.path("admissionReviewVersions").toString())
            .as(name)
            .isEqualTo("[\"v1\"]");
        List<String> excluded =
            StreamSupport.stream(
                    webhook.at("/namespaceSelector/matchExpressions/0/values").spliterator(), false)
                .map(JsonNode::asText)
                .toList();
        assertThat(webhook.at("/namespaceSelector/matchExpressions/0/key").asText())
            .isEqualTo("kubernetes.io/metadata.name");
        assertThat(webhook.at("/namespaceSelector/matchExpressions/0/operator").asText())
            .isEqualTo("NotIn");
        assertThat(excluded).as(name).contains("kube-system", "kube-node-lease");
        if (!name.startsWith("istio.")) {
          assertThat(excluded).as(name).contains(namespace);
        }
      }
    }
  }

  @Test
  void bindsItsRolesToItsServiceAccountAndNamesItsOwnObjects() {
    ObjectNode deployment = get("Deployment/wayout-webhook");
    WebhookConfig config = WebhookConfig.fromEnv(env(deployment));
    String account = deployment.at("/spec/template/spec/serviceAccountName").asText();
    String namespace = deployment.path("metadata").path("namespace").asText();
    assertThat(get("ServiceAccount/" + account).path("metadata").path("namespace").asText())
        .isEqualTo(namespace);
    assertThat(get("Namespace/" + namespace)).isNotNull();

    for (String binding :
        List.of("ClusterRoleBinding/wayout-webhook", "RoleBinding/wayout-webhook")) {
      ObjectNode b = get(binding);
      assertThat(b.at("/subjects/0/kind").asText()).isEqualTo("ServiceAccount");
      assertThat(b.at("/subjects/0/name").asText()).isEqualTo(account);
      assertThat(b.at("/subjects/0/namespace").asText()).isEqualTo(namespace);
      assertThat(get(b.at("/roleRef/kind").asText() + "/" + b.at("/roleRef/name").asText()))
          .isNotNull();
    }
    assertThat(get("ClusterRole/wayout-webhook").path("rules").toString())
        .contains("\"resourceNames\":[\"" + config.configurationName() + "\"]");
    assertThat(get("Role/wayout-webhook").path("rules").toString())
        .contains("\"resourceNames\":[\"" + config.tlsSecretName() + "\"]");
    JsonNode pdb = get("PodDisruptionBudget/wayout-webhook");
    assertThat(pdb.at("/spec/selector/matchLabels"))
        .isEqualTo(deployment.at("/spec/selector/matchLabels"));
  }

  @Test
  void injectsPodsOfEnforcedNamespacesFailingOpenAndMayReadTheWaypointService() {
    ObjectNode deployment = get("Deployment/wayout-webhook");
    PodInjectionConfig injection = WebhookConfig.fromEnv(env(deployment)).podInjection();
    assertThat(injection).as("the Deployment configures pod injection").isNotNull();
    ObjectNode waypoint = get("Service/" + injection.waypointServiceName());
    assertThat(waypoint.at("/metadata/namespace").asText())
        .isEqualTo(injection.waypointServiceNamespace());
    ObjectNode role = get("Role/wayout-webhook");
    assertThat(role.at("/metadata/namespace").asText())
        .isEqualTo(injection.waypointServiceNamespace());
    assertThat(role.path("rules").toString())
        .contains(
            "{\"apiGroups\":[\"\"],\"resources\":[\"services\"],\"resourceNames\":[\""
                + injection.waypointServiceName()
                + "\"],\"verbs\":[\"get\",\"list\",\"watch\"]}");

    JsonNode pods = null;
    for (JsonNode webhook : get("MutatingWebhookConfiguration/wayout-webhook").path("webhooks")) {
      if (webhook.at("/clientConfig/service/path").asText().equals("/mutate/pods")) {
        pods = webhook;
      }
    }
    assertThat(pods).as("a webhook for /mutate/pods").isNotNull();
    assertThat(pods.path("failurePolicy").asText()).isEqualTo("Ignore");
    assertThat(pods.at("/rules/0/resources").toString()).isEqualTo("[\"pods\"]");
    assertThat(pods.at("/rules/0/operations").toString()).isEqualTo("[\"CREATE\"]");
    assertThat(pods.at("/namespaceSelector/matchExpressions/1").toString())
        .isEqualTo("{\"key\":\"wayout.dev/egress\",\"operator\":\"In\",\"values\":[\"enforced\"]}");
    assertThat(pods.path("reinvocationPolicy").asText()).isIn("Never", "IfNeeded");
    assertThat(pods.at("/matchConditions/0/expression").asText()).contains("'wayout-init'");
  }

  @Test
  void servesEveryIstioVersionFromItsCrds() {
    for (String crd : List.of("serviceentries", "destinationrules", "virtualservices")) {
      JsonNode versions =
          get("CustomResourceDefinition/" + crd + ".networking.istio.io").at("/spec/versions");
      assertThat(
              StreamSupport.stream(versions.spliterator(), false)
                  .map(
                      v ->
                          v.path("name").asText()
                              + ":"
                              + v.path("served").asBoolean()
                              + ":"
                              + v.path("storage").asBoolean()))
          .containsExactly("v1:true:true", "v1beta1:true:false", "v1alpha3:true:false");
    }
  }

  /**
   * The Deployment's literal env values, as WebhookConfig reads them; fieldRefs as they resolve.
   */
  private static Map<String, String> env(JsonNode deployment) {
    Map<String, String> env = new HashMap<>();
    for (JsonNode var : deployment.at("/spec/template/spec/containers/0/env")) {
      if (var.has("value")) {
        env.put(var.path("name").asText(), var.path("value").asText());
      } else if (var.at("/valueFrom/fieldRef/fieldPath").asText().equals("metadata.namespace")) {
        env.put(var.path("name").asText(), deployment.path("metadata").path("namespace").asText());
      }
    }
    return env;
  }
}
