package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.testing.TestAssets;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final Path fixtures = fixtures();

  private int run(String... args) {
    CommandLine cli = Wayout.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  /** What was printed, with file names relative to the fixtures folder. */
  private String output() {
    return out.toString().replace(fixtures + "/", "");
  }

  @Test
  void acceptsAFolderOfGoodFilesWithWarningsOnly() {
    int code = run("validate", "-f", fixtures.resolve("good").toString(), "-n", "istio-egress");

    assertThat(code).as(output()).isZero();
    assertThat(output())
        .contains(
            "good/20-serviceentry.yaml: ServiceEntry istio-egress/external-svc-aliyun: warning:"
                + " spec.ports[1].protocol: \"HTTPS\" traffic is encrypted end to end")
        .contains(
            "good/30-destinationrule.yaml: DestinationRule istio-egress/aliyun-com: warning:"
                + " spec.trafficPolicy.portLevelSettings[0].tls: mode SIMPLE without"
                + " caCertificates or credentialName")
        .contains("good/egress/wildcard.yaml: ServiceEntry istio-egress/example-com: warning:")
        .doesNotContain("error:")
        // the seed's DestinationRule originates TLS for port 80, so no plain text reaches 443
        .doesNotContain("is sent to 443")
        .doesNotContain("notes.txt")
        .endsWith("4 files, 5 resources: 0 errors, 3 warnings - valid\n");
  }

  @Test
  void theRepositorysExamplesHaveNoErrors() {
    Path examples = TestAssets.repositoryRoot().resolve("examples");

    int code = run("validate", "-f", examples.toString(), "-n", "istio-egress");

    assertThat(code).as(out.toString()).isZero();
    assertThat(out.toString()).contains(" 0 errors, ").doesNotContain(": error: ");
  }

  @Test
  void acceptsTheSeedsStep4() {
    int code =
        run("validate", "-f", fixtures.resolve("seed-step4").toString(), "-n", "istio-egress");

    assertThat(code).as(output()).isZero();
    assertThat(output()).endsWith("1 file, 1 resource: 0 errors, 1 warning - valid\n");
  }

  @Test
  void acceptsTheSeedsStepsSideBySideWarningThatStep5ReplacesStep4() {
    int code = run("validate", "-f", fixtures.resolve("staged").toString(), "-n", "istio-egress");

    assertThat(code).as(output()).isZero();
    assertThat(output())
        .contains(
            "staged/step5/serviceentry.yaml: ServiceEntry istio-egress/external-svc-aliyun:"
                + " warning: metadata.name: \"istio-egress/external-svc-aliyun\" is defined more"
                + " than once; applied together, this later definition replaces the earlier")
        .endsWith("3 files, 3 resources: 0 errors, 4 warnings - valid\n");
  }

  @Test
  void warnsAboutStep5sServiceEntryWithoutItsDestinationRule() {
    Path file = fixtures.resolve("step5-alone/20-serviceentry.yaml");

    int code = run("validate", "-f", file.toString(), "-n", "istio-egress");

    assertThat(code).isZero();
    assertThat(output())
        .contains(
            "step5-alone/20-serviceentry.yaml: ServiceEntry istio-egress/external-svc-aliyun:"
                + " warning: spec.ports[0].targetPort: port 80 is sent to 443 but no"
                + " DestinationRule originates TLS for \"aliyun.com\", so plain text would reach a"
                + " TLS server; add a DestinationRule for the host with portLevelSettings [{port:"
                + " {number: 80}, tls: {mode: SIMPLE}}]");
  }

  @Test
  void refusesAFolderWithBadFilesNamingFileObjectFieldAndFix() {
    int code = run("validate", "-f", fixtures.resolve("bad").toString());

    assertThat(code).as(output()).isEqualTo(1);
    assertThat(output())
        .contains(
            "bad/target-port.yaml: ServiceEntry default/bad-target-port: error:"
                + " spec.ports[1].targetPort: 70000 is not a port; use a number from 1 to 65535,"
                + " or leave targetPort out to dial 443\n")
        .contains(
            "bad/wildcard-dns.yml: ServiceEntry default/wildcard-dns: error: spec.hosts[0]:"
                + " \"*.example.org\" is a wildcard, and resolution DNS can only look up exact"
                + " names; use resolution: DYNAMIC_DNS to register \"*.example.org\" for egress")
        .contains("bad/not-yaml.yaml: error: not valid YAML or JSON at line ")
        .contains(
            "bad/wrong-types.json: ServiceEntry shop/wrong-types: error: spec.ports[0].number:"
                + " \"eighty\" is not an integer; write an integer here\n")
        .contains(
            "bad/conflict/b.yaml: ServiceEntry team-b/payments-b: error: spec.ports[0]:"
                + " \"payments.example.com\" port 8080 is claimed by both ServiceEntry"
                + " team-b/payments-b and ServiceEntry team-a/payments-a with different settings"
                + " (protocol GRPC here, HTTP there), and every namespace sees both")
        .contains(
            "bad/orphan-rule.yaml: DestinationRule default/nobody-registers-me: warning:"
                + " spec.host: \"unregistered.example.com\" is registered by no ServiceEntry")
        .contains(
            "bad/orphan-rule.yaml: DestinationRule default/nobody-registers-me: warning:"
                + " spec.trafficPolicy.tls.insecureSkipVerify: true turns off verification")
        .doesNotContain("bad/conflict/a.yaml: ServiceEntry team-a/payments-a: error")
        .doesNotContain("Exception")
        .endsWith("7 files, 5 resources: 5 errors, 3 warnings - invalid\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void reportsABinaryFileByNameWithoutAStackTrace(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("image.yaml"), new byte[] {(byte) 0x89, 'P', 'N', 'G', (byte) 0xff, 0});

    int code = run("validate", "-f", dir.toString());

    assertThat(code).isEqualTo(1);
    assertThat(out.toString())
        .startsWith(
            dir.resolve("image.yaml")
                + ": error: is not UTF-8 text, so it cannot be YAML or JSON; remove it or fix its"
                + " encoding\n")
        .endsWith("1 file, 0 resources: 1 error, 0 warnings - invalid\n");
  }

  @Test
  void checksVirtualServicesWithIstiosRules(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("vs.yaml"),
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: api, namespace: shop}
        spec:
          hosts: [api.example.com]
          http:
          - match: [{uri: {prefix: /v2}}]
            route:
            - destination: {host: api.example.com}
              weight: 90
            - destination: {host: api-canary.example.com}
              weight: 10
            timeout: 0s
          - route: [{destination: {host: api.example.com}}]
        """);

    int code = run("validate", "-f", dir.toString());

    assertThat(code).as(output()).isEqualTo(1);
    assertThat(output())
        .contains(
            "vs.yaml: VirtualService shop/api: error: spec.http[0].timeout: is shorter than 1ms;"
                + " use a duration of at least 1ms, e.g. \"500ms\"\n")
        .endsWith("1 file, 1 resource: 1 error, 0 warnings - invalid\n");
  }

  @Test
  void acceptsAFolderWithoutIstioResources(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("deployment.yaml"), "apiVersion: apps/v1\nkind: Deployment\n");

    assertThat(run("validate", "-f", dir.toString())).isZero();
    assertThat(out.toString()).isEqualTo("1 file, 0 resources: 0 errors, 0 warnings - valid\n");
  }

  @Test
  void isAUsageProblemWhenThePathIsMissing(@TempDir Path dir) {
    Path missing = dir.resolve("nope");

    assertThat(run("validate", "-f", missing.toString())).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "-f "
                + missing
                + ": no such file or directory; name a YAML/JSON file or a directory\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void isAUsageProblemWhenTheFolderHoldsNoManifests(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("README.md"), "# nothing here\n");

    assertThat(run("validate", "-f", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("holds no *.yaml, *.yml or *.json files");
  }

  @Test
  void isAUsageProblemWithoutFilename() {
    assertThat(run("validate")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--filename=FILE|DIR'");
  }

  @Test
  void isAUsageProblemWithAnInvalidNamespace() {
    assertThat(run("validate", "-f", fixtures.toString(), "-n", "Not_A_Namespace")).isEqualTo(2);
    assertThat(err.toString()).startsWith("-n: \"Not_A_Namespace\" is not a namespace name");
  }

  @Test
  void readsStandardInputForDash() throws Exception {
    ValidateCommand command = new ValidateCommand();
    command.stdin = Files.newInputStream(fixtures.resolve("bad/target-port.yaml"));
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));

    int code = cli.execute("-f", "-", "-n", "shop");

    assertThat(code).isEqualTo(1);
    assertThat(out.toString())
        .startsWith(
            "<stdin>: ServiceEntry shop/bad-target-port: error: spec.ports[1].targetPort: 70000 is"
                + " not a port")
        .endsWith("1 file, 1 resource: 1 error, 1 warning - invalid\n");
  }

  @Test
  void warnsAboutEntriesBoundToWaypointsTheFilesDoNotHoldAndNotesWhatTheyCannotTell() {
    int code = run("validate", "-f", fixtures.resolve("waypoints").toString());

    assertThat(code).as(output()).isZero();
    assertThat(output())
        .doesNotContain("ServiceEntry istio-egress/a:")
        .contains(
            "waypoints/20-entries.yaml: ServiceEntry istio-egress/b: warning:"
                + " metadata.labels[\"istio.io/use-waypoint\"]: \"egress\" names waypoint"
                + " istio-egress/egress, but no Gateway istio-egress/egress exists (looked for in"
                + " the files given), so the waypoints refuse traffic to this ServiceEntry's"
                + " hosts; create the Gateway (name: egress, namespace: istio-egress,"
                + " gatewayClassName: istio-waypoint) or correct the label")
        .contains(
            "waypoints/20-entries.yaml: ServiceEntry shop/c: note:"
                + " metadata.labels[\"istio.io/use-waypoint\"]: \"tenant\" names waypoint"
                + " shop/tenant, which could not be checked: the files hold no Gateway of"
                + " namespace \"shop\", so whether it exists in the cluster is not known")
        .contains(
            "waypoints/20-entries.yaml: ServiceEntry istio-egress/d: warning:"
                + " metadata.labels[\"istio.io/use-waypoint\"]: \"typo\" names waypoint"
                + " istio-egress/typo, but Gateway istio-egress/typo has gatewayClassName"
                + " \"istio-waypiont\", which Wayout does not serve")
        .contains(
            "waypoints/10-gateways.yaml: Gateway istio-egress/typo: warning:"
                + " spec.gatewayClassName: \"istio-waypiont\" is not a class Wayout serves"
                + " (istio-waypoint, wayout-waypoint), yet this Gateway looks meant for a Wayout"
                + " waypoint: ServiceEntry istio-egress/d is bound to it by"
                + " istio.io/use-waypoint; no Wayout waypoint is deployed for it; use"
                + " gatewayClassName: istio-waypoint (or wayout-waypoint)")
        .contains("waypoints/10-gateways.yaml: Namespace tenant-x: note:")
        // another project's Gateway, nothing bound to it: never a finding
        .doesNotContain("Gateway web/public")
        .endsWith("2 files, 8 resources: 0 errors, 3 warnings, 2 notes - valid\n");
  }

  private static Path fixtures() {
    try {
      return Path.of(ValidateCommandTest.class.getResource("/validate").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
