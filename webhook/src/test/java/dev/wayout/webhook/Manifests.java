package dev.wayout.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

/** Reads the install manifests under {@code manifests/} at the repository's root. */
public final class Manifests {

  private static final ObjectMapper YAML = new YAMLMapper();

  private Manifests() {}

  public static Path root() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("manifests")) && Files.exists(p.resolve("mvnw"))) {
        return p.resolve("manifests");
      }
    }
    throw new IllegalStateException("no manifests/ above " + dir);
  }

  public static ObjectNode read(Path file) {
    try {
      return (ObjectNode) YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ObjectNode read(String relative) {
    return read(root().resolve(relative));
  }

  /** Every YAML file under manifests/, kustomization files included. */
  public static List<Path> all() {
    try (Stream<Path> files = Files.walk(root())) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A webhook configuration from the manifests, renamed, with every clientConfig pointing at the
   * webhook by URL on 127.0.0.1 and trusting the given CA, as the API server in the tests needs.
   */
  public static ObjectNode registeredByUrl(String file, String name, int port, String caPem) {
    ObjectNode configuration = read(file);
    configuration.with("metadata").put("name", name);
    String caBundle = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII));
    for (JsonNode webhook : configuration.get("webhooks")) {
      ObjectNode clientConfig = (ObjectNode) webhook.get("clientConfig");
      String path = clientConfig.path("service").path("path").asText();
      clientConfig.removeAll();
      clientConfig.put("url", "https://127.0.0.1:" + port + path);
      clientConfig.put("caBundle", caBundle);
    }
    return configuration;
  }

  public static String json(JsonNode node) {
    return node.toString();
  }
}
