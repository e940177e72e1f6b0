package dev.wayout.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Finds kube-apiserver, etcd and kubectl: from {@code KUBEBUILDER_ASSETS} (the envtest convention)
 * when it holds all three, else from Wayout's cache, building them with {@code
 * tools/test-apiserver.sh} on first use.
 */
public final class TestAssets {

  private static final List<String> BINARIES = List.of("kube-apiserver", "etcd", "kubectl");

  private TestAssets() {}

  public static synchronized Path binaries() {
    String assets = System.getenv("KUBEBUILDER_ASSETS");
    if (assets != null && !assets.isBlank() && hasAll(Path.of(assets))) {
      return Path.of(assets);
    }
    Path script = repositoryRoot().resolve("tools/test-apiserver.sh");
    CommandResult built =
        Commands.run(List.of("bash", script.toString()), null, Duration.ofMinutes(40));
    if (!built.succeeded()) {
      throw new IllegalStateException(
          "could not build the test API server with " + script + "\n" + built.stderr());
    }
    String[] lines = built.stdout().strip().split("\n");
    Path dir = Path.of(lines[lines.length - 1].strip());
    if (!hasAll(dir)) {
      throw new IllegalStateException(script + " printed " + dir + ", which lacks " + BINARIES);
    }
    return dir;
  }

  /**
   * Upstream CRDs fetched by the same script: {@code gateway-api/*.yaml} (Gateway API standard
   * channel) and {@code istio/crds.yaml} (Istio's own CRDs, with their full schemas).
   */
  public static Path crds() {
    binaries();
    String root = System.getenv("WAYOUT_TEST_ASSETS_ROOT");
    Path base =
        root == null || root.isBlank()
            ? Path.of(System.getProperty("user.home"), ".cache", "wayout")
            : Path.of(root);
    return base.resolve("crds");
  }

  /** The checkout's top directory: the nearest parent holding {@code tools/test-apiserver.sh}. */
  public static Path repositoryRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("tools/test-apiserver.sh"))) {
        return p;
      }
    }
    throw new IllegalStateException(
        "tools/test-apiserver.sh not found above " + Path.of("").toAbsolutePath());
  }

  private static boolean hasAll(Path dir) {
    return BINARIES.stream().allMatch(b -> Files.isExecutable(dir.resolve(b)));
  }
}
