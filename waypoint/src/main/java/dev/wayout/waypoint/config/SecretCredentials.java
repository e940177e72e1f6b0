package dev.wayout.waypoint.config;

import dev.wayout.model.ClientTls;
import dev.wayout.model.DestinationRule;
import dev.wayout.model.PortTrafficPolicy;
import dev.wayout.model.Subset;
import dev.wayout.model.TrafficPolicy;
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
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DestinationRule {@code credentialName} in a cluster: the Secret of that name in the waypoint's
 * namespace (as Istio reads it for a gateway), copied to a private folder as {@code ca.crt}, {@code
 * tls.crt}, {@code tls.key}, where {@code TlsContexts} reads credentials. Accepts kubernetes.io/tls
 * keys ({@code tls.crt}, {@code tls.key}, {@code ca.crt}) and Istio's generic ones ({@code cert},
 * {@code key}, {@code cacert}). Runs on the rebuild thread, never an event loop.
 *
 * <p>The copies follow the Secrets: a key removed from a Secret removes its file, and a Secret that
 * the API server says is gone removes its folder, so that deleting a Secret revokes the credential
 * (its routes answer 503) instead of leaving a copy in use. A Secret that cannot be read for
 * another reason (the API server unreachable) keeps its last copy. {@link #close()} removes a
 * folder this class created, so that no private key outlives the process.
 */
final class SecretCredentials implements AutoCloseable {

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
  private final boolean ownsDirectory;

  SecretCredentials(KubernetesClient client, WaypointConfig config) {
    this.client = client;
    this.namespace = config.namespace();
    this.ownsDirectory = config.credentialsDir() == null;
    try {
      this.directory =
          ownsDirectory
              ? Files.createTempDirectory(
                  "wayout-credentials",
                  PosixFilePermissions.asFileAttribute(
                      PosixFilePermissions.fromString("rwx------")))
              : config.credentialsDir();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a folder for credentialName Secrets", e);
    }
  }

  Path directory() {
    return directory;
  }

  /**
   * Copies the Secrets the rules name; a missing one is logged and its routes answer 503. In a
   * folder of its own, the copies of Secrets no rule names any more are removed.
   */
  void refresh(Iterable<DestinationRule> rules) {
    Set<String> names = names(rules);
    if (ownsDirectory) {
      removeAllBut(names);
    }
    for (String name : names) {
      try {
        Path dir = directory.resolve(name).normalize();
        if (!dir.startsWith(directory) || dir.equals(directory)) {
          continue; // the validator refuses such names; never write outside the folder
        }
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null || secret.getData() == null) {
          LOG.warn(
              "credentialName {}: no Secret {}/{}; create it with ca.crt (and tls.crt, tls.key for MUTUAL)",
              name,
              namespace,
              name);
          deleteRecursively(dir);
          continue;
        }
        copy(secret.getData(), dir);
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

  private void removeAllBut(Set<String> names) {
    try (Stream<Path> folders = Files.list(directory)) {
      for (Path folder : folders.toList()) {
        if (!names.contains(folder.getFileName().toString())) {
          deleteRecursively(folder);
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot tidy the credentials folder {}: {}", directory, e.getMessage());
    }
  }

  /** Writes each file the Secret has and removes each it no longer has. */
  private static void copy(Map<String, String> data, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (Map.Entry<String, String[]> file : FILES.entrySet()) {
      String value = firstPresent(data, file.getValue());
      Path target = dir.resolve(file.getKey());
      if (value != null) {
        Files.write(target, Base64.getDecoder().decode(value));
      } else {
        Files.deleteIfExists(target);
      }
    }
  }

  private static String firstPresent(Map<String, String> data, String[] keys) {
    for (String key : keys) {
      if (data.get(key) != null) {
        return data.get(key);
      }
    }
    return null;
  }

  /** Removes the folder this class created; a configured folder is the operator's to keep. */
  @Override
  public void close() {
    if (ownsDirectory) {
      try {
        deleteRecursively(directory);
      } catch (IOException e) {
        LOG.warn("cannot remove the credentials folder {}: {}", directory, e.getMessage());
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static Set<String> names(Iterable<DestinationRule> rules) {
    Set<String> names = new LinkedHashSet<>();
    for (DestinationRule rule : rules) {
      add(names, rule.trafficPolicy());
      for (Subset subset : rule.subsets()) {
        add(names, subset.trafficPolicy());
      }
    }
    return names;
  }

  private static void add(Set<String> names, TrafficPolicy policy) {
    if (policy == null) {
      return;
    }
    add(names, policy.tls());
    for (PortTrafficPolicy p : policy.portLevelSettings()) {
      add(names, p.tls());
    }
  }

  private static void add(Set<String> names, ClientTls tls) {
    String name = tls == null ? null : ClientTls.secretName(tls.credentialName());
    if (name != null) {
      names.add(name); // only a Secret name is looked up: it is also a safe folder name
    }
  }
}
