package dev.wayout.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RenderCommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Wayout.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void rendersIptablesForBothFamilies() {
    int code =
        run(
            "render",
            "iptables",
            "--cluster-cidrs",
            "10.244.0.0/16,fd00::/108",
            "--waypoint",
            "10.96.0.50");

    assertThat(code).isZero();
    assertThat(out.toString())
        .contains("# Wayout egress capture (iptables-restore --noflush)")
        .contains(
            "-A WAYOUT_OUTPUT -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.96.0.50:15001")
        .contains(
            "-A WAYOUT_OUTPUT -p tcp -m tcp --dport 443 -j DNAT --to-destination 10.96.0.50:15443")
        .contains("# Wayout egress capture (ip6tables-restore --noflush)")
        .contains("-A WAYOUT_OUTPUT -d fd00::/108 -j RETURN");
  }

  @Test
  void rendersTheCleanupScript() {
    assertThat(run("render", "iptables", "--cleanup", "--family", "ipv4")).isZero();
    assertThat(out.toString()).contains("-D OUTPUT -j WAYOUT_OUTPUT").contains("-X WAYOUT_OUTPUT");
  }

  @Test
  void refusesABadCidrWithTheFix() {
    int code =
        run("render", "iptables", "--cluster-cidrs", "10.0.0.0/33", "--waypoint", "10.96.0.50");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "WAYOUT_CLUSTER_CIDRS: \"10.0.0.0/33\" (expected: a CIDR such as \"10.244.0.0/16\"; the"
                + " prefix length of \"10.0.0.0/33\" must be from 0 to 32)");
  }

  @Test
  void rendersNetworkPoliciesFromADirectory(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("namespaces.yaml"),
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
          labels: {wayout.dev/egress: enforced}
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: istio-egress
          labels: {istio.io/use-waypoint: waypoint}
        """);
    Files.writeString(
        dir.resolve("se.yaml"),
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: external-svc-aliyun
          namespace: istio-egress
        spec:
          hosts: [aliyun.com]
          location: MESH_EXTERNAL
          ports:
          - {number: 80, name: http, protocol: HTTP, targetPort: 443}
          - {number: 443, name: https, protocol: HTTPS}
          resolution: DNS
        """);

    int code =
        run(
            "render",
            "networkpolicies",
            "--config",
            dir.toString(),
            "--cluster-cidrs",
            "10.244.0.0/16");

    assertThat(code).as(err.toString()).isZero();
    String yaml = out.toString();
    assertThat(yaml)
        .contains("name: \"wayout-egress\"")
        .contains("namespace: \"shop\"")
        .contains("name: \"wayout-waypoint-egress\"")
        .contains("namespace: \"wayout-system\"")
        .contains("port: 443");
    assertThat(yaml.split("\n---\n|^---\n")).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void reportsAMalformedServiceEntry(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("bad.yaml"),
        """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: bad, namespace: x}
        spec:
          hosts: aliyun.com
          ports: [{number: eighty}]
        """);

    int code =
        run(
            "render",
            "networkpolicies",
            "--config",
            dir.toString(),
            "--cluster-cidrs",
            "10.244.0.0/16");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("bad.yaml").contains("spec.ports[0].number");
  }
}
