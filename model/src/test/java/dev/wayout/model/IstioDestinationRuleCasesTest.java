package dev.wayout.model;

import static dev.wayout.model.Resources.destinationRule;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Istio's own verdicts on DestinationRules, transcribed case by case from istio/istio
 * pkg/config/validation/validation_test.go (TestValidateDestinationRule, TestValidateTrafficPolicy,
 * TestValidateConnectionPool, TestValidateLoadBalancer, TestValidateOutlierDetection) and
 * pkg/config/validation/agent/validation_test.go (TestValidateTLS, TestValidateLocalityLbSetting,
 * TestValidateZoneAwareLbSetting, TestValidateLocalities), each written as the YAML a user would
 * apply. Cases of a sub-validator sit in a minimal rule for host "reviews". Where Istio expects a
 * warning, Wayout must warn too; Wayout may warn more (fields it does not apply).
 */
class IstioDestinationRuleCasesTest {

  private static final String V1V2 =
      "subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]";
  private static final String GOOD_POLICY =
      "loadBalancer: {simple: ROUND_ROBIN}, connectionPool: {tcp: {maxConnections: 7}, http:"
          + " {http2MaxRequests: 11}}, outlierDetection: {minHealthPercent: 20}";
  private static final String BAD_POLICY =
      "loadBalancer: {simple: ROUND_ROBIN}, connectionPool: {}, outlierDetection:"
          + " {minHealthPercent: 20}";

  enum Verdict {
    VALID,
    VALID_WITH_WARNING,
    INVALID
  }

  private static Arguments valid(String name, String spec) {
    return Arguments.of(name, spec, Verdict.VALID);
  }

  private static Arguments warned(String name, String spec) {
    return Arguments.of(name, spec, Verdict.VALID_WITH_WARNING);
  }

  private static Arguments invalid(String name, String spec) {
    return Arguments.of(name, spec, Verdict.INVALID);
  }

  private static String policy(String trafficPolicy) {
    return "{host: reviews, trafficPolicy: {" + trafficPolicy + "}}";
  }

  private static String tls(String tls) {
    return policy("tls: {" + tls + "}");
  }

  private static String pool(String pool) {
    return policy("connectionPool: {" + pool + "}");
  }

  private static String lb(String lb) {
    return policy("loadBalancer: {" + lb + "}");
  }

  private static String outlier(String outlier) {
    return policy("outlierDetection: {" + outlier + "}");
  }

  /** A locality setting with an outlierDetection beside it (Istio's &OutlierDetection{}). */
  private static String locality(String setting, boolean withOutlier) {
    return policy(
        "loadBalancer: {localityLbSetting: {"
            + setting
            + "}}"
            + (withOutlier ? ", outlierDetection: {}" : ""));
  }

  private static String zoneAware(String setting, boolean withOutlier) {
    return policy(
        "loadBalancer: {zoneAwareLbSetting: {"
            + setting
            + "}}"
            + (withOutlier ? ", outlierDetection: {}" : ""));
  }

  static Stream<Arguments> destinationRules() {
    return Stream.of(
        valid("simple destination rule", "{host: reviews, " + V1V2 + "}"),
        warned(
            "simple destination rule with empty selector labels",
            "{host: reviews, " + V1V2 + ", workloadSelector: {}}"),
        invalid("missing destination name", "{host: '', " + V1V2 + "}"),
        invalid(
            "missing subset name",
            "{host: reviews, subsets: [{name: '', labels: {version: v1}}, {name: v2, labels:"
                + " {version: v2}}]}"),
        invalid(
            "duplicate subset names",
            "{host: reviews, subsets: [{name: foo, labels: {version: v1}}, {name: foo, labels:"
                + " {version: v2}}]}"),
        valid(
            "valid traffic policy, top level",
            "{host: reviews, trafficPolicy: {" + GOOD_POLICY + "}, " + V1V2 + "}"),
        invalid(
            "invalid traffic policy, top level",
            "{host: reviews, trafficPolicy: {" + BAD_POLICY + "}, " + V1V2 + "}"),
        valid(
            "valid traffic policy, subset level",
            "{host: reviews, subsets: [{name: v1, labels: {version: v1}, trafficPolicy: {"
                + GOOD_POLICY
                + "}}, {name: v2, labels: {version: v2}}]}"),
        invalid(
            "invalid traffic policy, subset level",
            "{host: reviews, subsets: [{name: v1, labels: {version: v1}, trafficPolicy: {"
                + BAD_POLICY
                + "}}, {name: v2, labels: {version: v2}}]}"),
        valid(
            "valid traffic policy, both levels",
            "{host: reviews, trafficPolicy: {"
                + GOOD_POLICY
                + "}, subsets: [{name: v1, labels: {version: v1}, trafficPolicy: {"
                + GOOD_POLICY.replace("20", "30")
                + "}}, {name: v2, labels: {version: v2}}]}"),
        valid(
            "SIMPLE, CA from caCertificates",
            tls("mode: SIMPLE, caCertificates: test, subjectAltNames: [reviews.default.svc]")),
        valid(
            "SIMPLE, CA from credentialName",
            tls("mode: SIMPLE, credentialName: test, subjectAltNames: [reviews.default.svc]")),
        valid(
            "SIMPLE, insecureSkipVerify false, caCertificates",
            tls(
                "mode: SIMPLE, caCertificates: test, subjectAltNames: [reviews.default.svc],"
                    + " insecureSkipVerify: false")),
        valid(
            "SIMPLE, insecureSkipVerify false, credentialName",
            tls(
                "mode: SIMPLE, credentialName: test, subjectAltNames: [reviews.default.svc],"
                    + " insecureSkipVerify: false")),
        invalid(
            "SIMPLE, insecureSkipVerify true with credentialName",
            tls("mode: SIMPLE, credentialName: test, insecureSkipVerify: true")),
        invalid(
            "SIMPLE, insecureSkipVerify true with caCertificates",
            tls("mode: SIMPLE, caCertificates: test, insecureSkipVerify: true")),
        invalid(
            "SIMPLE, insecureSkipVerify true with subjectAltNames",
            tls("mode: SIMPLE, subjectAltNames: [reviews.default.svc], insecureSkipVerify: true")),
        valid(
            "MUTUAL, caCertificates",
            tls(
                "mode: MUTUAL, caCertificates: test, privateKey: key, clientCertificate: cert,"
                    + " subjectAltNames: [reviews.default.svc]")),
        valid(
            "MUTUAL, credentialName",
            tls("mode: MUTUAL, credentialName: test, subjectAltNames: [reviews.default.svc]")),
        valid(
            "MUTUAL, insecureSkipVerify false, caCertificates",
            tls(
                "mode: MUTUAL, caCertificates: test, privateKey: key, clientCertificate: cert,"
                    + " subjectAltNames: [reviews.default.svc], insecureSkipVerify: false")),
        valid(
            "MUTUAL, insecureSkipVerify false, credentialName",
            tls(
                "mode: MUTUAL, credentialName: test, subjectAltNames: [reviews.default.svc],"
                    + " insecureSkipVerify: false")),
        invalid(
            "MUTUAL, insecureSkipVerify true with caCertificates",
            tls(
                "mode: MUTUAL, caCertificates: test, privateKey: key, clientCertificate: cert,"
                    + " insecureSkipVerify: true")),
        valid(
            "MUTUAL, insecureSkipVerify true with credentialName",
            tls("mode: MUTUAL, credentialName: test, insecureSkipVerify: true")),
        valid(
            "MUTUAL, insecureSkipVerify true without a CA",
            tls(
                "mode: MUTUAL, privateKey: key, clientCertificate: cert, insecureSkipVerify: true")),
        invalid(
            "MUTUAL, insecureSkipVerify true with subjectAltNames",
            tls(
                "mode: MUTUAL, privateKey: key, clientCertificate: cert, subjectAltNames:"
                    + " [reviews.default.svc], insecureSkipVerify: true")));
  }

  static Stream<Arguments> trafficPolicies() {
    return Stream.of(
        valid("valid traffic policy", policy(GOOD_POLICY)),
        invalid("invalid traffic policy, nil entries", policy("")),
        invalid(
            "invalid traffic policy, missing port in port level settings",
            policy("portLevelSettings: [{" + GOOD_POLICY + "}]")),
        invalid("invalid traffic policy, bad connection pool", policy(BAD_POLICY)),
        invalid(
            "invalid traffic policy, bad max connection duration",
            policy(
                "loadBalancer: {simple: ROUND_ROBIN}, connectionPool: {tcp:"
                    + " {maxConnectionDuration: 500ns}}")),
        invalid(
            "invalid traffic policy, panic threshold too low",
            policy(GOOD_POLICY.replace("minHealthPercent: 20", "minHealthPercent: -1"))),
        invalid(
            "invalid traffic policy, both upgrade and use client protocol set",
            pool("http: {h2UpgradePolicy: UPGRADE, useClientProtocol: true}")));
  }

  static Stream<Arguments> connectionPools() {
    return Stream.of(
        valid(
            "valid connection pool, tcp and http",
            pool(
                "tcp: {maxConnections: 7, connectTimeout: 2s}, http: {http1MaxPendingRequests: 2,"
                    + " http2MaxRequests: 11, maxRequestsPerConnection: 5, maxRetries: 4,"
                    + " idleTimeout: 30s, maxConcurrentStreams: 5}")),
        valid(
            "valid connection pool, tcp only",
            pool("tcp: {maxConnections: 7, connectTimeout: 2s}")),
        valid(
            "valid connection pool, http only",
            pool(
                "http: {http1MaxPendingRequests: 2, http2MaxRequests: 11,"
                    + " maxRequestsPerConnection: 5, maxRetries: 4, idleTimeout: 30s,"
                    + " maxConcurrentStreams: 5}")),
        valid(
            "valid connection pool, http only with empty idle timeout",
            pool(
                "http: {http1MaxPendingRequests: 2, http2MaxRequests: 11,"
                    + " maxRequestsPerConnection: 5, maxRetries: 4, maxConcurrentStreams: 5}")),
        valid(
            "valid connection pool, http2 keepalive",
            pool("http: {http2KeepAlive: {interval: 15s, timeout: 5s}}")),
        invalid("invalid connection pool, empty", pool("")),
        invalid("invalid connection pool, bad max connections", pool("tcp: {maxConnections: -1}")),
        invalid(
            "invalid connection pool, bad connect timeout",
            pool("tcp: {connectTimeout: 2.000000005s}")),
        invalid(
            "invalid connection pool, bad max pending requests",
            pool("http: {http1MaxPendingRequests: -1}")),
        invalid("invalid connection pool, bad max requests", pool("http: {http2MaxRequests: -1}")),
        invalid(
            "invalid connection pool, bad max requests per connection",
            pool("http: {maxRequestsPerConnection: -1}")),
        invalid("invalid connection pool, bad max retries", pool("http: {maxRetries: -1}")),
        invalid(
            "invalid connection pool, bad idle timeout",
            pool("http: {idleTimeout: 30.000000005s}")),
        valid("valid connection pool, tcp timeout disabled", pool("tcp: {idleTimeout: 0s}")),
        invalid(
            "invalid connection pool, bad max concurrent streams",
            pool("http: {maxConcurrentStreams: -1}")),
        invalid(
            "invalid connection pool, http2 keepalive without interval",
            pool("http: {http2KeepAlive: {timeout: 5s}}")),
        invalid(
            "invalid connection pool, http2 keepalive without timeout",
            pool("http: {http2KeepAlive: {interval: 15s}}")),
        invalid(
            "invalid connection pool, bad http2 keepalive interval",
            pool("http: {http2KeepAlive: {interval: 15.000000005s, timeout: 5s}}")));
  }

  static Stream<Arguments> loadBalancers() {
    return Stream.of(
        valid("valid load balancer with simple load balancing", lb("simple: ROUND_ROBIN")),
        warned(
            "valid load balancer with consistentHash load balancing",
            lb("consistentHash: {minimumRingSize: 1024, httpCookie: {name: test, ttl: 3600s}}")),
        invalid(
            "invalid load balancer with consistentHash load balancing, missing name",
            lb("consistentHash: {minimumRingSize: 1024, httpCookie: {ttl: 3600s}}")),
        invalid(
            "invalid load balancer with consistentHash load balancing, maglev not prime",
            lb("consistentHash: {maglev: {tableSize: 1000}}")),
        valid(
            "valid load balancer with consistentHash and unique cookie attributes",
            lb(
                "consistentHash: {httpCookie: {name: test-cookie, ttl: 3600s, attributes: [{name:"
                    + " SameSite, value: Strict}, {name: Secure, value: 'true'}, {name: HttpOnly,"
                    + " value: 'true'}]}}")),
        invalid(
            "invalid load balancer with consistentHash and duplicate cookie attribute names",
            lb(
                "consistentHash: {httpCookie: {name: test-cookie, ttl: 3600s, attributes: [{name:"
                    + " SameSite, value: Strict}, {name: SameSite, value: Lax}, {name: Secure,"
                    + " value: 'true'}]}}")),
        invalid(
            "invalid load balancer with consistentHash and empty cookie attribute name",
            lb(
                "consistentHash: {httpCookie: {name: test-cookie, ttl: 3600s, attributes: [{name:"
                    + " SameSite, value: Strict}, {name: '', value: some-value}, {name: Secure,"
                    + " value: 'true'}]}}")),
        invalid(
            "invalid: localityLbSetting and zoneAwareLbSetting both set",
            lb("localityLbSetting: {}, zoneAwareLbSetting: {}")),
        warned(
            "valid: zoneAwareLbSetting only",
            lb("zoneAwareLbSetting: {failover: [{from: us-east, to: eu-west}]}")));
  }

  static Stream<Arguments> outlierDetections() {
    return Stream.of(
        valid(
            "valid outlier detection",
            outlier("interval: 2s, baseEjectionTime: 2s, maxEjectionPercent: 50")),
        invalid("invalid outlier detection, bad interval", outlier("interval: 2.000000005s")),
        invalid(
            "invalid outlier detection, bad base ejection time",
            outlier("baseEjectionTime: 2.000000005s")),
        invalid(
            "invalid outlier detection, bad max ejection percent",
            outlier("maxEjectionPercent: 105")),
        invalid(
            "invalid outlier detection, panic threshold too low", outlier("minHealthPercent: -1")),
        invalid(
            "invalid outlier detection, panic threshold too high",
            outlier("minHealthPercent: 101")),
        warned(
            "deprecated outlier detection, ConsecutiveErrors", outlier("consecutiveErrors: 101")),
        invalid(
            "consecutive local origin errors set but split local origin errors not set",
            outlier("consecutiveLocalOriginFailures: 10")));
  }

  static Stream<Arguments> clientTls() {
    return Stream.of(
        valid(
            "SIMPLE: Credential Name set correctly",
            tls("mode: SIMPLE, credentialName: 'some credential'")),
        invalid(
            "SIMPLE CredentialName set with ClientCertificate specified",
            tls("mode: SIMPLE, credentialName: credential, clientCertificate: cert")),
        invalid(
            "SIMPLE: CredentialName set with PrivateKey specified",
            tls("mode: SIMPLE, credentialName: credential, privateKey: key")),
        invalid(
            "SIMPLE: CredentialName set with CACertficiates specified",
            tls("mode: SIMPLE, credentialName: credential, caCertificates: ca")),
        valid(
            "MUTUAL: Credential Name set correctly",
            tls("mode: MUTUAL, credentialName: 'some credential'")),
        invalid(
            "MUTUAL CredentialName set with ClientCertificate specified",
            tls("mode: MUTUAL, credentialName: credential, clientCertificate: cert")),
        invalid(
            "MUTUAL: CredentialName set with PrivateKey specified",
            tls("mode: MUTUAL, credentialName: credential, privateKey: key")),
        invalid(
            "MUTUAL: CredentialName set with CACertficiates specified",
            tls("mode: MUTUAL, credentialName: credential, caCertificates: ca")),
        invalid(
            "MUTUAL: CredentialName set with CACRL specified",
            tls("mode: MUTUAL, credentialName: credential, caCrl: ca")),
        valid(
            "MUTUAL: CredentialName not set with ClientCertificate and Key specified",
            tls("mode: MUTUAL, clientCertificate: cert, privateKey: key")),
        invalid(
            "MUTUAL: CredentialName not set with ClientCertificate specified and Key missing",
            tls("mode: MUTUAL, clientCertificate: cert, privateKey: ''")),
        invalid(
            "MUTUAL: CredentialName not set with ClientCertificate missing and Key specified",
            tls("mode: MUTUAL, clientCertificate: '', privateKey: key")),
        // configmap:// credentials must stay in the rule's namespace (Resources.NAMESPACE)
        invalid(
            "configmap credential without name",
            tls("mode: SIMPLE, credentialName: 'configmap://ns'")),
        invalid(
            "configmap credential in another namespace",
            tls("mode: SIMPLE, credentialName: 'configmap://other/ca'")),
        warned(
            "configmap credential in the own namespace",
            tls("mode: SIMPLE, credentialName: 'configmap://istio-egress/ca'")));
  }

  static Stream<Arguments> localities() {
    return Stream.of(
        invalid(
            "invalid LocalityLoadBalancerSetting_Distribute total weight > 100",
            locality("distribute: [{from: a/b/c, to: {a/b/c: 80, a/b1: 25}}]", true)),
        invalid(
            "invalid LocalityLoadBalancerSetting_Distribute total weight < 100",
            locality("distribute: [{from: a/b/c, to: {a/b/c: 80, a/b1: 15}}]", true)),
        invalid(
            "invalid LocalityLoadBalancerSetting_Distribute weight = 0",
            locality("distribute: [{from: a/b/c, to: {a/b/c: 0, a/b1: 100}}]", true)),
        invalid(
            "invalid LocalityLoadBalancerSetting specify both distribute and failover",
            locality(
                "distribute: [{from: a/b/c, to: {a/b/c: 80, a/b1: 20}}], failover: [{from:"
                    + " region1, to: region2}]",
                true)),
        invalid(
            "invalid failover src and dst have same region",
            locality("failover: [{from: region1, to: region1}]", true)),
        invalid(
            "invalid failover src contain '*' wildcard",
            locality("failover: [{from: '*', to: region2}]", true)),
        invalid(
            "invalid failover dst contain '*' wildcard",
            locality("failover: [{from: region1, to: '*'}]", true)),
        invalid(
            "invalid failover src contain '/' separator",
            locality("failover: [{from: region1/zone1, to: region2}]", true)),
        invalid(
            "invalid failover dst contain '/' separator",
            locality("failover: [{from: region1, to: region2/zone1}]", true)),
        warned(
            "failover priority provided without outlier detection policy",
            locality(
                "failoverPriority: [topology.istio.io/network, topology.kubernetes.io/region,"
                    + " topology.kubernetes.io/zone, topology.istio.io/subzone]",
                false)),
        warned(
            "failover provided without outlier detection policy",
            locality(
                "failover: [{from: us-east, to: eu-west}, {from: us-west, to: eu-east}]", false)),
        invalid(
            "invalid LocalityLoadBalancerSetting specify both failoverPriority and region in"
                + " failover",
            locality(
                "failover: [{from: region1, to: region2}], failoverPriority:"
                    + " [topology.kubernetes.io/region]",
                true)),
        // TestValidateLocalities, through distribute's from (sources) and to (destinations)
        invalid(
            "multi wildcard locality",
            locality("distribute: [{from: '*/zone/*', to: {a: 100}}]", true)),
        invalid(
            "wildcard not in suffix",
            locality("distribute: [{from: '*/zone', to: {a: 100}}]", true)),
        invalid(
            "explicit wildcard region overlap",
            locality("distribute: [{from: '*', to: {a: 100}}, {from: a/b/c, to: {a: 100}}]", true)),
        invalid(
            "implicit wildcard region overlap",
            locality("distribute: [{from: a, to: {a: 100}}, {from: a/b/c, to: {a: 100}}]", true)),
        invalid(
            "explicit wildcard zone overlap",
            locality(
                "distribute: [{from: 'a/*', to: {a: 100}}, {from: a/b/c, to: {a: 100}}]", true)),
        invalid(
            "implicit wildcard zone overlap",
            locality("distribute: [{from: a/b, to: {a: 100}}, {from: a/b/c, to: {a: 100}}]", true)),
        invalid(
            "explicit wildcard subzone overlap",
            locality(
                "distribute: [{from: 'a/b/*', to: {a: 100}}, {from: a/b/c, to: {a: 100}}]", true)),
        invalid(
            "overlapping destinations",
            locality("distribute: [{from: a, to: {'a/b': 50, a/b/c: 50}}]", true)),
        warned(
            "valid localities",
            locality(
                "distribute: [{from: 'a1/*', to: {a: 100}}, {from: 'a2/*', to: {a: 100}}, {from:"
                    + " a3/b3/c3, to: {a: 100}}, {from: a4/b4, to: {a: 100}}, {from: 'a5/b5/*',"
                    + " to: {a: 100}}]",
                true)));
  }

  static Stream<Arguments> zoneAware() {
    return Stream.of(
        valid("enabled only is valid", zoneAware("enabled: true", true)),
        warned(
            "valid region-level failover",
            zoneAware("failover: [{from: us-east, to: eu-west}]", true)),
        invalid(
            "failover same src and dst region",
            zoneAware("failover: [{from: region1, to: region1}]", true)),
        invalid(
            "failover src has '/' (zone scope) is rejected",
            zoneAware("failover: [{from: region1/zone1, to: region2}]", true)),
        invalid(
            "failover dst has '/' (zone scope) is rejected",
            zoneAware("failover: [{from: region1, to: region2/zone1}]", true)),
        invalid(
            "failover src has '*' wildcard is rejected",
            zoneAware("failover: [{from: '*', to: region2}]", true)),
        invalid(
            "failover dst has '*' wildcard is rejected",
            zoneAware("failover: [{from: region1, to: '*'}]", true)),
        invalid(
            "failover and failoverPriority both set with topology region",
            zoneAware(
                "failover: [{from: region1, to: region2}], failoverPriority:"
                    + " [topology.kubernetes.io/region]",
                true)),
        invalid(
            "failoverPriority with region label is rejected",
            zoneAware("failoverPriority: [topology.kubernetes.io/region]", true)),
        invalid(
            "failoverPriority with zone label is rejected",
            zoneAware("failoverPriority: [topology.kubernetes.io/zone]", true)),
        invalid(
            "failoverPriority with subzone label is rejected",
            zoneAware("failoverPriority: [topology.istio.io/subzone]", true)),
        warned(
            "failoverPriority with non-topology labels is valid",
            zoneAware("failoverPriority: [version, app=ratings]", true)),
        warned(
            "failover without outlier detection warns",
            zoneAware("failover: [{from: us-east, to: eu-west}]", false)),
        warned(
            "failoverPriority without outlier detection warns",
            zoneAware("failoverPriority: [version]", false)));
  }

  /** The CRD schema's rules, which the API server applies before Istio's webhook sees a rule. */
  static Stream<Arguments> schemaRules() {
    return Stream.of(
        invalid(
            "simple and consistentHash together",
            lb("simple: ROUND_ROBIN, consistentHash: {useSourceIp: true}")),
        invalid("an unknown simple policy", lb("simple: FASTEST")),
        invalid("two hash keys", lb("consistentHash: {httpHeaderName: x-user, useSourceIp: true}")),
        invalid(
            "ringHash and maglev together",
            lb("consistentHash: {useSourceIp: true, ringHash: {}, maglev: {tableSize: 65537}}")),
        invalid("an unknown TLS mode", tls("mode: simple")),
        invalid("an unknown h2UpgradePolicy", pool("http: {h2UpgradePolicy: ALWAYS}")),
        invalid("a negative consecutive5xxErrors", outlier("consecutive5xxErrors: -1")),
        invalid("an error code that is no status", outlier("outlierDetectionHttpErrorCodes: [99]")),
        invalid("a warmup without duration", lb("simple: ROUND_ROBIN, warmup: {aggression: 1}")),
        invalid(
            "a warmup minimum over 100",
            lb("simple: ROUND_ROBIN, warmup: {duration: 1s, minimumPercent: 101}")),
        invalid("a tunnel without target port", policy("tunnel: {targetHost: proxy.example.com}")),
        invalid(
            "a tunnel with an unknown protocol",
            policy("tunnel: {protocol: GET, targetHost: proxy.example.com, targetPort: 3128}")),
        warned(
            "a tunnel, which the waypoint does not apply",
            policy("tunnel: {protocol: CONNECT, targetHost: proxy.example.com, targetPort: 3128}")),
        invalid(
            "tunnel and proxyProtocol together",
            policy(
                "tunnel: {targetHost: proxy.example.com, targetPort: 3128}, proxyProtocol:"
                    + " {version: V1}")),
        invalid("an unknown proxyProtocol version", policy("proxyProtocol: {version: V3}")),
        invalid("a retry budget over 100 percent", policy("retryBudget: {percent: 120}")),
        invalid(
            "a port setting with a negative port",
            policy("portLevelSettings: [{port: {number: -1}, tls: {mode: DISABLE}}]")),
        warned(
            "a port setting for a port that cannot exist",
            policy("portLevelSettings: [{port: {number: 70000}, tls: {mode: DISABLE}}]")),
        warned(
            "two port settings for one port",
            policy(
                "portLevelSettings: [{port: {number: 80}, tls: {mode: DISABLE}}, {port: {number:"
                    + " 80}, connectionPool: {tcp: {maxConnections: 1}}}]")),
        valid("a TCP idle timeout under a millisecond", pool("tcp: {idleTimeout: 500us}")),
        invalid(
            "an empty subset trafficPolicy",
            "{host: reviews, subsets: [{name: v1, trafficPolicy: {}}]}"),
        warned(
            "a credentialName that is no Secret name",
            tls("mode: SIMPLE, credentialName: '../certs'")),
        valid(
            "a kubernetes:// credentialName",
            tls("mode: SIMPLE, credentialName: 'kubernetes://api-ca'")),
        warned(
            "certificates with ISTIO_MUTUAL (Istio ignores them)",
            tls("mode: ISTIO_MUTUAL, clientCertificate: /c.pem")),
        valid("a negative deprecated consecutiveErrors", outlier("consecutiveErrors: 0")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({
    "destinationRules",
    "trafficPolicies",
    "connectionPools",
    "loadBalancers",
    "outlierDetections",
    "clientTls",
    "localities",
    "zoneAware",
    "schemaRules"
  })
  void givesIstiosVerdict(String name, String spec, Verdict verdict) {
    Validation v = DestinationRuleValidator.validate(destinationRule(spec));

    switch (verdict) {
      case VALID -> assertThat(v.errors()).as(v.errorMessage()).isEmpty();
      case VALID_WITH_WARNING -> {
        assertThat(v.errors()).as(v.errorMessage()).isEmpty();
        assertThat(v.warnings()).isNotEmpty();
      }
      case INVALID -> assertThat(v.errors()).as("an error for " + name).isNotEmpty();
    }
    for (FieldError e : v.errors()) {
      // every message names a field path under spec, and says what to do
      assertThat(e.path()).startsWith("spec");
      assertThat(e.fix()).as(e.message()).isNotEmpty();
    }
  }
}
