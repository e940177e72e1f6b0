package dev.wayout.bench.webhook;

import dev.wayout.certs.CertificateAuthority;
import dev.wayout.certs.ReloadableKeyManager;
import dev.wayout.certs.ServingCertificate;
import dev.wayout.webhook.Webhook;
import dev.wayout.webhook.WebhookConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Load generator for the admission webhook: the real server on 127.0.0.1 (in this JVM, sharing the
 * machine's cores with the load), HTTPS/1.1 keep-alive connections from a small blocking client,
 * posting the seed's ServiceEntry as an AdmissionReview to {@code /validate}. Two runs: a fixed
 * rate (open loop, latency measured from each request's scheduled time, so a stall counts against
 * the server) and as fast as a fixed number of connections allow. Prints figures; asserts nothing.
 */
public final class WebhookBench {

  private static final String REVIEW =
      """
      {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
        "uid":"bench","kind":{"group":"networking.istio.io","version":"v1","kind":"ServiceEntry"},
        "resource":{"group":"networking.istio.io","version":"v1","resource":"serviceentries"},
        "operation":"CREATE","namespace":"istio-egress","name":"external-svc-aliyun",
        "userInfo":{"username":"admin","groups":["system:masters"]},
        "object":{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry",
          "metadata":{"name":"external-svc-aliyun","namespace":"istio-egress"},
          "spec":{"hosts":["aliyun.com"],"location":"MESH_EXTERNAL","resolution":"DNS",
            "ports":[{"number":80,"name":"http","protocol":"HTTP","targetPort":443},
                     {"number":443,"name":"https","protocol":"HTTPS"}]}},
        "dryRun":false}}
      """;

  public static void main(String[] args) throws Exception {
    int rate = intArg(args, "--rate", 1000);
    int seconds = intArg(args, "--seconds", 20);
    int connectionCount = intArg(args, "--connections", 4);

    CertificateAuthority ca =
        CertificateAuthority.create(Clock.systemUTC(), "wayout-bench-ca", Duration.ofHours(1));
    ServingCertificate serving =
        ca.issueServing(
            Clock.systemUTC(), List.of("localhost"), List.of("127.0.0.1"), Duration.ofHours(1));
    ReloadableKeyManager keys = new ReloadableKeyManager(new AtomicReference<>(serving));
    try (Webhook webhook =
        Webhook.start(
            WebhookConfig.fromEnv(
                Map.of("WAYOUT_WEBHOOK_HOST", "127.0.0.1", "WAYOUT_WEBHOOK_PORT", "0")),
            keys)) {
      URI uri = URI.create("https://127.0.0.1:" + webhook.port() + "/validate");
      HttpClient client = client(ca);
      HttpRequest request =
          HttpRequest.newBuilder(uri)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(REVIEW))
              .build();
      check(client, request);
      SSLContext tls = trusting(ca);
      Connections connections =
          () -> new KeepAliveConnection(tls, webhook.port(), "/validate", body());
      System.out.printf(
          "wayout webhook bench: ServiceEntry validation over HTTPS (TLS %s, keep-alive), %d cores, Java %s%n",
          protocol(client, request),
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"));

      closedLoop(connections, connectionCount, 5); // warm-up: JIT, TLS sessions
      Figures max = closedLoop(connections, connectionCount, seconds);
      print("max, " + connectionCount + " connections", max, seconds);
      Figures[] fixed = openLoop(connections, rate, seconds, Math.min(connectionCount, 4));
      print("rate " + rate + "/s, from schedule", fixed[0], seconds);
      print("rate " + rate + "/s, from send", fixed[1], seconds);
    }
  }

  private record Figures(long[] latenciesNanos, long errors, double seconds) {
    double perSecond() {
      return latenciesNanos.length / seconds;
    }

    double percentileMillis(double p) {
      if (latenciesNanos.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.ceil(p / 100.0 * latenciesNanos.length) - 1;
      return latenciesNanos[Math.max(0, Math.min(i, latenciesNanos.length - 1))] / 1e6;
    }
  }

  private static void print(String what, Figures f, int seconds) {
    System.out.printf(
        "%-26s %8.0f reviews/s  p50 %6.3f ms  p90 %6.3f ms  p99 %6.3f ms  p99.9 %6.3f ms  max %7.3f ms  errors %d  (%d s)%n",
        what,
        f.perSecond(),
        f.percentileMillis(50),
        f.percentileMillis(90),
        f.percentileMillis(99),
        f.percentileMillis(99.9),
        f.percentileMillis(100),
        f.errors(),
        seconds);
  }

  /**
   * Sends at a fixed rate over {@code connections} keep-alive connections, each worker on its own
   * schedule. Latency counts from the scheduled time, so a stall counts against the server (no
   * coordinated omission).
   */
  private static Figures[] openLoop(
      Connections connections, int rate, int seconds, int connectionCount) throws Exception {
    int n = connectionCount;
    long intervalNanos = 1_000_000_000L * n / rate;
    int perWorker = rate * seconds / n;
    long[] latencies = new long[perWorker * n];
    long[] service = new long[perWorker * n];
    KeepAliveConnection[] opened = new KeepAliveConnection[n];
    for (int w = 0; w < n; w++) {
      opened[w] = connections.open(); // handshakes before the clock starts
    }
    AtomicLong errors = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    long start = System.nanoTime();
    for (int w = 0; w < n; w++) {
      int worker = w;
      Thread t =
          new Thread(
              () -> {
                KeepAliveConnection connection = opened[worker];
                long first = start + worker * intervalNanos / n;
                for (int i = 0; i < perWorker; i++) {
                  long scheduled = first + i * intervalNanos;
                  long wait = scheduled - System.nanoTime();
                  if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                  }
                  long sent = System.nanoTime();
                  connection = exchange(connection, connections, errors);
                  long done = System.nanoTime();
                  latencies[worker * perWorker + i] = done - scheduled;
                  service[worker * perWorker + i] = done - sent;
                }
              });
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) {
      t.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    Arrays.sort(latencies);
    Arrays.sort(service);
    return new Figures[] {
      new Figures(latencies, errors.get(), elapsed), new Figures(service, errors.get(), elapsed)
    };
  }

  /**
   * Each of {@code connectionCount} workers sends the next request as soon as the last is answered.
   */
  private static Figures closedLoop(Connections connections, int connectionCount, int seconds)
      throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<long[]> perWorker = new ArrayList<>();
    AtomicLong errors = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    long start = System.nanoTime();
    for (int w = 0; w < connectionCount; w++) {
      Thread t =
          new Thread(
              () -> {
                long[] mine = new long[1 << 16];
                int count = 0;
                KeepAliveConnection connection = open(connections, errors);
                while (System.nanoTime() < end) {
                  long t0 = System.nanoTime();
                  connection = exchange(connection, connections, errors);
                  if (count == mine.length) {
                    mine = Arrays.copyOf(mine, mine.length * 2);
                  }
                  mine[count++] = System.nanoTime() - t0;
                }
                synchronized (perWorker) {
                  perWorker.add(Arrays.copyOf(mine, count));
                }
              });
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) {
      t.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] all = perWorker.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    return new Figures(all, errors.get(), elapsed);
  }

  /** Opens keep-alive connections to the webhook. */
  @FunctionalInterface
  private interface Connections {
    KeepAliveConnection open() throws java.io.IOException;
  }

  private static KeepAliveConnection open(Connections connections, AtomicLong errors) {
    try {
      return connections.open();
    } catch (java.io.IOException e) {
      errors.incrementAndGet();
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** One review; a failed connection counts as an error and is replaced. */
  private static KeepAliveConnection exchange(
      KeepAliveConnection connection, Connections connections, AtomicLong errors) {
    try {
      if (connection.exchange() != 200) {
        errors.incrementAndGet();
      }
      return connection;
    } catch (java.io.IOException | RuntimeException e) {
      errors.incrementAndGet();
      try {
        connection.close();
      } catch (java.io.IOException ignored) {
        // replaced below
      }
      return open(connections, errors);
    }
  }

  private static void check(HttpClient client, HttpRequest request) throws Exception {
    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200 || !r.body().contains("\"allowed\":true")) {
      throw new IllegalStateException(
          "the webhook did not allow the seed's ServiceEntry: " + r.body());
    }
  }

  private static String protocol(HttpClient client, HttpRequest request) throws Exception {
    return client
        .send(request, HttpResponse.BodyHandlers.discarding())
        .sslSession()
        .map(s -> s.getProtocol())
        .orElse("?");
  }

  private static HttpClient client(CertificateAuthority ca) throws Exception {
    return HttpClient.newBuilder()
        .sslContext(trusting(ca))
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  private static SSLContext trusting(CertificateAuthority ca) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.certificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  private static int intArg(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }

  static byte[] body() {
    return REVIEW.getBytes(StandardCharsets.UTF_8);
  }
}
