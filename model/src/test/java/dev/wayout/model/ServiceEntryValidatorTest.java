package dev.wayout.model;

import static dev.wayout.model.Resources.serviceEntry;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ServiceEntryValidatorTest {

  private static final String HTTP = "ports: [{number: 80, name: http, protocol: HTTP}]";

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"step4-serviceentry.yaml", "step5-serviceentry.yaml"})
  void acceptsTheSeedServiceEntries(String file) {
    Validation v = ServiceEntryValidator.validate(Resources.seedServiceEntry(file));

    assertThat(v.errors()).isEmpty();
    // port 443 is HTTPS: only SNI is visible, which the seed accepts knowingly
    assertThat(v.warningMessages())
        .containsExactly(
            "spec.ports[1].protocol: \"HTTPS\" traffic is encrypted end to end, so the waypoint"
                + " sees only the server name: L7 policy and request logging cannot apply on port"
                + " 443; for L7 control let clients send plain HTTP to port 80 with targetPort: 443"
                + " and a DestinationRule with tls.mode: SIMPLE");
  }

  static Stream<Arguments> validEntries() {
    return Stream.of(
        Arguments.of(
            "one exact host, DNS", "{hosts: [api.example.com], resolution: DNS, " + HTTP + "}"),
        Arguments.of(
            "wildcard with DYNAMIC_DNS (how *.example.com is registered for egress)",
            "{hosts: ['*.example.com'], resolution: DYNAMIC_DNS, ports: [{number: 80, name: http,"
                + " protocol: HTTP}, {number: 443, name: tls, protocol: TLS}]}"),
        Arguments.of(
            "wildcard with DNS and an endpoint to dial",
            "{hosts: ['*.example.com'], resolution: DNS, endpoints: [{address: proxy.example.com}],"
                + " "
                + HTTP
                + "}"),
        Arguments.of("wildcard with NONE", "{hosts: ['*.example.com'], " + HTTP + "}"),
        Arguments.of(
            "STATIC with IPv4 and IPv6 endpoints and named ports",
            "{hosts: [db.example.com], resolution: STATIC, ports: [{number: 5432, name: pg,"
                + " protocol: TCP}], addresses: [192.0.2.10], endpoints: [{address: 192.0.2.10,"
                + " ports: {pg: 6432}}, {address: '2001:db8::10', labels: {zone: a}}]}"),
        Arguments.of(
            "NONE with CIDR addresses",
            "{hosts: [net.example.com], addresses: [198.51.100.0/24, '2001:db8::/32'], ports:"
                + " [{number: 9000, name: tcp, protocol: TCP}]}"),
        Arguments.of(
            "DNS with host name and IP endpoints",
            "{hosts: [api.example.com], resolution: DNS, endpoints: [{address: eu.api.example.com},"
                + " {address: 203.0.113.7}], "
                + HTTP
                + "}"),
        Arguments.of(
            "DNS_ROUND_ROBIN with one endpoint",
            "{hosts: [api.example.com], resolution: DNS_ROUND_ROBIN, endpoints: [{address:"
                + " lb.example.com}], "
                + HTTP
                + "}"),
        Arguments.of(
            "a unix socket endpoint with one port",
            "{hosts: [local.example.com], resolution: STATIC, endpoints: [{address:"
                + " 'unix:///var/run/app.sock'}], "
                + HTTP
                + "}"),
        Arguments.of(
            "exportTo to no one, to itself, to named namespaces",
            "{hosts: [api.example.com], resolution: DNS, exportTo: ['.', shop, billing], "
                + HTTP
                + "}"),
        Arguments.of(
            "exportTo ~ alone", "{hosts: [api.example.com], exportTo: ['~'], " + HTTP + "}"),
        Arguments.of(
            "several hosts on HTTP and TLS ports",
            "{hosts: [a.example.com, b.example.com], resolution: DNS, ports: [{number: 80, name:"
                + " http, protocol: HTTP}, {number: 8443, name: tls, protocol: TLS}]}"),
        Arguments.of(
            "protocol names ignore case; targetPort in range; absolute DNS name",
            "{hosts: [api.example.com.], resolution: DNS, ports: [{number: 80, name: http,"
                + " protocol: http, targetPort: 8080}]}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validEntries")
  void acceptsValidEntries(String name, String spec) {
    Validation v = ServiceEntryValidator.validate(serviceEntry(spec));

    assertThat(v.errors()).isEmpty();
  }

  static Stream<Arguments> invalidEntries() {
    return Stream.of(
        // hosts and wildcards per resolution
        Arguments.of("no hosts", "{" + HTTP + "}", "spec.hosts", "no hosts are listed; list the"),
        Arguments.of(
            "the catch-all host",
            "{hosts: ['*'], " + HTTP + "}",
            "spec.hosts[0]",
            "\"*\" matches every host; list the exact external hostnames"),
        Arguments.of(
            "a wildcard host with resolution DNS",
            "{hosts: [api.example.com, '*.example.com'], resolution: DNS, " + HTTP + "}",
            "spec.hosts[1]",
            "\"*.example.com\" is a wildcard, and resolution DNS can only look up exact names; use"
                + " resolution: DYNAMIC_DNS"),
        Arguments.of(
            "a wildcard host with resolution DNS_ROUND_ROBIN",
            "{hosts: ['*.example.com'], resolution: DNS_ROUND_ROBIN, " + HTTP + "}",
            "spec.hosts[0]",
            "resolution DNS_ROUND_ROBIN can only look up exact names"),
        Arguments.of(
            "an exact host with DYNAMIC_DNS",
            "{hosts: [api.example.com], resolution: DYNAMIC_DNS, " + HTTP + "}",
            "spec.hosts[0]",
            "\"api.example.com\" is not a wildcard, and resolution DYNAMIC_DNS serves only"
                + " wildcard hosts; use resolution: DNS for exact host names; DYNAMIC_DNS is for"
                + " wildcards such as \"*.example.com\""),
        Arguments.of(
            "a label with an underscore",
            "{hosts: [my_api.example.com], " + HTTP + "}",
            "spec.hosts[0]",
            "\"my_api.example.com\" has the label \"my_api\", which is not a DNS label"),
        Arguments.of(
            "an IP address as host",
            "{hosts: [192.0.2.1], " + HTTP + "}",
            "spec.hosts[0]",
            "all-numeric label \"1\", which no DNS name may have (an IP address is not a host name);"
                + " put IP addresses in spec.addresses"),
        Arguments.of(
            "a wildcard inside the name",
            "{hosts: ['api.*.example.com'], " + HTTP + "}",
            "spec.hosts[0]",
            "has the wildcard label \"*\"; only the first label may be a wildcard"),
        Arguments.of(
            "two dots in a row",
            "{hosts: ['api..example.com'], " + HTTP + "}",
            "spec.hosts[0]",
            "has an empty label"),
        Arguments.of(
            "an empty host", "{hosts: [''], " + HTTP + "}", "spec.hosts[0]", "\"\" is empty"),
        // addresses
        Arguments.of(
            "an address that is no IP",
            "{hosts: [api.example.com], addresses: [300.1.1.1], " + HTTP + "}",
            "spec.addresses[0]",
            "\"300.1.1.1\" is not an IP address"),
        Arguments.of(
            "a CIDR prefix that is too long",
            "{hosts: [api.example.com], addresses: [10.0.0.0/33], " + HTTP + "}",
            "spec.addresses[0]",
            "\"10.0.0.0/33\" is not a CIDR block"),
        Arguments.of(
            "a CIDR block with resolution DNS",
            "{hosts: [api.example.com], resolution: DNS, addresses: [10.0.0.0/8], " + HTTP + "}",
            "spec.addresses[0]",
            "is a CIDR block, which resolution DNS cannot use; use resolution: STATIC or NONE"),
        // ports
        Arguments.of(
            "a port without number",
            "{hosts: [api.example.com], ports: [{name: http, protocol: HTTP}]}",
            "spec.ports[0].number",
            "is missing (or 0); set the port clients connect to, from 1 to 65535"),
        Arguments.of(
            "a port number out of range",
            "{hosts: [api.example.com], ports: [{number: 70000, name: http, protocol: HTTP}]}",
            "spec.ports[0].number",
            "70000 is not a port; use a number from 1 to 65535"),
        Arguments.of(
            "a duplicate port number",
            "{hosts: [api.example.com], ports: [{number: 80, name: http, protocol: HTTP}, {number:"
                + " 80, name: web, protocol: HTTP}]}",
            "spec.ports[1].number",
            "80 is already declared by spec.ports[0]; declare each port number once"),
        Arguments.of(
            "a port without name",
            "{hosts: [api.example.com], ports: [{number: 443, protocol: HTTPS}]}",
            "spec.ports[0].name",
            "is missing; name the port, e.g. \"https-443\""),
        Arguments.of(
            "a duplicate port name",
            "{hosts: [api.example.com], ports: [{number: 80, name: web, protocol: HTTP}, {number:"
                + " 8080, name: web, protocol: HTTP}]}",
            "spec.ports[1].name",
            "\"web\" is already used by spec.ports[0]"),
        Arguments.of(
            "an invalid port name",
            "{hosts: [api.example.com], ports: [{number: 80, name: http_plain, protocol: HTTP}]}",
            "spec.ports[0].name",
            "\"http_plain\" is not a valid port name"),
        Arguments.of(
            "an unknown protocol",
            "{hosts: [api.example.com], ports: [{number: 80, name: http, protocol: HTTP3}]}",
            "spec.ports[0].protocol",
            "\"HTTP3\" is not a protocol Istio knows; use HTTP, HTTPS, HTTP2, GRPC, TLS or TCP"),
        Arguments.of(
            "a targetPort out of range",
            "{hosts: [api.example.com], ports: [{number: 80, name: http, protocol: HTTP},"
                + " {number: 443, name: https, protocol: HTTPS, targetPort: 70000}]}",
            "spec.ports[1].targetPort",
            "70000 is not a port; use a number from 1 to 65535, or leave targetPort out to dial"
                + " 443"),
        Arguments.of(
            "a targetPort of 0",
            "{hosts: [api.example.com], ports: [{number: 80, name: http, protocol: HTTP,"
                + " targetPort: 0}]}",
            "spec.ports[0].targetPort",
            "0 is not a port"),
        Arguments.of(
            "several hosts on a TCP port",
            "{hosts: [a.example.com, b.example.com], resolution: DNS, ports: [{number: 5432, name:"
                + " pg, protocol: TCP}]}",
            "spec.ports[0].protocol",
            "\"TCP\" cannot tell the 2 hosts apart"),
        // resolution and location
        Arguments.of(
            "an unknown resolution",
            "{hosts: [api.example.com], resolution: DNSS, " + HTTP + "}",
            "spec.resolution",
            "\"DNSS\" is not a resolution Istio knows"),
        Arguments.of(
            "an unknown location",
            "{hosts: [api.example.com], location: EXTERNAL, " + HTTP + "}",
            "spec.location",
            "\"EXTERNAL\" is not a location Istio knows; use MESH_EXTERNAL"),
        // endpoints per resolution
        Arguments.of(
            "endpoints with resolution NONE",
            "{hosts: [api.example.com], endpoints: [{address: 192.0.2.1}], " + HTTP + "}",
            "spec.endpoints",
            "endpoints are ignored with resolution NONE"),
        Arguments.of(
            "a host name endpoint with resolution STATIC",
            "{hosts: [api.example.com], resolution: STATIC, endpoints: [{address: api.example.com}],"
                + " "
                + HTTP
                + "}",
            "spec.endpoints[0].address",
            "\"api.example.com\" is not an IP address, which resolution STATIC needs"),
        Arguments.of(
            "an endpoint without address",
            "{hosts: [api.example.com], resolution: STATIC, endpoints: [{labels: {a: b}}], "
                + HTTP
                + "}",
            "spec.endpoints[0].address",
            "is missing; write the upstream's IP address"),
        Arguments.of(
            "a DNS endpoint that is neither name nor IP",
            "{hosts: [api.example.com], resolution: DNS, endpoints: [{address: 'not valid'}], "
                + HTTP
                + "}",
            "spec.endpoints[0].address",
            "\"not valid\" is neither an IP address nor a host name"),
        Arguments.of(
            "two endpoints with DNS_ROUND_ROBIN",
            "{hosts: [api.example.com], resolution: DNS_ROUND_ROBIN, endpoints: [{address:"
                + " a.example.com}, {address: b.example.com}], "
                + HTTP
                + "}",
            "spec.endpoints",
            "takes at most one endpoint, 2 are listed"),
        Arguments.of(
            "an endpoint port name that no port has",
            "{hosts: [api.example.com], resolution: STATIC, endpoints: [{address: 192.0.2.1,"
                + " ports: {web: 8080}}], "
                + HTTP
                + "}",
            "spec.endpoints[0].ports.web",
            "\"web\" names no port in spec.ports; use one of the port names [http]"),
        Arguments.of(
            "an endpoint port out of range",
            "{hosts: [api.example.com], resolution: STATIC, endpoints: [{address: 192.0.2.1,"
                + " ports: {http: 0}}], "
                + HTTP
                + "}",
            "spec.endpoints[0].ports.http",
            "0 is not a port"),
        Arguments.of(
            "a relative unix socket",
            "{hosts: [api.example.com], resolution: STATIC, endpoints: [{address:"
                + " 'unix://run/app.sock'}], "
                + HTTP
                + "}",
            "spec.endpoints[0].address",
            "is not an absolute path to a socket file"),
        Arguments.of(
            "a unix socket with ports",
            "{hosts: [api.example.com], resolution: STATIC, endpoints: [{address:"
                + " 'unix:///run/app.sock', ports: {http: 80}}], "
                + HTTP
                + "}",
            "spec.endpoints[0].ports",
            "a unix socket endpoint has no ports"),
        Arguments.of(
            "an endpoint label value with a blank",
            "{hosts: [api.example.com], resolution: STATIC, endpoints: [{address: 192.0.2.1,"
                + " labels: {tier: 'front end'}}], "
                + HTTP
                + "}",
            "spec.endpoints[0].labels.tier",
            "\"front end\" is not a valid Kubernetes label value"),
        Arguments.of(
            "endpoints with DYNAMIC_DNS",
            "{hosts: ['*.example.com'], resolution: DYNAMIC_DNS, endpoints: [{address:"
                + " a.example.com}], "
                + HTTP
                + "}",
            "spec.endpoints",
            "endpoints cannot be set with resolution DYNAMIC_DNS"),
        Arguments.of(
            "addresses with DYNAMIC_DNS",
            "{hosts: ['*.example.com'], resolution: DYNAMIC_DNS, addresses: [192.0.2.1], "
                + HTTP
                + "}",
            "spec.addresses",
            "addresses cannot be set with resolution DYNAMIC_DNS"),
        Arguments.of(
            "HTTPS with DYNAMIC_DNS",
            "{hosts: ['*.example.com'], resolution: DYNAMIC_DNS, ports: [{number: 443, name: https,"
                + " protocol: HTTPS}]}",
            "spec.ports[0].protocol",
            "\"HTTPS\" cannot be served with resolution DYNAMIC_DNS; use HTTP, HTTP2, GRPC or TLS"
                + " (for HTTPS traffic use TLS)"),
        // workloadSelector
        Arguments.of(
            "a workloadSelector with endpoints",
            "{hosts: [api.example.com], resolution: STATIC, workloadSelector: {labels: {app: db}},"
                + " endpoints: [{address: 192.0.2.1}], "
                + HTTP
                + "}",
            "spec.workloadSelector",
            "is set together with spec.endpoints"),
        Arguments.of(
            "a wildcard in a workloadSelector",
            "{hosts: [api.example.com], resolution: STATIC, workloadSelector: {labels: {app: '*'}},"
                + " "
                + HTTP
                + "}",
            "spec.workloadSelector.labels.app",
            "\"app=*\" uses a wildcard, which selectors do not support"),
        // exportTo
        Arguments.of(
            "exportTo ~ with a namespace",
            "{hosts: [api.example.com], exportTo: ['~', shop], " + HTTP + "}",
            "spec.exportTo",
            "\"~\" exports to no one and cannot be combined with other values"),
        Arguments.of(
            "exportTo * with a namespace",
            "{hosts: [api.example.com], exportTo: ['*', shop], " + HTTP + "}",
            "spec.exportTo",
            "\"*\" already exports to every namespace"),
        Arguments.of(
            "exportTo with an invalid namespace",
            "{hosts: [api.example.com], exportTo: [Shop_1], " + HTTP + "}",
            "spec.exportTo[0]",
            "\"Shop_1\" is neither \".\", \"*\" nor a namespace name"),
        Arguments.of(
            "exportTo naming the own namespace twice",
            "{hosts: [api.example.com], exportTo: ['.', istio-egress], " + HTTP + "}",
            "spec.exportTo[1]",
            "\".\" and the own namespace \"istio-egress\" are the same"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidEntries")
  void refusesInvalidEntries(String name, String spec, String path, String message) {
    Validation v = ServiceEntryValidator.validate(serviceEntry(spec));

    assertThat(v.errors())
        .as(v.errorMessage())
        .anySatisfy(
            e -> {
              assertThat(e.path()).isEqualTo(path);
              assertThat(e.message()).startsWith(path + ": ").contains(message);
            });
  }

  static Stream<Arguments> riskyEntries() {
    return Stream.of(
        Arguments.of(
            "MESH_INTERNAL in the egress registry",
            "{hosts: [api.example.com], location: MESH_INTERNAL, resolution: DNS, " + HTTP + "}",
            "spec.location",
            "MESH_INTERNAL in an egress registry"),
        Arguments.of(
            "a TLS port the waypoint cannot see into",
            "{hosts: [api.example.com], resolution: DNS, ports: [{number: 443, name: tls, protocol:"
                + " TLS}]}",
            "spec.ports[0].protocol",
            "L7 policy and request logging cannot apply on port 443"),
        Arguments.of(
            "a partial wildcard",
            "{hosts: ['*api.example.com'], " + HTTP + "}",
            "spec.hosts[0]",
            "\"*api.example.com\" is a partial wildcard"),
        Arguments.of(
            "STATIC without endpoints",
            "{hosts: [api.example.com], resolution: STATIC, " + HTTP + "}",
            "spec.endpoints",
            "resolution STATIC without endpoints gives the waypoint nowhere to send traffic"),
        Arguments.of(
            "an empty workloadSelector",
            "{hosts: [api.example.com], resolution: STATIC, workloadSelector: {}, " + HTTP + "}",
            "spec.workloadSelector.labels",
            "matches every workload in the namespace"),
        Arguments.of(
            "a workloadSelector with NONE",
            "{hosts: [api.example.com], workloadSelector: {labels: {app: a}}, " + HTTP + "}",
            "spec.workloadSelector",
            "has no effect with resolution NONE"),
        Arguments.of(
            "the cloud metadata address as an endpoint",
            "{hosts: [metadata.example.com], resolution: STATIC, endpoints: [{address:"
                + " 169.254.169.254}], "
                + HTTP
                + "}",
            "spec.endpoints[0].address",
            "\"169.254.169.254\" is a loopback, link-local or unspecified address"),
        Arguments.of(
            "plain HTTP declared on port 443",
            "{hosts: [api.example.com], resolution: DNS, ports: [{number: 443, name: web, protocol:"
                + " HTTP}]}",
            "spec.ports[0].protocol",
            "\"HTTP\" on port 443, where clients speak TLS: the waypoint would try to read their"
                + " TLS handshake as plain HTTP; declare port 443 as HTTPS or TLS"),
        Arguments.of(
            "no ports",
            "{hosts: [api.example.com], resolution: DNS}",
            "spec.ports",
            "no ports are listed, so the waypoint serves no traffic to these hosts"),
        Arguments.of(
            "an endpoint reached through a network only",
            "{hosts: [api.example.com], resolution: STATIC, endpoints: [{network: remote}], "
                + HTTP
                + "}",
            "spec.endpoints[0].address",
            "is unset, with network \"remote\""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("riskyEntries")
  void warnsAboutRiskyEntries(String name, String spec, String path, String message) {
    Validation v = ServiceEntryValidator.validate(serviceEntry(spec));

    assertThat(v.errors()).as(v.errorMessage()).isEmpty();
    assertThat(v.warnings())
        .anySatisfy(
            w -> {
              assertThat(w.path()).isEqualTo(path);
              assertThat(w.message()).contains(message);
            });
  }

  @Test
  void reportsEveryProblemNotOnlyTheFirst() {
    ServiceEntry entry =
        serviceEntry(
            "{hosts: ['*'], resolution: DNS, ports: [{number: 70000, name: http, protocol: HTTP},"
                + " {number: 443, protocol: HTTPS, targetPort: 70000}], exportTo: ['~', '*']}");

    Validation v = ServiceEntryValidator.validate(entry);

    assertThat(v.errors())
        .extracting(FieldError::path)
        .containsExactly(
            "spec.hosts[0]",
            "spec.ports[0].number",
            "spec.ports[1].name",
            "spec.ports[1].targetPort",
            "spec.exportTo",
            "spec.exportTo");
    assertThat(v.errorMessage()).contains("; spec.ports[0].number: 70000 is not a port");
  }

  @Test
  void refusesDynamicDnsMeshInternalBehindAWaypoint() {
    ServiceEntry entry =
        new ServiceEntry(
            "istio-egress",
            "wild",
            Map.of(Labels.USE_WAYPOINT, "waypoint"),
            List.of("*.example.com"),
            List.of(),
            List.of(new ServicePort(80, "HTTP", "http", null)),
            "MESH_INTERNAL",
            "DYNAMIC_DNS",
            List.of(),
            null,
            List.of(),
            List.of());

    Validation v = ServiceEntryValidator.validate(entry);

    assertThat(v.errorMessage())
        .isEqualTo(
            "spec.location: MESH_INTERNAL with resolution DYNAMIC_DNS is not supported through a"
                + " waypoint; use location: MESH_EXTERNAL");
  }
}
