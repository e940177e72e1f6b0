package dev.wayout.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KubeApiServerExtension.class)
class KubeApiServerIT {

  @Test
  void servesTheFabric8ClientAndKubectl(KubeApiServer api, KubernetesClient client) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("fixture-a").endMetadata().build())
        .create();

    CommandResult get = api.kubectl("get", "namespace", "fixture-a", "-o", "name");

    assertThat(get.exitCode()).as(get.toString()).isZero();
    assertThat(get.stdout()).isEqualTo("namespace/fixture-a\n");
  }

  @Test
  void appliesYamlAndRefusesWhatRbacForbids(KubeApiServer api) {
    CommandResult applied =
        api.applyYaml(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: fixture-b, namespace: default}
            data: {k: v}
            """);
    assertThat(applied.stdout()).as(applied.toString()).contains("configmap/fixture-b created");

    CommandResult asAlice = api.kubectl("--as=alice", "get", "configmaps", "-n", "default");
    assertThat(asAlice.exitCode()).isNotZero();
    assertThat(asAlice.stderr()).contains("User \"alice\" cannot list resource \"configmaps\"");
  }

  @Test
  void keepsItsDataAcrossARestart(KubeApiServer api, KubernetesClient client) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("fixture-c").endMetadata().build())
        .create();

    api.restart();

    assertThat(client.namespaces().withName("fixture-c").get()).isNotNull();
  }

  @Test
  void installsTheUpstreamCrdsSoTheSeedGatewayApplies(KubeApiServer api) {
    api.installGatewayApiCrds();
    api.installIstioCrds();
    api.kubectl("create", "namespace", "fixture-d");

    CommandResult gateway =
        api.kubectlWithInput(
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: waypoint}
            spec:
              gatewayClassName: istio-waypoint
              listeners: [{name: mesh, port: 15008, protocol: HBONE}]
            """,
            "apply",
            "-n",
            "fixture-d",
            "-f",
            "-");

    assertThat(gateway.stdout())
        .as(gateway.toString())
        .contains("gateway.gateway.networking.k8s.io/waypoint created");
    assertThat(api.kubectl("get", "crd", "serviceentries.networking.istio.io").exitCode()).isZero();
  }
}
