package dev.wayout.waypoint.config;

import dev.wayout.model.ClientTls;
import dev.wayout.model.DestinationRule;
import dev.wayout.model.PortTrafficPolicy;
import dev.wayout.waypoint.WaypointConfig;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DestinationRule {@code credentialName} in a cluster: the Secret of that name in the waypoint's
 * namespace (as Istio reads it for a gateway), copied to a private folder as {@code ca.crt}, {@code
 * tls.crt}, {@code tls.key}, where {@code TlsContexts} reads credentials. Accepts kubernetes.io/tls
 * keys ({@code tls.crt}, {@code tls.key}, {@code ca.crt}) and Istio's generic ones ({@code cert},
 * {@code key}, {@code cacert}). Runs on the rebuild thread, never an event loop.
 */
final class SecretCredentials {

  private static final Logger LOG = LoggerFactory.getLogger(SecretCredentials.class);
  private static final Map<String, String[]> FILES =
      Map.of(
          "ca.crt",
          new String[] {"ca.crt", "cacert"},
          "tls.crt",
          new String[] {"tls.crt", "cert"},
          "tls.key",
          new String[] {"tls.key", "key"});

  private final KubernetesClient client;
  private final String namespace;
  private final Path directory;

  SecretCredentials(KubernetesClient client, WaypointConfig config) {
    this.client = client;
    this.namespace = config.namespace();
    try {
      this.directory =
          config.credentialsDir() != null
              ? config.credentialsDir()
              : Files.createTempDirectory(
                  "wayout-credentials",
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a folder for credentialName Secrets", e);
    }
  }

  Path directory() {
    return directory;
  }

  /** Copies the Secrets the rules name; a missing one is logged and its routes answer 503. */
  void refresh(Iterable<DestinationRule> rules) {
    for (String name : names(rules)) {
      try {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null || secret.getData() == null) {
          LOG.warn(
              "credentialName {}: no Secret {}/{}; create it with ca.crt (and tls.crt, tls.key for MUTUAL)",
              name,
              namespace,
              name);
          continue;
        }
        Path dir = directory.resolve(name).normalize();
        if (!dir.startsWith(directory)) {
          continue;
        }
        Files.createDirectories(dir);
        for (Map.Entry<String, String[]> file : FILES.entrySet()) {
          for (String key : file.getValue()) {
            String data = secret.getData().get(key);
            if (data != null) {
              Files.write(dir.resolve(file.getKey()), Base64.getDecoder().decode(data));
              break;
            }
          }
        }
      } catch (IOException | KubernetesClientException | IllegalArgumentException e) {
        LOG.warn(
            "credentialName {}: cannot read Secret {}/{}: {}",
            name,
            namespace,
            name,
            e.getMessage());
      }
    }
  }

  private static Set<String> names(Iterable<DestinationRule> rules) {
    Set<String> names = new LinkedHashSet<>();
    for (DestinationRule rule : rules) {
      add(names, rule.trafficPolicy().tls());
      for (PortTrafficPolicy p : rule.trafficPolicy().portLevelSettings()) {
        add(names, p.tls());
      }
    }
    return names;
  }

  private static void add(Set<String> names, ClientTls tls) {
    if (tls != null && tls.credentialName() != null && !tls.credentialName().isBlank()) {
      names.add(tls.credentialName());
    }
  }
}
