package dev.wayout.model;

import static dev.wayout.model.Resources.virtualService;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Istio's own verdicts (pkg/config/validation validation_test.go TestValidateVirtualService,
 * TestValidateHTTPRoute, TestValidateHTTPRetry, TestValidateHTTPRedirect, ...), transcribed to
 * YAML: {@code valid} is whether Istio admits the object, {@code warns} whether it warns.
 */
class VirtualServiceValidatorTest {

  private static final String ROUTE = "route: [{destination: {host: foo.baz}}]";

  private static String http(String route) {
    return "{hosts: [foo.bar], http: [{" + route + "}]}";
  }

  static Stream<Arguments> istioCases() {
    return Stream.of(
        // TestValidateVirtualService
        Arguments.of("simple", http(ROUTE), true, false),
        Arguments.of(
            "allow sni based domains",
            "{hosts: ['outbound_.15010_._.istiod.istio-system.svc.cluster.local'], gateways:"
                + " [ns1/gateway], tls: [{match: [{sniHosts:"
                + " ['outbound_.15010_._.istiod.istio-system.svc.cluster.local']}], route:"
                + " [{destination: {host: istio.istio-system.svc.cluster.local}}]}]}",
            true,
            true),
        Arguments.of(
            "duplicate hosts",
            "{hosts: ['*.foo.bar', '*.bar'], http: [{" + ROUTE + "}]}",
            false,
            false),
        Arguments.of(
            "with no destination", "{hosts: [foo.bar], http: [{route: [{}]}]}", false, false),
        Arguments.of(
            "destination without host",
            "{hosts: [foo.bar], http: [{route: [{destination: {}}]}]}",
            false,
            false),
        Arguments.of("delegate with no hosts", "{http: [{" + ROUTE + "}]}", true, true),
        Arguments.of("bad host", "{hosts: [foo.ba!r], http: [{" + ROUTE + "}]}", false, false),
        Arguments.of("no tcp or http routing", "{hosts: [foo.bar]}", false, false),
        Arguments.of(
            "bad gateway",
            "{hosts: [foo.bar], gateways: [b@dgateway], http: [{" + ROUTE + "}]}",
            false,
            true),
        Arguments.of(
            "FQDN for gateway",
            "{hosts: [foo.bar], gateways: [gateway.example.com], http: [{" + ROUTE + "}]}",
            true,
            true),
        Arguments.of(
            "namespace/name for gateway",
            "{hosts: [foo.bar], gateways: [ns1/gateway], http: [{" + ROUTE + "}]}",
            true,
            true),
        Arguments.of(
            "namespace/* for gateway",
            "{hosts: [foo.bar], gateways: ['ns1/*'], http: [{" + ROUTE + "}]}",
            false,
            true),
        Arguments.of(
            "*/name for gateway",
            "{hosts: [foo.bar], gateways: ['*/gateway'], http: [{" + ROUTE + "}]}",
            false,
            true),
        Arguments.of(
            "wildcard for mesh gateway", "{hosts: ['*'], http: [{" + ROUTE + "}]}", false, false),
        Arguments.of(
            "wildcard for non-mesh gateway",
            "{hosts: ['*'], gateways: [somegateway], http: [{" + ROUTE + "}]}",
            true,
            true),
        Arguments.of(
            "missing tcp route", "{hosts: [foo.bar], tcp: [{match: [{port: 999}]}]}", false, false),
        Arguments.of(
            "missing tls route",
            "{hosts: [foo.bar], tls: [{match: [{port: 999, sniHosts: [foo.bar]}]}]}",
            false,
            false),
        Arguments.of(
            "deprecated mirror",
            "{hosts: [foo.bar], gateways: [ns1/gateway], http: [{mirrorPercent: 5, "
                + ROUTE
                + "}]}",
            true,
            true),
        Arguments.of(
            "set authority",
            http("headers: {request: {set: {':authority': foo}}}, " + ROUTE),
            true,
            false),
        Arguments.of(
            "set authority in destination",
            http(
                "route: [{destination: {host: foo.baz}, headers: {request: {set: {':authority':"
                    + " foo}}}}]"),
            true,
            false),
        Arguments.of(
            "set authority in rewrite and header",
            http(
                "headers: {request: {set: {':authority': foo}}}, rewrite: {authority: bar}, "
                    + ROUTE),
            false,
            false),
        Arguments.of(
            "non-method-get (an overlapping prefix warns)",
            http(
                ROUTE
                    + ", match: [{uri: {prefix: /api/v1/product}}, {uri: {prefix:"
                    + " /api/v1/products}, method: {exact: GET}}]"),
            true,
            true),
        Arguments.of(
            "uri-with-prefix-exact",
            http(ROUTE + ", match: [{uri: {prefix: /}}, {uri: {exact: /}, method: {exact: GET}}]"),
            true,
            false),
        Arguments.of(
            "jwt claim route without gateway",
            "{hosts: [foo.bar], gateways: [mesh], http: [{"
                + ROUTE
                + ", match: [{uri: {prefix: /}, headers: {'@request.auth.claims.foo': {exact:"
                + " bar}}}]}]}",
            false,
            false),
        Arguments.of(
            "ip address as sni host",
            "{hosts: [foo.bar], tls: [{route: [{destination: {host: foo.baz}}], match: [{port:"
                + " 999, sniHosts: [1.1.1.1]}]}]}",
            true,
            true),
        Arguments.of(
            "invalid wildcard as sni host",
            "{hosts: [foo.bar], tls: [{route: [{destination: {host: foo.baz}}], match: [{port:"
                + " 999, sniHosts: ['foo.*.com']}]}]}",
            false,
            false),
        Arguments.of(
            "sni host outside the hosts",
            "{hosts: [foo.bar], tls: [{route: [{destination: {host: foo.baz}}], match: [{sniHosts:"
                + " [other.bar]}]}]}",
            false,
            false),
        Arguments.of(
            "sni host under a wildcard host",
            "{hosts: ['*.bar'], tls: [{route: [{destination: {host: foo.baz}}], match: [{sniHosts:"
                + " [foo.bar]}]}]}",
            true,
            false),
        // TestValidateHTTPRetry
        Arguments.of(
            "retries valid",
            http(
                ROUTE
                    + ", retries: {attempts: 10, perTryTimeout: 2s, retryOn: '5xx,gateway-error'}"),
            true,
            false),
        Arguments.of("retries disabled", http(ROUTE + ", retries: {attempts: 0}"), true, false),
        Arguments.of(
            "retry policy but attempts 0",
            http(ROUTE + ", retries: {attempts: 0, perTryTimeout: 2s, retryOn: 5xx}"),
            false,
            false),
        Arguments.of(
            "retry policy without attempts",
            http(ROUTE + ", retries: {perTryTimeout: 2s}"),
            false,
            false),
        Arguments.of(
            "retryOn with a status",
            http(ROUTE + ", retries: {attempts: 10, retryOn: '503,connect-failure'}"),
            true,
            false),
        Arguments.of("negative attempts", http(ROUTE + ", retries: {attempts: -1}"), false, false),
        Arguments.of(
            "perTryTimeout below a millisecond",
            http(ROUTE + ", retries: {attempts: 10, perTryTimeout: 999ns}"),
            false,
            false),
        Arguments.of(
            "perTryTimeout finer than a millisecond",
            http(ROUTE + ", retries: {attempts: 10, perTryTimeout: 2000001us}"),
            false,
            false),
        Arguments.of(
            "invalid retryOn policy",
            http(ROUTE + ", retries: {attempts: 10, retryOn: '5xx,invalid policy'}"),
            false,
            false),
        Arguments.of(
            "retryOn with a space",
            http(ROUTE + ", retries: {attempts: 10, retryOn: '5xx, reset'}"),
            false,
            false),
        Arguments.of(
            "retryOn status 600",
            http(ROUTE + ", retries: {attempts: 10, retryOn: '600,connect-failure'}"),
            false,
            false),
        Arguments.of(
            "retryRemoteLocalities without attempts",
            http(ROUTE + ", retries: {retryRemoteLocalities: false}"),
            false,
            false),
        // TestValidateHTTPRedirect, TestValidateHTTPRewrite, TestValidateHTTPDirectResponse
        Arguments.of("redirect with uri", http("redirect: {uri: /new}"), true, false),
        Arguments.of("redirect and route", http("redirect: {uri: /new}, " + ROUTE), false, false),
        Arguments.of("empty redirect", http("redirect: {}"), false, false),
        Arguments.of(
            "redirect uri and prefixRewrite",
            http("redirect: {uri: /a, prefixRewrite: /b}"),
            false,
            false),
        Arguments.of(
            "redirect prefixRewrite with an exact match",
            http("match: [{uri: {exact: /a}}], redirect: {prefixRewrite: /b}"),
            false,
            false),
        Arguments.of(
            "redirect prefixRewrite with a prefix match",
            http("match: [{uri: {prefix: /a}}], redirect: {prefixRewrite: /b}"),
            true,
            false),
        Arguments.of(
            "redirect code 200", http("redirect: {uri: /a, redirectCode: 200}"), false, false),
        Arguments.of("redirect scheme ftp", http("redirect: {scheme: ftp}"), false, false),
        Arguments.of(
            "redirect derivePort only",
            http("redirect: {derivePort: FROM_REQUEST_PORT}"),
            true,
            false),
        Arguments.of("redirect port 0 only", http("redirect: {port: 0}"), true, false),
        Arguments.of("redirect port 70000", http("redirect: {port: 70000}"), false, false),
        Arguments.of(
            "direct response",
            http("directResponse: {status: 503, body: {string: down}}"),
            true,
            false),
        Arguments.of(
            "direct response status 199", http("directResponse: {status: 199}"), false, false),
        Arguments.of(
            "direct response status 600", http("directResponse: {status: 600}"), true, false),
        Arguments.of(
            "direct response and route",
            http("directResponse: {status: 200}, " + ROUTE),
            false,
            false),
        Arguments.of("rewrite uri", http("rewrite: {uri: /v2}, " + ROUTE), true, false),
        Arguments.of("empty rewrite", http("rewrite: {}, " + ROUTE), false, false),
        Arguments.of(
            "rewrite uri and regex",
            http("rewrite: {uri: /a, uriRegexRewrite: {match: a, rewrite: b}}, " + ROUTE),
            false,
            false),
        Arguments.of(
            "regex rewrite without rewrite",
            http("rewrite: {uriRegexRewrite: {match: '^/a'}}, " + ROUTE),
            false,
            false),
        Arguments.of(
            "regex rewrite with a lookahead",
            http("rewrite: {uriRegexRewrite: {match: '^/(?=a)', rewrite: /b}}, " + ROUTE),
            false,
            false),
        // matches
        Arguments.of(
            "empty uri prefix", http(ROUTE + ", match: [{uri: {prefix: ''}}]"), true, false),
        Arguments.of(
            "empty method prefix", http(ROUTE + ", match: [{method: {prefix: ''}}]"), false, false),
        Arguments.of(
            "empty header regex",
            http(ROUTE + ", match: [{headers: {a: {regex: ''}}}]"),
            false,
            false),
        Arguments.of(
            "header regex star",
            http(ROUTE + ", match: [{headers: {a: {regex: '*'}}}]"),
            false,
            false),
        Arguments.of(
            "withoutHeaders regex star",
            http(ROUTE + ", match: [{withoutHeaders: {a: {regex: '*'}}}]"),
            true,
            false),
        Arguments.of(
            "bad header name",
            http(ROUTE + ", match: [{headers: {'a b': {exact: x}}}]"),
            false,
            false),
        Arguments.of(
            "pseudo header name",
            http(ROUTE + ", match: [{headers: {':path': {exact: /}}}]"),
            true,
            false),
        Arguments.of(
            "uri regex with a backreference",
            http(ROUTE + ", match: [{uri: {regex: '(a)\\1'}}]"),
            false,
            false),
        Arguments.of(
            "uri regex with a named group",
            http(ROUTE + ", match: [{uri: {regex: '/(?P<id>[0-9]+)'}}]"),
            true,
            false),
        Arguments.of(
            "uri regex with a literal brace",
            http(ROUTE + ", match: [{uri: {regex: '/a{b'}}]"),
            true,
            false),
        Arguments.of(
            "bad source namespace",
            http(ROUTE + ", match: [{sourceNamespace: Foo_Bar}]"),
            false,
            false),
        Arguments.of("match port 0", http(ROUTE + ", match: [{port: 0}]"), true, false),
        Arguments.of("match port 70000", http(ROUTE + ", match: [{port: 70000}]"), false, false),
        Arguments.of(
            "bad source labels",
            http(ROUTE + ", match: [{sourceLabels: {'a b': c}}]"),
            false,
            false),
        // header operations
        Arguments.of(
            "remove host header",
            http(ROUTE + ", headers: {request: {remove: [host]}}"),
            false,
            false),
        Arguments.of(
            "set a pseudo header",
            http(ROUTE + ", headers: {request: {set: {':path': /x}}}"),
            false,
            false),
        Arguments.of(
            "response header with an un-escaped percent",
            http(ROUTE + ", headers: {response: {set: {x-a: '50%'}}}"),
            false,
            false),
        Arguments.of(
            "response header with an escaped percent",
            http(ROUTE + ", headers: {response: {set: {x-a: '50%%'}}}"),
            true,
            false),
        Arguments.of(
            "header name with a space is not checked by Istio",
            http(ROUTE + ", headers: {request: {set: {'x a': b}}}"),
            true,
            false),
        // destinations and weights
        Arguments.of(
            "weights adding up to 0",
            http("route: [{destination: {host: a.baz}}, {destination: {host: b.baz}}]"),
            false,
            false),
        Arguments.of(
            "a negative weight",
            http(
                "route: [{destination: {host: a.baz}, weight: -1}, {destination: {host: b.baz},"
                    + " weight: 50}]"),
            false,
            false),
        Arguments.of(
            "weights not adding up to 100",
            http(
                "route: [{destination: {host: a.baz}, weight: 30}, {destination: {host: b.baz},"
                    + " weight: 30}]"),
            true,
            false),
        Arguments.of(
            "destination host *", http("route: [{destination: {host: '*'}}]"), false, false),
        Arguments.of(
            "bad subset name",
            http("route: [{destination: {host: a.baz, subset: V_1}}]"),
            false,
            false),
        Arguments.of(
            "destination port 0",
            http("route: [{destination: {host: a.baz, port: {number: 0}}}]"),
            false,
            false),
        // timeout, mirror, fault, cors
        Arguments.of("timeout 0s", http(ROUTE + ", timeout: 0s"), false, false),
        Arguments.of("timeout 1.5s", http(ROUTE + ", timeout: 1.5s"), true, false),
        Arguments.of(
            "mirror and mirrors",
            http(ROUTE + ", mirror: {host: m.baz}, mirrors: [{destination: {host: n.baz}}]"),
            false,
            false),
        Arguments.of(
            "mirrorPercentage over 100",
            http(ROUTE + ", mirror: {host: m.baz}, mirrorPercentage: {value: 101}"),
            false,
            false),
        Arguments.of(
            "mirrors with percentage",
            http(ROUTE + ", mirrors: [{destination: {host: m.baz}, percentage: {value: 50}}]"),
            true,
            false),
        Arguments.of(
            "mirror without destination",
            http(ROUTE + ", mirrors: [{percentage: {value: 5}}]"),
            false,
            false),
        Arguments.of("empty fault", http(ROUTE + ", fault: {}"), false, false),
        Arguments.of(
            "abort with status",
            http(ROUTE + ", fault: {abort: {httpStatus: 503, percentage: {value: 50}}}"),
            true,
            false),
        Arguments.of(
            "abort without error type",
            http(ROUTE + ", fault: {abort: {percentage: {value: 5}}}"),
            true,
            true),
        Arguments.of(
            "abort with http2Error",
            http(ROUTE + ", fault: {abort: {http2Error: x}}"),
            false,
            false),
        Arguments.of(
            "abort with a bad grpc status",
            http(ROUTE + ", fault: {abort: {grpcStatus: FOO}}"),
            false,
            false),
        Arguments.of(
            "abort percentage too small",
            http(ROUTE + ", fault: {abort: {httpStatus: 500, percentage: {value: 0.00001}}}"),
            false,
            false),
        Arguments.of(
            "delay fixed",
            http(ROUTE + ", fault: {delay: {fixedDelay: 5s, percentage: {value: 10}}}"),
            true,
            false),
        Arguments.of(
            "delay exponential",
            http(ROUTE + ", fault: {delay: {exponentialDelay: 5s}}"),
            false,
            false),
        Arguments.of(
            "delay without a delay type",
            http(ROUTE + ", fault: {delay: {percentage: {value: 10}}}"),
            true,
            false),
        Arguments.of(
            "cors",
            http(
                ROUTE
                    + ", corsPolicy: {allowOrigins: [{exact: 'https://a.com'}], allowMethods: [GET,"
                    + " POST], allowHeaders: [x-a], maxAge: 24h, allowCredentials: true}"),
            true,
            false),
        Arguments.of(
            "cors lower-case method",
            http(ROUTE + ", corsPolicy: {allowMethods: [get]}"),
            false,
            false),
        Arguments.of(
            "cors maxAge with milliseconds",
            http(ROUTE + ", corsPolicy: {maxAge: 1500ms}"),
            false,
            false),
        Arguments.of(
            "cors empty origin",
            http(ROUTE + ", corsPolicy: {allowOrigins: [{exact: ''}]}"),
            false,
            false),
        // delegate and exportTo
        Arguments.of(
            "root route with delegate and route",
            http("delegate: {name: d, namespace: ns}, " + ROUTE),
            false,
            true),
        Arguments.of(
            "root route with delegate", http("delegate: {name: d, namespace: ns}"), true, true),
        Arguments.of(
            "delegate VirtualService with tcp",
            "{http: [{" + ROUTE + "}], tcp: [{route: [{destination: {host: a.baz}}]}]}",
            false,
            true),
        Arguments.of(
            "exportTo ~",
            "{hosts: [foo.bar], exportTo: ['~'], http: [{" + ROUTE + "}]}",
            false,
            false),
        Arguments.of(
            "second route without matches unreachable",
            "{hosts: [foo.bar], http: [{" + ROUTE + "}, {" + ROUTE + "}]}",
            true,
            true),
        Arguments.of(
            "tcp route with a bad subnet",
            "{hosts: [foo.bar], tcp: [{match: [{destinationSubnets: [1.2.3.4/33]}], route:"
                + " [{destination: {host: a.baz}}]}]}",
            false,
            true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("istioCases")
  void followsIstiosVerdict(String name, String spec, boolean valid, boolean warns) {
    Validation v = VirtualServiceValidator.validate(virtualService(spec));

    assertThat(v.valid()).as("valid: %s", v.errors()).isEqualTo(valid);
    if (warns) {
      assertThat(v.warnings()).isNotEmpty();
    } else {
      assertThat(v.warnings()).as("warnings").isEmpty();
    }
  }

  @Test
  void namesFieldValueAndFix() {
    Validation v =
        VirtualServiceValidator.validate(
            virtualService(http(ROUTE + ", retries: {attempts: 3, retryOn: '5xx, reset'}")));

    assertThat(v.errorMessage())
        .isEqualTo(
            "spec.http[0].retries.retryOn: \" reset\" is not a retryOn condition; use Envoy's"
                + " conditions, comma-separated without spaces, e.g. \"5xx,connect-failure,reset\","
                + " or status codes such as \"503\"");
  }

  @Test
  void warnsThatDestinationSubnetsOfTlsAndTcpMatchesAreNotRead() {
    Validation v =
        VirtualServiceValidator.validate(
            virtualService(
                "{hosts: [a.example.com], tls: [{match: [{sniHosts: [a.example.com],"
                    + " destinationSubnets: [203.0.113.0/24]}], route: [{destination: {host:"
                    + " a.example.com}}]}], tcp: [{match: [{port: 5432, destinationSubnets:"
                    + " [203.0.113.0/24]}], route: [{destination: {host: a.example.com}}]}]}"));

    assertThat(v.valid()).as("valid: %s", v.errors()).isTrue();
    assertThat(v.warnings())
        .extracting(Object::toString)
        .anySatisfy(w -> assertThat(w).contains("spec.tls[0].match[0].destinationSubnets"))
        .anySatisfy(w -> assertThat(w).contains("spec.tcp[0].match[0]: destinationSubnets"));
  }

  @Test
  void refusesTwoKindsOfStringMatchAsTheSchemaDoes() {
    ResourceSet set =
        IstioDocuments.parse(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: a}\n"
                + "spec: {hosts: [a.com], http: [{match: [{uri: {exact: /a, prefix: /b}}], route:"
                + " [{destination: {host: a.com}}]}]}\n",
            "a.yaml",
            "default");

    assertThat(set.problems()).hasSize(1);
    assertThat(set.problems().get(0).message())
        .contains("spec.http[0].match[0].uri: sets more than one of exact, prefix and regex");
  }
}
