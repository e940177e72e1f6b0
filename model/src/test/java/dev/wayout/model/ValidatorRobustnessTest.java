package dev.wayout.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The webhook hands the validators whatever a client sent. Thousands of seeded mutations of real
 * objects must each end as a {@link Validation} or an {@link InvalidResourceException} with field
 * paths, never another exception. Reproducible: a failure names its seed and iteration.
 */
class ValidatorRobustnessTest {

  private static final long SEED = 20261127L;
  private static final int ROUNDS = 3_000;
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final String SERVICE_ENTRY =
      "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: a, namespace: n,"
          + " labels: {istio.io/use-waypoint: waypoint}}\nspec: {hosts: [api.example.com,"
          + " '*.example.com'], addresses: [192.0.2.1, '10.0.0.0/8'], location: MESH_EXTERNAL,"
          + " resolution: STATIC, ports: [{number: 80, name: http, protocol: HTTP, targetPort:"
          + " 443}, {number: 443, name: https, protocol: HTTPS}], endpoints: [{address: 192.0.2.1,"
          + " ports: {http: 8080}, labels: {a: b}, network: n1, locality: r/z, weight: 1},"
          + " {address: 'unix:///s.sock'}], workloadSelector: {labels: {app: x}}, exportTo: ['.',"
          + " '*', '~'], subjectAltNames: [a]}\n";

  private static final String DESTINATION_RULE =
      "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r, namespace:"
          + " n}\nspec: {host: api.example.com, exportTo: ['.'], workloadSelector: {matchLabels:"
          + " {app: x}}, trafficPolicy: {connectionPool: {tcp: {maxConnections: 1,"
          + " connectTimeout: 1s, idleTimeout: 0s}, http: {http1MaxPendingRequests: 1,"
          + " http2MaxRequests: 1, maxRequestsPerConnection: 1, maxRetries: 1, idleTimeout: 1ms,"
          + " maxConcurrentStreams: 1}}, loadBalancer: {simple: ROUND_ROBIN, consistentHash:"
          + " {httpCookie: {name: c}, minimumRingSize: 1, maglev: {tableSize: 7}}, warmup:"
          + " {duration: 1s, minimumPercent: 1, aggression: 1}, localityLbSetting: {}}, outlierDetection: {consecutiveErrors: 1,"
          + " consecutive5xxErrors: 1, consecutiveGatewayErrors: 1, interval: 1s,"
          + " baseEjectionTime: 1s, maxEjectionPercent: 1, minHealthPercent: 1}, tls: {mode:"
          + " MUTUAL, clientCertificate: c, privateKey: k, caCertificates: ca, credentialName: cn,"
          + " subjectAltNames: [a], sni: s, insecureSkipVerify: true, caCrl: crl},"
          + " portLevelSettings: [{port: {number: 80}, tls: {mode: SIMPLE}, connectionPool: {tcp:"
          + " {maxConnections: 2}}, loadBalancer: {simple: RANDOM}, outlierDetection: {interval:"
          + " 2s}}]}, subsets: [{name: v1, labels: {v: '1'}, trafficPolicy: {tls: {mode:"
          + " SIMPLE}}}]}\n";

  /** Values that have tripped validators elsewhere: odd types, edges, overflows, syntax. */
  private static final List<JsonNode> NASTY =
      List.of(
          NODES.nullNode(),
          NODES.textNode(""),
          NODES.textNode("*"),
          NODES.textNode("*."),
          NODES.textNode("."),
          NODES.textNode("~"),
          NODES.textNode("::"),
          NODES.textNode(":::"),
          NODES.textNode("1.2.3.4/99"),
          NODES.textNode("/"),
          NODES.textNode("unix://"),
          NODES.textNode("unix://@"),
          NODES.textNode("-1s"),
          NODES.textNode("0s"),
          NODES.textNode("1ns"),
          NODES.textNode("99999999999999999999h9999999999999h"),
          NODES.textNode("1.5ms"),
          NODES.textNode("DYNAMIC_DNS"),
          NODES.textNode("ISTIO_MUTUAL"),
          NODES.textNode("a".repeat(300)),
          NODES.textNode("\u0000\uffff\ud83d\ude00"),
          NODES.numberNode(0),
          NODES.numberNode(-1),
          NODES.numberNode(65536),
          NODES.numberNode(Long.MAX_VALUE),
          NODES.numberNode(1.5),
          NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890")),
          NODES.booleanNode(true),
          NODES.arrayNode(),
          NODES.arrayNode().add("x").add(1),
          NODES.objectNode(),
          NODES.objectNode().put("number", "x"));

  @Test
  void survivesThousandsOfMutatedServiceEntriesAndDestinationRules() throws Exception {
    Random random = new Random(SEED);
    JsonNode entry = YAML.readTree(SERVICE_ENTRY);
    JsonNode rule = YAML.readTree(DESTINATION_RULE);
    List<ServiceEntry> entries = new ArrayList<>();
    List<DestinationRule> rules = new ArrayList<>();
    int refused = 0;
    for (int round = 0; round < ROUNDS; round++) {
      String where = "seed " + SEED + ", round " + round;
      JsonNode mutatedEntry = mutate(entry, random);
      JsonNode mutatedRule = mutate(rule, random);
      try {
        ServiceEntry e = ServiceEntry.from(mutatedEntry);
        assertWellFormed(ServiceEntryValidator.validate(e), where);
        entries.add(e);
      } catch (InvalidResourceException e) {
        assertThat(e.errors()).as(where).isNotEmpty();
        refused++;
      } catch (RuntimeException e) {
        throw new AssertionError(where + ": " + mutatedEntry, e);
      }
      try {
        DestinationRule r = DestinationRule.from(mutatedRule);
        assertWellFormed(DestinationRuleValidator.validate(r), where);
        rules.add(r);
      } catch (InvalidResourceException e) {
        assertThat(e.errors()).as(where).isNotEmpty();
        refused++;
      } catch (RuntimeException e) {
        throw new AssertionError(where + ": " + mutatedRule, e);
      }
    }
    // nearly all mutants share one host, the worst case for cross-object checks: a sample will do
    List<ServiceEntry> someEntries = entries.subList(0, Math.min(entries.size(), 300));
    List<DestinationRule> someRules = rules.subList(0, Math.min(rules.size(), 300));
    RegistryValidator.RegistryValidation all =
        RegistryValidator.validateAll(new Registry(someEntries, someRules));

    assertThat(all.serviceEntries()).hasSameSizeAs(someEntries);
    assertThat(all.destinationRules()).hasSameSizeAs(someRules);
    // the mutations must exercise both outcomes, or the test proves little
    assertThat(refused).isBetween(ROUNDS / 10, 2 * ROUNDS - ROUNDS / 10);
  }

  private static void assertWellFormed(Validation v, String where) {
    for (FieldError e : v.errors()) {
      assertThat(e.path()).as(where).matches("(spec|metadata)[.\\w\\[\\]/\\-*~]*");
      assertThat(e.problem()).as(where).isNotBlank();
    }
  }

  /** One to three random changes: replace a value, drop a field, or duplicate a list item. */
  private static JsonNode mutate(JsonNode original, Random random) {
    JsonNode copy = original.deepCopy();
    int changes = 1 + random.nextInt(3);
    for (int i = 0; i < changes; i++) {
      List<JsonNode> containers = new ArrayList<>();
      collect(copy, containers);
      JsonNode container = containers.get(random.nextInt(containers.size()));
      if (container instanceof ObjectNode object && object.size() > 0) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        String name = names.get(random.nextInt(names.size()));
        if (random.nextInt(5) == 0) {
          object.remove(name);
        } else {
          object.set(name, NASTY.get(random.nextInt(NASTY.size())).deepCopy());
        }
      } else if (container instanceof ArrayNode array && array.size() > 0) {
        int index = random.nextInt(array.size());
        if (random.nextBoolean()) {
          array.add(array.get(index).deepCopy());
        } else {
          array.set(index, NASTY.get(random.nextInt(NASTY.size())).deepCopy());
        }
      }
    }
    return copy;
  }

  private static void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      node.elements().forEachRemaining(child -> collect(child, out));
    }
  }
}
