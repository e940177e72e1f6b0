package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.certs.Pem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CertsCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  @TempDir Path dir;

  private int run(String... args) {
    CommandLine cli = Wayout.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void writesCaAndServingPairWithPrivateKeys() throws Exception {
    Path target = dir.resolve("certs");
    int code =
        run(
            "certs",
            "--out",
            target.toString(),
            "--namespace",
            "egress",
            "--dns",
            "hook.example.com",
            "--ip",
            "127.0.0.1",
            "--days",
            "30");

    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("wrote " + target.resolve("ca.crt"))
        .contains("wrote " + target.resolve("ca.key") + "   CA private key (0600)")
        .contains("wrote " + target.resolve("tls.crt"))
        .contains("wayout-webhook.egress.svc.cluster.local, hook.example.com, 127.0.0.1")
        .contains("wrote " + target.resolve("tls.key"))
        .contains(
            "kubectl -n egress create secret generic wayout-webhook-tls --type=kubernetes.io/tls");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("ca.key"))))
        .isEqualTo("rw-------");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("tls.key"))))
        .isEqualTo("rw-------");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("tls.crt"))))
        .isEqualTo("rw-r--r--");
    try (var listing = Files.list(target)) {
      assertThat(listing.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("ca.crt", "ca.key", "tls.crt", "tls.key");
    }

    X509Certificate ca = Pem.certificates(Files.readString(target.resolve("ca.crt"))).get(0);
    List<X509Certificate> chain = Pem.certificates(Files.readString(target.resolve("tls.crt")));
    assertThat(chain).hasSize(2);
    assertThat(chain.get(1)).isEqualTo(ca);
    chain.get(0).verify(ca.getPublicKey());
    assertThat(chain.get(0).getSubjectAlternativeNames().stream().map(n -> (Object) n.get(1)))
        .contains("wayout-webhook", "wayout-webhook.egress.svc", "hook.example.com", "127.0.0.1");
    assertThat(Pem.privateKey(Files.readString(target.resolve("tls.key"))).getAlgorithm())
        .isEqualTo("EC");
  }

  @Test
  void overwritesNothingWithoutForce() throws Exception {
    Files.writeString(dir.resolve("tls.key"), "mine");

    int code = run("certs", "--out", dir.toString());

    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .contains("tls.key already in " + dir + "; nothing written. Pass --force to overwrite");
    assertThat(Files.readString(dir.resolve("tls.key"))).isEqualTo("mine");
    assertThat(dir.resolve("ca.crt")).doesNotExist();

    assertThat(run("certs", "--out", dir.toString(), "--force")).as(err.toString()).isZero();
    assertThat(Files.readString(dir.resolve("tls.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
  }

  @Test
  void namesTheBadOption() {
    assertThat(run("certs", "--out", dir.toString(), "--ip", "localhost")).isEqualTo(2);
    assertThat(err.toString()).contains("--ip: \"localhost\" is not an IP address");

    assertThat(run("certs", "--out", dir.toString(), "--days", "400", "--ca-days", "100"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("--ca-days: 100 is less than --days 400; a certificate cannot outlive its CA");
  }
}
