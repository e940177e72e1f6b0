package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.certs.CertificateAuthority;
import dev.wayout.waypoint.config.DirectoryPolicySource;
import dev.wayout.waypoint.policy.EgressPolicyBuilder;
import dev.wayout.waypoint.policy.WaypointBinding;
import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import dev.wayout.waypoint.upstream.TlsContexts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configuration from a directory, changed while clients keep sending: ServiceEntries come and go,
 * no request in flight fails, and each change is served once the directory has been read again.
 */
class LiveReloadIT {

  @TempDir Path dir;
  private TestUpstream upstream;
  private WaypointFixture fixture;
  private DirectoryPolicySource source;

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.http();
    fixture = new WaypointFixture();
    Files.writeString(
        dir.resolve("stable.yaml"),
        WaypointFixture.staticEntry("stable", "stable.example.com", 80, upstream.port(), "HTTP"));
    EgressPolicyBuilder builder =
        new EgressPolicyBuilder(
            () -> WaypointBinding.everything("waypoint"),
            new TlsContexts(null, null),
            Duration.ofSeconds(5),
            Duration.ofSeconds(60));
    source =
        new DirectoryPolicySource(dir, "default", builder, fixture.waypoint::update)
            .start(Duration.ofMillis(50));
  }

  @AfterEach
  void stop() {
    source.close();
    fixture.close();
    upstream.close();
  }

  private int status(String host) throws Exception {
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      return client.send("GET /echo HTTP/1.1\r\nHost: " + host + "\r\n\r\n").read().status();
    }
  }

  @Test
  void servesAddedAndRefusesRemovedEntriesWithoutFailingRequestsInFlight() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    List<Future<?>> loads = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      loads.add(
          clients.submit(
              () -> {
                try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
                  long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                  while (running.get() && System.nanoTime() < until) {
                    String path = ok.get() % 10 == 0 ? "/slow" : "/echo";
                    int s =
                        client
                            .send("GET " + path + " HTTP/1.1\r\nHost: stable.example.com\r\n\r\n")
                            .read()
                            .status();
                    if (s != 200 && s != 301) {
                      failures.add("status " + s);
                    }
                    ok.incrementAndGet();
                  }
                } catch (Exception e) {
                  failures.add(e.toString());
                }
                return null;
              }));
    }
    Path added = dir.resolve("added.yaml");
    for (int round = 0; round < 5; round++) {
      Files.writeString(
          added,
          WaypointFixture.staticEntry("added", "added.example.com", 80, upstream.port(), "HTTP")
              .replace("name: added", "name: added\n  labels: {round: \"" + round + "\"}"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> status("added.example.com") == 200);
      Files.delete(added);
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> status("added.example.com") == 403);
    }
    running.set(false);
    for (Future<?> f : loads) {
      f.get();
    }
    clients.shutdown();
    assertThat(failures).isEmpty();
    assertThat(ok.get()).isGreaterThan(20);
  }

  @Test
  void readsAnEditThatKeepsTheFileSizeAndModificationTime() throws Exception {
    Path file = dir.resolve("swap.yaml");
    Files.writeString(
        file,
        WaypointFixture.staticEntry("swap", "swapa.example.com", 80, upstream.port(), "HTTP"));
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> status("swapa.example.com") == 200);
    long size = Files.size(file);
    FileTime time = Files.getLastModifiedTime(file);

    // An edit within the file system's time resolution, or a tool that restores the time.
    Files.writeString(
        file,
        WaypointFixture.staticEntry("swap", "swapb.example.com", 80, upstream.port(), "HTTP"));
    Files.setLastModifiedTime(file, time);
    assertThat(Files.size(file)).isEqualTo(size);

    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> status("swapb.example.com") == 200);
    assertThat(status("swapa.example.com")).isEqualTo(403);
  }

  @Test
  void readsARewrittenCaFileWithoutAConfigurationChange() throws Exception {
    Clock clock = Clock.systemUTC();
    CertificateAuthority wrong = CertificateAuthority.create(clock, "old CA", Duration.ofDays(1));
    CertificateAuthority right = CertificateAuthority.create(clock, "new CA", Duration.ofDays(1));
    Path caFile = Files.writeString(dir.resolve("ca.pem"), wrong.certificatePem());
    try (TestUpstream https = TestUpstream.https(right, "tls.example.com")) {
      Files.writeString(
          dir.resolve("tls.yaml"),
          WaypointFixture.staticEntry("tls", "tls.example.com", 80, https.port(), "HTTP")
              + WaypointFixture.destinationRule(
                  "tls", "tls.example.com", "tls: {mode: SIMPLE, caCertificates: " + caFile + "}"));
      source.reloadIfChanged();
      assertThat(status("tls.example.com")).isEqualTo(503);

      // The CA file is rotated in place; the YAML stays as it was. The poller (every 50 ms) or
      // this call may be the one that notices.
      Files.writeString(caFile, right.certificatePem());
      source.reloadIfChanged();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> status("tls.example.com") == 200);
      assertThat(source.reloadIfChanged()).as("nothing changed since").isFalse();
    }
  }

  @Test
  void skipsAnInvalidEntryAndKeepsServingTheOthers() throws Exception {
    Files.writeString(
        dir.resolve("broken.yaml"),
        "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: broken}\nspec: {hosts: []}\n");
    Files.writeString(dir.resolve("garbage.yaml"), "{ this is not yaml: [");
    assertThat(source.reloadIfChanged()).isTrue();
    assertThat(status("stable.example.com")).isEqualTo(200);
  }
}
