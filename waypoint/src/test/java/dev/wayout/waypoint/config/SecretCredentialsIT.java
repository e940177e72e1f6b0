package dev.wayout.waypoint.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wayout.model.DestinationRule;
import dev.wayout.testing.KubeApiServer;
import dev.wayout.testing.KubeApiServerExtension;
import dev.wayout.waypoint.WaypointConfig;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The copies of credentialName Secrets follow the Secrets on the real test API server: a removed
 * key removes its file, a deleted Secret its folder, and closing removes a folder the waypoint
 * made.
 */
@ExtendWith(KubeApiServerExtension.class)
class SecretCredentialsIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private KubeApiServer api;
  private String namespace;

  @BeforeEach
  void namespace(KubeApiServer api) {
    this.api = api;
    namespace = "wayout-creds-" + UUID.randomUUID().toString().substring(0, 8);
    api.client()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  @Test
  void followsTheSecretAsItChangesAndIsDeleted(@TempDir Path folder) throws Exception {
    putSecret("client", Map.of("ca.crt", "CA", "tls.crt", "CERT", "tls.key", "KEY"));
    try (SecretCredentials credentials = credentials(folder)) {
      credentials.refresh(rules("client"));
      Path client = folder.resolve("client");
      assertThat(Files.readString(client.resolve("tls.key"))).isEqualTo("KEY");

      // Rotated to a CA only: the old client key must not stay behind.
      putSecret("client", Map.of("ca.crt", "CA2"));
      credentials.refresh(rules("client"));
      assertThat(Files.readString(client.resolve("ca.crt"))).isEqualTo("CA2");
      assertThat(client.resolve("tls.crt")).doesNotExist();
      assertThat(client.resolve("tls.key")).doesNotExist();

      // Deleted: the credential is revoked, not kept in use.
      api.client().secrets().inNamespace(namespace).withName("client").delete();
      credentials.refresh(rules("client"));
      assertThat(client).doesNotExist();
    }
    assertThat(folder).as("a configured folder is the operator's").isDirectory();
  }

  @Test
  void readsIstiosGenericKeysToo(@TempDir Path folder) throws Exception {
    putSecret("generic", Map.of("cacert", "CA", "cert", "CERT", "key", "KEY"));
    try (SecretCredentials credentials = credentials(folder)) {
      credentials.refresh(rules("generic"));
      Path generic = folder.resolve("generic");
      assertThat(Files.readString(generic.resolve("ca.crt"))).isEqualTo("CA");
      assertThat(Files.readString(generic.resolve("tls.crt"))).isEqualTo("CERT");
      assertThat(Files.readString(generic.resolve("tls.key"))).isEqualTo("KEY");
    }
  }

  @Test
  void removesTheCopiesNoRuleNamesAnyMoreFromAFolderOfItsOwn() throws Exception {
    putSecret("first", Map.of("tls.key", "KEY1"));
    putSecret("second", Map.of("tls.key", "KEY2"));
    try (SecretCredentials credentials = credentials(null)) {
      Path folder = credentials.directory();
      credentials.refresh(rules("first"));
      credentials.refresh(rules("second"));
      assertThat(folder.resolve("first")).doesNotExist();
      assertThat(Files.readString(folder.resolve("second/tls.key"))).isEqualTo("KEY2");
    }
  }

  @Test
  void removesTheFolderItMadeWhenClosed() throws Exception {
    putSecret("client", Map.of("tls.key", "KEY"));
    SecretCredentials credentials = credentials(null);
    Path folder = credentials.directory();
    credentials.refresh(rules("client"));
    assertThat(folder.resolve("client/tls.key")).exists();

    credentials.close();

    assertThat(folder).doesNotExist();
  }

  private SecretCredentials credentials(Path folder) {
    Map<String, String> env =
        folder == null
            ? Map.of("WAYOUT_WAYPOINT_NAMESPACE", namespace)
            : Map.of(
                "WAYOUT_WAYPOINT_NAMESPACE",
                namespace,
                "WAYOUT_WAYPOINT_CREDENTIALS_DIR",
                folder.toString());
    return new SecretCredentials(api.client(), WaypointConfig.fromEnv(env));
  }

  private void putSecret(String name, Map<String, String> data) {
    api.client()
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withStringData(data)
                .build())
        .createOr(NonDeletingOperation::update);
  }

  private static List<DestinationRule> rules(String credentialName) throws Exception {
    return List.of(
        DestinationRule.from(
            JSON.readTree(
                """
                {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
                 "metadata": {"name": "r", "namespace": "egress"},
                 "spec": {"host": "api.example.com",
                          "trafficPolicy": {"tls": {"mode": "MUTUAL", "credentialName": "%s"}}}}
                """
                    .formatted(credentialName))));
  }
}
