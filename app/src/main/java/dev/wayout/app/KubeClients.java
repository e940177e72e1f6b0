package dev.wayout.app;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** Builds the fabric8 client the way every Wayout process should: in-cluster or $KUBECONFIG. */
final class KubeClients {

  private KubeClients() {}

  /**
   * The auto-configured client. Loading a kubeconfig guesses a PKCS#8 client key to be RSA and
   * ignores {@code KUBERNETES_CLIENT_KEY_ALGO}; honour it, so ECDSA client keys work.
   */
  static KubernetesClient create() {
    Config config = Config.autoConfigure(null);
    String keyAlgo = System.getenv("KUBERNETES_CLIENT_KEY_ALGO");
    if (keyAlgo != null && !keyAlgo.isBlank()) {
      config.setClientKeyAlgo(keyAlgo.trim());
    }
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
