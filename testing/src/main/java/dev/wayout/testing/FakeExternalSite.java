package dev.wayout.testing;

import dev.wayout.certs.CertificateAuthority;
import dev.wayout.certs.ServingCertificate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * The seed's external site (aliyun.com) on a lab host: HTTP on 80 and HTTPS on 443 (certificate for
 * {@code hostname} from a test CA) both answer 301 with a 239-byte body and {@code Location:
 * https://aliyun.com/}. Records each request it saw as {@code "<scheme> <method> <path> <host>"}.
 */
public final class FakeExternalSite implements AutoCloseable {

  private final Process process;
  private final Path dir;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private FakeExternalSite(Process process, Path dir) {
    this.process = process;
    this.dir = dir;
  }

  public static FakeExternalSite start(
      NetworkLab.Host host, CertificateAuthority ca, String hostname) {
    try {
      Path dir = Files.createTempDirectory("wayout-site-");
      ServingCertificate cert =
          ca.issueServing(
              Clock.systemUTC(), List.of(hostname), List.of(host.address()), Duration.ofDays(1));
      Path certFile = Files.writeString(dir.resolve("tls.crt"), cert.chainPem());
      Path keyFile = Files.writeString(dir.resolve("tls.key"), cert.privateKeyPem());
      Path script = dir.resolve("fake-external-site.py");
      try (InputStream in = FakeExternalSite.class.getResourceAsStream("fake-external-site.py")) {
        Files.write(script, in.readAllBytes());
      }
      Process process =
          new ProcessBuilder(
                  "ip",
                  "netns",
                  "exec",
                  host.netns(),
                  "python3",
                  "-u",
                  script.toString(),
                  host.address(),
                  certFile.toString(),
                  keyFile.toString())
              .redirectErrorStream(true)
              .start();
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      FakeExternalSite site = new FakeExternalSite(process, dir);
      site.awaitReadyThenRecord();
      return site;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Requests seen so far, oldest first. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** Stops the site and removes its folder (script, certificate and private key). */
  @Override
  public void close() {
    process.destroyForcibly();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + dir, e);
    }
  }

  private void awaitReadyThenRecord() throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String first = out.readLine();
    if (!"ready".equals(first)) {
      process.destroyForcibly();
      throw new IllegalStateException("the fake external site did not start: " + first);
    }
    Thread reader =
        new Thread(
            () -> {
              try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                  requests.add(line);
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "fake-external-site");
    reader.setDaemon(true);
    reader.start();
  }
}
