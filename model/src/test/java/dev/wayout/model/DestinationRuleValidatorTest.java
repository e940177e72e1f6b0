package dev.wayout.model;

import static dev.wayout.model.Resources.destinationRule;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DestinationRuleValidatorTest {

  private static final String TP = "spec.trafficPolicy";

  @Test
  void acceptsTheSeedDestinationRule() {
    Validation v =
        DestinationRuleValidator.validate(
            Resources.seedDestinationRule("step5-destinationrule.yaml"));

    assertThat(v.errors()).isEmpty();
    assertThat(v.warningMessages())
        .containsExactly(
            "spec.trafficPolicy.portLevelSettings[0].tls: mode SIMPLE without caCertificates or"
                + " credentialName verifies the upstream only against the system trust store; set"
                + " caCertificates (or credentialName) to pin the CA that signs the upstream's"
                + " certificate");
  }

  static Stream<Arguments> validRules() {
    return Stream.of(
        Arguments.of(
            "TLS origination with a pinned CA",
            "{host: api.example.com, trafficPolicy: {tls: {mode: SIMPLE, caCertificates:"
                + " /etc/certs/ca.pem, sni: api.example.com}}}"),
        Arguments.of(
            "TLS origination with a credential",
            "{host: api.example.com, trafficPolicy: {tls: {mode: SIMPLE, credentialName:"
                + " api-ca}}}"),
        Arguments.of(
            "mutual TLS from files",
            "{host: api.example.com, trafficPolicy: {tls: {mode: MUTUAL, clientCertificate:"
                + " /c.pem, privateKey: /k.pem, caCertificates: /ca.pem}}}"),
        Arguments.of(
            "mutual TLS from a credential",
            "{host: api.example.com, trafficPolicy: {tls: {mode: MUTUAL, credentialName: api}}}"),
        Arguments.of(
            "a wildcard host, limits and a load balancer",
            "{host: '*.example.com', trafficPolicy: {connectionPool: {tcp: {maxConnections: 100,"
                + " connectTimeout: 2s, idleTimeout: 0s}, http: {http1MaxPendingRequests: 0,"
                + " maxRetries: 3, idleTimeout: 1m30s}}, outlierDetection: {consecutive5xxErrors:"
                + " 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 100},"
                + " loadBalancer: {simple: LEAST_REQUEST}}}"),
        Arguments.of(
            "subsets with labels and their own policy",
            "{host: api.example.com, subsets: [{name: v1, labels: {version: v1}}, {name: v2,"
                + " labels: {example.com/version: v2}, trafficPolicy: {loadBalancer: {simple:"
                + " RANDOM}}}]}"),
        Arguments.of(
            "Maglev with a prime table, a named cookie, a warmup",
            "{host: api.example.com, trafficPolicy: {loadBalancer: {consistentHash: {httpCookie:"
                + " {name: session, ttl: 60s}, maglev: {tableSize: 65537}}}, portLevelSettings:"
                + " [{port: {number: 80}, loadBalancer: {simple: LEAST_REQUEST, warmup: {duration:"
                + " 60s, minimumPercent: 10, aggression: 1.5}}}]}}"),
        Arguments.of(
            "consistent hashing alone",
            "{host: api.example.com, trafficPolicy: {loadBalancer: {consistentHash:"
                + " {httpHeaderName: x-user}}}}"),
        Arguments.of(
            "a workloadSelector kept in its namespace",
            "{host: api.example.com, workloadSelector: {matchLabels: {app: sleep}}, exportTo:"
                + " ['.']}"),
        Arguments.of("an in-cluster short name", "{host: reviews, exportTo: ['*']}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validRules")
  void acceptsValidRules(String name, String spec) {
    Validation v = DestinationRuleValidator.validate(destinationRule(spec));

    assertThat(v.errors()).as(v.errorMessage()).isEmpty();
  }

  static Stream<Arguments> invalidRules() {
    return Stream.of(
        Arguments.of(
            "no host",
            "{trafficPolicy: {tls: {mode: SIMPLE}}}",
            "spec.host",
            "is empty; name the host of a ServiceEntry"),
        Arguments.of(
            "a host with a bad label",
            "{host: 'api.-x.com'}",
            "spec.host",
            "\"api.-x.com\" has the label \"-x\", which is not a DNS label"),
        // TLS modes and their fields
        Arguments.of(
            "a TLS mode in lower case",
            "{host: a.example.com, trafficPolicy: {tls: {mode: simple}}}",
            TP + ".tls.mode",
            "\"simple\" is not a TLS mode Istio knows; use SIMPLE"),
        Arguments.of(
            "MUTUAL without a client certificate",
            "{host: a.example.com, trafficPolicy: {tls: {mode: MUTUAL, privateKey: /k.pem}}}",
            TP + ".tls.clientCertificate",
            "is missing; mode MUTUAL presents a client certificate; set clientCertificate and"
                + " privateKey (file paths), or credentialName (a Secret)"),
        Arguments.of(
            "MUTUAL without a private key",
            "{host: a.example.com, trafficPolicy: {tls: {mode: MUTUAL, clientCertificate:"
                + " /c.pem}}}",
            TP + ".tls.privateKey",
            "is missing"),
        Arguments.of(
            "a credential and certificate files together",
            "{host: a.example.com, trafficPolicy: {tls: {mode: SIMPLE, credentialName: c,"
                + " caCertificates: /ca.pem}}}",
            TP + ".tls.caCertificates",
            "is set together with credentialName"),
        Arguments.of(
            "insecureSkipVerify with a CA",
            "{host: a.example.com, trafficPolicy: {tls: {mode: SIMPLE, insecureSkipVerify: true,"
                + " caCertificates: /ca.pem}}}",
            TP + ".tls.caCertificates",
            "is set together with insecureSkipVerify: true"),
        Arguments.of(
            "insecureSkipVerify with subjectAltNames",
            "{host: a.example.com, trafficPolicy: {tls: {mode: MUTUAL, credentialName: c,"
                + " insecureSkipVerify: true, subjectAltNames: [a.example.com]}}}",
            TP + ".tls.subjectAltNames",
            "is set together with insecureSkipVerify: true"),
        // portLevelSettings
        Arguments.of(
            "port settings without a port",
            "{host: a.example.com, trafficPolicy: {portLevelSettings: [{tls: {mode: SIMPLE}}]}}",
            TP + ".portLevelSettings[0].port",
            "is missing; name the ServiceEntry port"),
        Arguments.of(
            "port settings that set nothing",
            "{host: a.example.com, trafficPolicy: {portLevelSettings: [{port: {number: 80}}]}}",
            TP + ".portLevelSettings[0]",
            "sets nothing for the port"),
        Arguments.of(
            "TLS errors inside port settings",
            "{host: a.example.com, trafficPolicy: {portLevelSettings: [{port: {number: 80}, tls:"
                + " {mode: MUTUAL}}]}}",
            TP + ".portLevelSettings[0].tls.clientCertificate",
            "is missing"),
        // subsets
        Arguments.of(
            "a subset without name",
            "{host: a.example.com, subsets: [{labels: {v: a}}]}",
            "spec.subsets[0].name",
            "is missing; name the subset"),
        Arguments.of(
            "two subsets with one name",
            "{host: a.example.com, subsets: [{name: v1}, {name: v1}]}",
            "spec.subsets[1].name",
            "\"v1\" is already used by spec.subsets[0]"),
        Arguments.of(
            "an invalid subset name",
            "{host: a.example.com, subsets: [{name: V_1}]}",
            "spec.subsets[0].name",
            "\"V_1\" is not a valid subset name"),
        Arguments.of(
            "an invalid subset label key",
            "{host: a.example.com, subsets: [{name: v1, labels: {'-bad': x}}]}",
            "spec.subsets[0].labels",
            "the label key \"-bad\" is not a valid Kubernetes label key"),
        Arguments.of(
            "a subset policy error",
            "{host: a.example.com, subsets: [{name: v1, trafficPolicy: {connectionPool: {tcp:"
                + " {maxConnections: -1}}}}]}",
            "spec.subsets[0].trafficPolicy.connectionPool.tcp.maxConnections",
            "-1 is negative; use 0 or more"),
        // connectionPool
        Arguments.of(
            "negative pending requests",
            "{host: a.example.com, trafficPolicy: {connectionPool: {http: {http1MaxPendingRequests:"
                + " -5}}}}",
            TP + ".connectionPool.http.http1MaxPendingRequests",
            "-5 is negative"),
        Arguments.of(
            "a connect timeout under 1ms",
            "{host: a.example.com, trafficPolicy: {connectionPool: {tcp: {connectTimeout:"
                + " 500us}}}}",
            TP + ".connectionPool.tcp.connectTimeout",
            "\"500us\" is shorter than 1ms; use at least \"1ms\""),
        Arguments.of(
            "a zero HTTP idle timeout",
            "{host: a.example.com, trafficPolicy: {connectionPool: {http: {idleTimeout: 0s}}}}",
            TP + ".connectionPool.http.idleTimeout",
            "\"0s\" is shorter than 1ms"),
        Arguments.of(
            "a timeout finer than a millisecond",
            "{host: a.example.com, trafficPolicy: {connectionPool: {tcp: {connectTimeout:"
                + " 1500us}}}}",
            TP + ".connectionPool.tcp.connectTimeout",
            "\"1500us\" is finer than a millisecond; round to whole milliseconds, e.g. \"2ms\""),
        // outlierDetection
        Arguments.of(
            "an ejection percentage over 100",
            "{host: a.example.com, trafficPolicy: {outlierDetection: {maxEjectionPercent: 150}}}",
            TP + ".outlierDetection.maxEjectionPercent",
            "150 is not a percentage; use a number from 0 to 100"),
        Arguments.of(
            "a negative minimum health",
            "{host: a.example.com, trafficPolicy: {outlierDetection: {minHealthPercent: -1}}}",
            TP + ".outlierDetection.minHealthPercent",
            "-1 is not a percentage"),
        Arguments.of(
            "a zero interval",
            "{host: a.example.com, trafficPolicy: {outlierDetection: {interval: 0s}}}",
            TP + ".outlierDetection.interval",
            "\"0s\" is shorter than 1ms"),
        Arguments.of(
            "negative consecutive errors",
            "{host: a.example.com, trafficPolicy: {outlierDetection: {consecutive5xxErrors:"
                + " -2}}}",
            TP + ".outlierDetection.consecutive5xxErrors",
            "-2 is negative"),
        // loadBalancer
        Arguments.of(
            "simple and consistentHash together",
            "{host: a.example.com, trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN,"
                + " consistentHash: {httpHeaderName: x}}}}",
            TP + ".loadBalancer",
            "sets more than one of simple, consistentHash and backendUtilization"),
        Arguments.of(
            "an unknown load balancer",
            "{host: a.example.com, trafficPolicy: {loadBalancer: {simple: FASTEST}}}",
            TP + ".loadBalancer.simple",
            "\"FASTEST\" is not a load balancer Istio knows"),
        Arguments.of(
            "a hash cookie without name",
            "{host: a.example.com, trafficPolicy: {loadBalancer: {consistentHash: {httpCookie:"
                + " {ttl: 0s}}}}}",
            TP + ".loadBalancer.consistentHash.httpCookie.name",
            "is missing; name the cookie"),
        Arguments.of(
            "a Maglev table that is no prime",
            "{host: a.example.com, trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName:"
                + " x, maglev: {tableSize: 65536}}}}}",
            TP + ".loadBalancer.consistentHash.maglev.tableSize",
            "65536 is not a prime number; use a prime, e.g. 65537"),
        Arguments.of(
            "a Maglev table too large",
            "{host: a.example.com, trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName:"
                + " x, maglev: {tableSize: 5000011}}}}}",
            TP + ".loadBalancer.consistentHash.maglev.tableSize",
            "5000011 is not below 5000011"),
        Arguments.of(
            "a Maglev table without size",
            "{host: a.example.com, trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName:"
                + " x, maglev: {}}}}}",
            TP + ".loadBalancer.consistentHash.maglev.tableSize",
            "is missing"),
        Arguments.of(
            "the old ring size with an algorithm",
            "{host: a.example.com, trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName:"
                + " x, minimumRingSize: 1024, ringHash: {minimumRingSize: 1024}}}}}",
            TP + ".loadBalancer.consistentHash.minimumRingSize",
            "is set together with ringHash"),
        Arguments.of(
            "a warmup without duration",
            "{host: a.example.com, trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN, warmup:"
                + " {aggression: 1.0}}}}",
            TP + ".loadBalancer.warmup.duration",
            "is missing"),
        Arguments.of(
            "a warmup minimum over 100 percent",
            "{host: a.example.com, trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN, warmup:"
                + " {duration: 60s, minimumPercent: 101}}}}",
            TP + ".loadBalancer.warmup.minimumPercent",
            "101 is not a percentage; use 0 to 100"),
        Arguments.of(
            "a warmup aggression of 0",
            "{host: a.example.com, trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN, warmup:"
                + " {duration: 60s, aggression: 0}}}}",
            TP + ".loadBalancer.warmup.aggression",
            "0 is not above 0"),
        // exportTo and workloadSelector
        Arguments.of(
            "exportTo ~ on a DestinationRule",
            "{host: a.example.com, exportTo: ['~']}",
            "spec.exportTo[0]",
            "\"~\" (visible to no one) is only allowed on ServiceEntries"),
        Arguments.of(
            "a workloadSelector rule exported elsewhere",
            "{host: a.example.com, workloadSelector: {matchLabels: {app: a}}, exportTo: ['*']}",
            "spec.exportTo",
            "a DestinationRule with a workloadSelector applies only in its own namespace"),
        Arguments.of(
            "a wildcard in a workloadSelector",
            "{host: a.example.com, workloadSelector: {matchLabels: {app: '*'}}}",
            "spec.workloadSelector.matchLabels.app",
            "uses a wildcard"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRules")
  void refusesInvalidRules(String name, String spec, String path, String message) {
    Validation v = DestinationRuleValidator.validate(destinationRule(spec));

    assertThat(v.errors())
        .as(v.errorMessage())
        .anySatisfy(
            e -> {
              assertThat(e.path()).isEqualTo(path);
              assertThat(e.message()).startsWith(path + ": ").contains(message);
            });
  }

  static Stream<Arguments> riskyRules() {
    return Stream.of(
        Arguments.of(
            "a credentialName that is not a Secret name",
            "{host: a.example.com, trafficPolicy: {tls: {mode: SIMPLE, credentialName: ../Certs}}}",
            TP + ".tls.credentialName",
            "\"../Certs\" is not a Secret name, so no Secret can match it"),
        Arguments.of(
            "ISTIO_MUTUAL with certificate files",
            "{host: a.example.com, trafficPolicy: {tls: {mode: ISTIO_MUTUAL, clientCertificate:"
                + " /c.pem}}}",
            TP + ".tls.clientCertificate",
            "is ignored with mode ISTIO_MUTUAL"),
        Arguments.of(
            "port settings for port 0",
            "{host: a.example.com, trafficPolicy: {portLevelSettings: [{port: {number: 0}, tls:"
                + " {mode: SIMPLE}}]}}",
            TP + ".portLevelSettings[0].port.number",
            "0 is not a port, so these settings never apply"),
        Arguments.of(
            "two settings for one port",
            "{host: a.example.com, trafficPolicy: {portLevelSettings: [{port: {number: 80}, tls:"
                + " {mode: SIMPLE}}, {port: {number: 80}, tls: {mode: DISABLE}}]}}",
            TP + ".portLevelSettings[1].port.number",
            "80 already has settings in spec.trafficPolicy.portLevelSettings[0], which apply"),
        Arguments.of(
            "TLS origination trusting the system store only",
            "{host: a.example.com, trafficPolicy: {tls: {mode: SIMPLE}}}",
            TP + ".tls",
            "mode SIMPLE without caCertificates or credentialName"),
        Arguments.of(
            "insecureSkipVerify",
            "{host: a.example.com, trafficPolicy: {tls: {mode: SIMPLE, insecureSkipVerify:"
                + " true}}}",
            TP + ".tls.insecureSkipVerify",
            "true turns off verification of the upstream's certificate and name"),
        Arguments.of(
            "ISTIO_MUTUAL to an external host",
            "{host: a.example.com, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}",
            TP + ".tls.mode",
            "\"ISTIO_MUTUAL\" needs an in-mesh peer with an Istio identity; for an external host"
                + " use \"SIMPLE\""),
        Arguments.of(
            "the deprecated consecutiveErrors",
            "{host: a.example.com, trafficPolicy: {outlierDetection: {consecutiveErrors: 5}}}",
            TP + ".outlierDetection.consecutiveErrors",
            "is deprecated; use consecutive5xxErrors or consecutiveGatewayErrors"),
        Arguments.of(
            "the deprecated minimumRingSize",
            "{host: a.example.com, trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName:"
                + " x, minimumRingSize: 1024}}}}",
            TP + ".loadBalancer.consistentHash.minimumRingSize",
            "is deprecated; set ringHash: {minimumRingSize: 1024} instead"),
        Arguments.of(
            "an empty workloadSelector",
            "{host: a.example.com, workloadSelector: {}}",
            "spec.workloadSelector.matchLabels",
            "matches every workload"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("riskyRules")
  void warnsAboutRiskyRules(String name, String spec, String path, String message) {
    Validation v = DestinationRuleValidator.validate(destinationRule(spec));

    assertThat(v.errors()).as(v.errorMessage()).isEmpty();
    assertThat(v.warnings())
        .anySatisfy(
            w -> {
              assertThat(w.path()).isEqualTo(path);
              assertThat(w.message()).contains(message);
            });
  }
}
