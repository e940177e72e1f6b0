package dev.wayout.enforcer.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class KubeViewTest {

  private static GenericKubernetesResource resource(String spec) {
    return Serialization.unmarshal(
        """
        {"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry",
         "metadata": {"name": "aliyun", "namespace": "egress", "uid": "1", "resourceVersion": "7"},
         "spec": %s}
        """
            .formatted(spec),
        GenericKubernetesResource.class);
  }

  @Test
  void convertsAServiceEntryFromTheCache() {
    var entry =
        KubeView.convert(
            resource(
                "{\"hosts\": [\"aliyun.com\"], \"ports\": [{\"number\": 80, \"name\": \"http\","
                    + " \"protocol\": \"HTTP\", \"targetPort\": 443}]}"));

    assertThat(entry).isPresent();
    assertThat(entry.get().ports().get(0).upstreamPort()).isEqualTo(443);
    assertThat(entry.get().namespace()).isEqualTo("egress");
  }

  @Test
  void skipsAMalformedServiceEntry() {
    assertThat(
            KubeView.convert(
                resource("{\"hosts\": \"aliyun.com\", \"ports\": [{\"number\": \"eighty\"}]}")))
        .isEmpty();
  }
}
