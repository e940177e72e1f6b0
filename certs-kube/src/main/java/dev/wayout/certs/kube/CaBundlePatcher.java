package dev.wayout.certs.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Keeps the {@code caBundle} of every webhook in Wayout's own Validating- and
 * MutatingWebhookConfiguration equal to the Secret's {@code ca.crt} (old + new CA during a
 * rotation).
 *
 * <p>Two replicas patch the same objects. Each patch reads the configuration first, then asks for
 * the current {@code ca.crt}, then updates conditionally on the configuration's resourceVersion.
 * Whoever changes the Secret afterwards patches afterwards too (or conflicts and retries), so a
 * replica that read an older Secret can never put an older caBundle back.
 */
public final class CaBundlePatcher {

  private static final int ATTEMPTS = 5;

  private final KubernetesClient client;
  private final String validatingName;
  private final String mutatingName;

  public CaBundlePatcher(KubernetesClient client, String validatingName, String mutatingName) {
    this.client = client;
    this.validatingName = validatingName;
    this.mutatingName = mutatingName;
  }

  /** What happened to one configuration. */
  public enum Status {
    PATCHED,
    UP_TO_DATE,
    NOT_FOUND,
    /** The Secret could not be read when it was needed; the next check tries again. */
    NO_BUNDLE
  }

  public record Result(String kind, String name, Status status, int webhooks) {
    @Override
    public String toString() {
      return kind + " " + name + ": " + status + " (" + webhooks + " webhooks)";
    }
  }

  /** Sets every caBundle to this PEM text. */
  public List<Result> patch(String caBundlePem) {
    return patch(() -> Optional.of(caBundlePem));
  }

  /**
   * Sets every caBundle to what {@code currentCaPem} returns, asked after each configuration has
   * been read (see the class comment for why).
   */
  public List<Result> patch(Supplier<Optional<String>> currentCaPem) {
    List<Result> results = new ArrayList<>();
    results.add(
        patch(
            "ValidatingWebhookConfiguration",
            validatingName,
            client.admissionRegistration().v1().validatingWebhookConfigurations(),
            c -> c.getWebhooks().stream().map(ValidatingWebhook::getClientConfig).toList(),
            currentCaPem));
    results.add(
        patch(
            "MutatingWebhookConfiguration",
            mutatingName,
            client.admissionRegistration().v1().mutatingWebhookConfigurations(),
            c -> c.getWebhooks().stream().map(MutatingWebhook::getClientConfig).toList(),
            currentCaPem));
    return List.copyOf(results);
  }

  private <T extends HasMetadata> Result patch(
      String kind,
      String name,
      NonNamespaceOperation<T, ?, Resource<T>> configurations,
      Function<T, List<WebhookClientConfig>> clientConfigs,
      Supplier<Optional<String>> currentCaPem) {
    for (int attempt = 1; ; attempt++) {
      T configuration = configurations.withName(name).get();
      if (configuration == null) {
        return new Result(kind, name, Status.NOT_FOUND, 0);
      }
      List<WebhookClientConfig> configs = clientConfigs.apply(configuration);
      Optional<String> pem = currentCaPem.get();
      if (pem.isEmpty()) {
        return new Result(kind, name, Status.NO_BUNDLE, configs.size());
      }
      String caBundle =
          Base64.getEncoder().encodeToString(pem.get().getBytes(StandardCharsets.US_ASCII));
      if (configs.stream().allMatch(c -> Objects.equals(c.getCaBundle(), caBundle))) {
        return new Result(kind, name, Status.UP_TO_DATE, configs.size());
      }
      configs.forEach(c -> c.setCaBundle(caBundle));
      try {
        // the resourceVersion read above makes this conditional
        configurations.resource(configuration).update();
        return new Result(kind, name, Status.PATCHED, configs.size());
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == ATTEMPTS) {
          throw new KubernetesClientException(
              "cannot patch the caBundle of "
                  + kind
                  + " "
                  + name
                  + ": "
                  + e.getMessage()
                  + (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN
                      ? "; grant the webhook's ServiceAccount get and update on it (a ClusterRole"
                          + " with resourceNames: ["
                          + name
                          + "])"
                      : ""),
              e);
        }
      }
    }
  }
}
