package dev.wayout.certs.kube;

import dev.wayout.certs.CertificateBundle;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes the {@link CertificateBundle} in its Secret, with optimistic concurrency: a
 * write carries the resourceVersion it was based on, and a lost race is reported, not retried, so
 * the caller re-reads and adopts the winner's material.
 */
public final class SecretStore {

  static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  private final KubernetesClient client;
  private final String namespace;
  private final String name;

  public SecretStore(KubernetesClient client, String namespace, String name) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
  }

  /**
   * What the Secret holds: the bundle, or why it cannot be read.
   *
   * @param secret as read, kept so an update preserves labels and annotations others put there
   */
  public record Stored(Secret secret, Optional<CertificateBundle> bundle, String problem) {

    public String resourceVersion() {
      return secret.getMetadata().getResourceVersion();
    }
  }

  /** The Secret, or empty if there is none. */
  public Optional<Stored> read() {
    Secret secret;
    try {
      secret = client.secrets().inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new KubernetesClientException(
          "cannot read "
              + describe()
              + ": "
              + e.getMessage()
              + (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN
                  ? "; grant the webhook's ServiceAccount get on it (a Role in " + namespace + ")"
                  : ""),
          e);
    }
    if (secret == null) {
      return Optional.empty();
    }
    try {
      Map<String, String> annotations = secret.getMetadata().getAnnotations();
      return Optional.of(
          new Stored(
              secret,
              Optional.of(
                  CertificateBundle.fromSecret(
                      decode(secret), annotations == null ? Map.of() : annotations)),
              ""));
    } catch (IllegalArgumentException e) {
      return Optional.of(new Stored(secret, Optional.empty(), e.getMessage()));
    }
  }

  /**
   * Creates the Secret (when {@code basedOn} is empty) or updates the one read; false if another
   * writer got there first (it exists already, or changed since it was read).
   */
  public boolean write(CertificateBundle bundle, Optional<Stored> basedOn) {
    try {
      if (basedOn.isEmpty()) {
        client.secrets().inNamespace(namespace).resource(newSecret(bundle)).create();
      } else {
        client.secrets().inNamespace(namespace).resource(updated(basedOn.get(), bundle)).update();
      }
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        return false;
      }
      throw new KubernetesClientException(
          "cannot write "
              + describe()
              + ": "
              + e.getMessage()
              + (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN
                  ? "; grant the webhook's ServiceAccount create, get and update on it (a Role in "
                      + namespace
                      + ")"
                  : ""),
          e);
    }
  }

  public String describe() {
    return "Secret " + namespace + "/" + name;
  }

  private Secret newSecret(CertificateBundle bundle) {
    return new SecretBuilder()
        .withMetadata(
            new ObjectMetaBuilder()
                .withNamespace(namespace)
                .withName(name)
                .addToLabels(MANAGED_BY, "wayout")
                .addToAnnotations(bundle.secretAnnotations())
                .build())
        .withType("kubernetes.io/tls")
        .withData(encode(bundle.secretData()))
        .build();
  }

  // Keeps the Secret's type (immutable) and whatever else others put in it; the resourceVersion
  // read makes the update conditional.
  private static Secret updated(Stored stored, CertificateBundle bundle) {
    Map<String, String> data = new HashMap<>();
    if (stored.secret().getData() != null) {
      data.putAll(stored.secret().getData());
    }
    data.putAll(encode(bundle.secretData()));
    return new SecretBuilder(stored.secret())
        .editMetadata()
        .addToLabels(MANAGED_BY, "wayout")
        .addToAnnotations(bundle.secretAnnotations())
        .endMetadata()
        .withData(data)
        .withStringData(null)
        .build();
  }

  private static Map<String, String> encode(Map<String, String> text) {
    Map<String, String> data = new HashMap<>();
    text.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.US_ASCII))));
    return data;
  }

  private static Map<String, String> decode(Secret secret) {
    Map<String, String> text = new HashMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach(
              (k, v) -> {
                try {
                  text.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.US_ASCII));
                } catch (IllegalArgumentException e) {
                  throw new IllegalArgumentException(
                      "Secret key \"" + k + "\" is not base64: " + e.getMessage(), e);
                }
              });
    }
    return text;
  }
}
