package dev.wayout.certs.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.certs.CertificateAuthority;
import dev.wayout.certs.CertificateBundle;
import dev.wayout.testing.KubeApiServerExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(KubeApiServerExtension.class)
class SecretStoreIT {

  private static final Clock CLOCK = Clock.systemUTC();

  @Test
  void aWriteBasedOnAStaleReadLosesAndChangesNothing(KubernetesClient client) {
    SecretStore store = new SecretStore(client, namespace(client), "wayout-webhook-tls");
    assertThat(store.read()).isEmpty();
    assertThat(store.write(bundle(), Optional.empty())).isTrue();
    // a second create (the other replica also saw no Secret) loses
    assertThat(store.write(bundle(), Optional.empty())).isFalse();

    Optional<SecretStore.Stored> read = store.read();
    CertificateBundle winner = bundle();
    assertThat(store.write(winner, read)).isTrue();
    // the same read is stale now: this update is refused, the winner's material stays
    assertThat(store.write(bundle(), read)).isFalse();
    assertThat(store.read().orElseThrow().bundle().orElseThrow().serving().leaf())
        .isEqualTo(winner.serving().leaf());
  }

  @Test
  void reportsWhyASecretCannotBeUsedAndKeepsWhatOthersPutThere(KubernetesClient client) {
    String namespace = namespace(client);
    client
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("wayout-webhook-tls")
                .addToLabels("team", "platform")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToStringData("tls.crt", "garbage")
                .addToStringData("tls.key", "garbage")
                .build())
        .create();
    SecretStore store = new SecretStore(client, namespace, "wayout-webhook-tls");

    SecretStore.Stored stored = store.read().orElseThrow();
    assertThat(stored.bundle()).isEmpty();
    assertThat(stored.problem()).isEqualTo("Secret key \"ca.crt\" is missing or empty");

    assertThat(store.write(bundle(), Optional.of(stored))).isTrue();
    var secret = client.secrets().inNamespace(namespace).withName("wayout-webhook-tls").get();
    assertThat(secret.getMetadata().getLabels())
        .containsEntry("team", "platform")
        .containsEntry("app.kubernetes.io/managed-by", "wayout");
    assertThat(store.read().orElseThrow().bundle()).isPresent();
  }

  private static CertificateBundle bundle() {
    CertificateAuthority ca =
        CertificateAuthority.create(CLOCK, "wayout-webhook-ca", Duration.ofDays(1));
    return new CertificateBundle(
        ca,
        ca.issueServing(CLOCK, List.of("wayout-webhook"), List.of(), Duration.ofHours(1)),
        CLOCK.instant());
  }

  private static String namespace(KubernetesClient client) {
    String name = "store-" + UUID.randomUUID().toString().substring(0, 8);
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }
}
