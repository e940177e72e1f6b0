package dev.wayout.testing;

import dev.wayout.certs.CertificateAuthority;
import dev.wayout.certs.Pem;
import dev.wayout.certs.ServingCertificate;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real etcd and kube-apiserver on loopback, envtest style: an admin client certificate,
 * service-account keys, RBAC and the admission webhook plugins on. No controller-manager, scheduler
 * or kubelet run, so pods never start and namespaces never finish deleting.
 */
public final class KubeApiServer implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path binaries;
  private final Path dir;
  private final int etcdPort;
  private final int etcdPeerPort;
  private final int port;
  private final CertificateAuthority ca;
  private final ServingCertificate admin;
  private Process etcd;
  private Process apiServer;
  private KubernetesClient client;

  private KubeApiServer(Path binaries, Path dir) {
    this.binaries = binaries;
    this.dir = dir;
    this.etcdPort = FreePorts.loopback();
    this.etcdPeerPort = FreePorts.loopback();
    this.port = FreePorts.loopback();
    Clock clock = Clock.systemUTC();
    this.ca = CertificateAuthority.create(clock, "wayout-test-apiserver-ca", Duration.ofDays(2));
    this.admin = ca.issueClient(clock, "admin", List.of("system:masters"), Duration.ofDays(2));
  }

  /** Starts etcd and kube-apiserver in a fresh temporary directory and waits until ready. */
  public static KubeApiServer start() {
    try {
      KubeApiServer server =
          new KubeApiServer(TestAssets.binaries(), Files.createTempDirectory("wayout-apiserver-"));
      server.writeCredentials();
      server.startEtcd();
      server.startApiServer();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return "https://127.0.0.1:" + port;
  }

  public Path kubeconfig() {
    return dir.resolve("kubeconfig");
  }

  /** PEM of the CA that signed the API server's certificate and the admin client certificate. */
  public String caPem() {
    return ca.certificatePem();
  }

  /** A cluster-admin fabric8 client, shared; do not close it. */
  public synchronized KubernetesClient client() {
    if (client == null) {
      client = newClient();
    }
    return client;
  }

  /** A new cluster-admin client that the caller owns and closes. */
  public KubernetesClient newClient() {
    try {
      return new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig())))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Environment for a Wayout process started against this server with {@code --kubeconfig}: fabric8
   * must be told that the client key is ECDSA.
   */
  public java.util.Map<String, String> clientEnvironment() {
    return java.util.Map.of("KUBECONFIG", kubeconfig().toString());
  }

  /** Runs the real kubectl against this server, e.g. {@code kubectl("get", "ns")}. */
  public CommandResult kubectl(String... args) {
    return kubectlWithInput(null, args);
  }

  /**
   * Runs kubectl with {@code stdin} fed to it, e.g. {@code kubectlWithInput(yaml, "apply", "-f",
   * "-")}.
   */
  public CommandResult kubectlWithInput(String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binaries.resolve("kubectl").toString());
    command.add("--kubeconfig=" + kubeconfig());
    command.addAll(List.of(args));
    return Commands.run(command, stdin, Duration.ofSeconds(60));
  }

  /**
   * {@code kubectl auth can-i}'s answer ("yes" or "no") for a user, e.g. {@code
   * system:serviceaccount:NS:NAME}; an empty namespace asks cluster-wide.
   */
  public String canI(String user, String verb, String resource, String namespace) {
    CommandResult answer =
        namespace.isEmpty()
            ? kubectl("auth", "can-i", verb, resource, "--as=" + user)
            : kubectl("auth", "can-i", verb, resource, "-n", namespace, "--as=" + user);
    return answer.stdout().strip();
  }

  /** {@code kubectl apply -f -} of the given YAML. */
  public CommandResult applyYaml(String yaml) {
    return kubectlWithInput(yaml, "apply", "-f", "-");
  }

  /** Installs the Gateway API CRDs (standard channel), for the seed's waypoint Gateway. */
  public void installGatewayApiCrds() {
    installCrds(TestAssets.crds().resolve("gateway-api"));
  }

  /**
   * Installs Istio's own CRDs (ServiceEntry, DestinationRule, ... with Istio's schemas), as on a
   * cluster that runs Istio.
   */
  public void installIstioCrds() {
    installCrds(TestAssets.crds().resolve("istio"));
  }

  /** Server-side applies every CRD under {@code dir} and waits until each is established. */
  public void installCrds(Path dir) {
    CommandResult applied =
        kubectl("apply", "--server-side", "--force-conflicts", "-f", dir.toString());
    if (!applied.succeeded()) {
      throw new IllegalStateException("cannot install CRDs from " + dir + ": " + applied);
    }
    CommandResult established =
        kubectl("wait", "--for=condition=Established", "--timeout=60s", "-f", dir.toString());
    if (!established.succeeded()) {
      throw new IllegalStateException("CRDs from " + dir + " not established: " + established);
    }
  }

  /** Stops kube-apiserver and starts it again on the same port with the same etcd data. */
  public void restart() {
    stop(apiServer);
    startApiServer();
  }

  /** Stops kube-apiserver only, until {@link #startAgain()}; clients see connection errors. */
  public void stopApiServer() {
    stop(apiServer);
  }

  public void startAgain() {
    startApiServer();
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      client.close();
    }
    stop(apiServer);
    stop(etcd);
    deleteQuietly(dir);
  }

  private void writeCredentials() throws IOException {
    ServingCertificate serving =
        ca.issueServing(
            Clock.systemUTC(), List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(2));
    write("ca.crt", ca.certificatePem());
    write("apiserver.crt", serving.chainPem());
    write("apiserver.key", serving.privateKeyPem());
    KeyPair serviceAccounts = ecKeyPair();
    write("sa.key", Pem.encode(serviceAccounts.getPrivate()));
    write(
        "sa.pub",
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(serviceAccounts.getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n");
    write("kubeconfig", kubeconfigYaml());
  }

  private String kubeconfigYaml() {
    Base64.Encoder b64 = Base64.getEncoder();
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: admin
          user:
            client-certificate-data: %s
            client-key-data: %s
        contexts:
        - name: test
          context: {cluster: test, user: admin, namespace: default}
        current-context: test
        """
        .formatted(
            url(),
            b64.encodeToString(ca.certificatePem().getBytes(StandardCharsets.US_ASCII)),
            b64.encodeToString(admin.chainPem().getBytes(StandardCharsets.US_ASCII)),
            b64.encodeToString(sec1(admin.privateKey()).getBytes(StandardCharsets.US_ASCII)));
  }

  /**
   * The key as "EC PRIVATE KEY" (SEC1): fabric8 picks the key algorithm from that header, and takes
   * a PKCS#8 "PRIVATE KEY" for RSA, so every Wayout process can use this kubeconfig as it is.
   */
  private static String sec1(java.security.PrivateKey key) {
    // The JDK's encoding leaves the curve out of the inner key; Go (kubectl) needs it there.
    org.bouncycastle.asn1.pkcs.PrivateKeyInfo info =
        org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(key.getEncoded());
    org.bouncycastle.asn1.sec.ECPrivateKey withCurve =
        new org.bouncycastle.asn1.sec.ECPrivateKey(
            256,
            ((java.security.interfaces.ECPrivateKey) key).getS(),
            info.getPrivateKeyAlgorithm().getParameters());
    java.io.StringWriter out = new java.io.StringWriter();
    try (org.bouncycastle.openssl.jcajce.JcaPEMWriter writer =
        new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
      writer.writeObject(
          new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", withCurve.getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private void startEtcd() {
    String client = "http://127.0.0.1:" + etcdPort;
    String peer = "http://127.0.0.1:" + etcdPeerPort;
    etcd =
        launch(
            "etcd",
            List.of(
                binaries.resolve("etcd").toString(),
                "--name=default",
                "--data-dir=" + dir.resolve("etcd"),
                "--listen-client-urls=" + client,
                "--advertise-client-urls=" + client,
                "--listen-peer-urls=" + peer,
                "--initial-advertise-peer-urls=" + peer,
                "--initial-cluster=default=" + peer,
                "--unsafe-no-fsync=true",
                "--log-level=warn"));
  }

  private void startApiServer() {
    apiServer =
        launch(
            "kube-apiserver",
            List.of(
                binaries.resolve("kube-apiserver").toString(),
                "--etcd-servers=http://127.0.0.1:" + etcdPort,
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                "--secure-port=" + port,
                "--cert-dir=" + dir.resolve("certs"),
                "--tls-cert-file=" + dir.resolve("apiserver.crt"),
                "--tls-private-key-file=" + dir.resolve("apiserver.key"),
                "--client-ca-file=" + dir.resolve("ca.crt"),
                "--authorization-mode=RBAC",
                "--service-cluster-ip-range=10.96.0.0/16",
                "--allow-privileged=true",
                "--enable-admission-plugins=NamespaceLifecycle,MutatingAdmissionWebhook,ValidatingAdmissionWebhook",
                // no token controller runs, so the ServiceAccount plugin would refuse every Pod
                "--disable-admission-plugins=ServiceAccount",
                "--service-account-issuer=" + url(),
                "--service-account-key-file=" + dir.resolve("sa.pub"),
                "--service-account-signing-key-file=" + dir.resolve("sa.key"),
                "--v=1"));
    awaitReady();
  }

  private Process launch(String name, List<String> command) {
    try {
      Path log = dir.resolve(name + ".log");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      // a test JVM that dies must not leave servers behind
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().sslContext(adminSslContext()).build();
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create(url() + "/readyz"))
            .timeout(Duration.ofSeconds(2))
            .build();
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      if (!apiServer.isAlive() || !etcd.isAlive()) {
        throw new IllegalStateException("the test API server exited:\n" + logTails());
      }
      try {
        HttpResponse<String> response = http.send(ready, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
        last = response.statusCode() + " " + response.body();
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for the test API server", e);
      }
      pause(Duration.ofMillis(200));
    }
    throw new IllegalStateException(
        "the test API server was not ready within "
            + START_TIMEOUT
            + " (last: "
            + last
            + ")\n"
            + logTails());
  }

  private SSLContext adminSslContext() {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "admin",
          admin.privateKey(),
          new char[0],
          admin.chain().toArray(java.security.cert.Certificate[]::new));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.certificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the admin TLS context", e);
    }
  }

  private String logTails() {
    StringBuilder out = new StringBuilder();
    for (String name : List.of("etcd", "kube-apiserver")) {
      Path log = dir.resolve(name + ".log");
      try {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        out.append("--- ").append(name).append(" (last lines)\n");
        lines
            .subList(Math.max(0, lines.size() - 15), lines.size())
            .forEach(l -> out.append(l).append('\n'));
      } catch (IOException e) {
        out.append("cannot read ").append(log).append('\n');
      }
    }
    return out.toString();
  }

  private void write(String name, String content) throws IOException {
    Files.writeString(dir.resolve(name), content);
  }

  private static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void stop(Process process) {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteQuietly(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temporary directory is harmless
    }
  }
}
