package dev.wayout.model;

import static dev.wayout.model.Resources.destinationRule;
import static dev.wayout.model.Resources.seedDestinationRule;
import static dev.wayout.model.Resources.seedServiceEntry;
import static dev.wayout.model.Resources.serviceEntry;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RegistryValidatorTest {

  private static final String PLAIN_TO_443 = "spec.ports[0].targetPort";

  private final ServiceEntry step5 = seedServiceEntry("step5-serviceentry.yaml");
  private final DestinationRule originateTls = seedDestinationRule("step5-destinationrule.yaml");

  @Test
  void warnsWhenPort80IsSentTo443WithoutTlsOrigination() {
    Validation v = RegistryValidator.validate(step5, Registry.EMPTY);

    assertThat(v.errors()).isEmpty();
    assertThat(v.warnings())
        .filteredOn(w -> w.path().equals(PLAIN_TO_443))
        .singleElement()
        .extracting(FieldError::message)
        .isEqualTo(
            "spec.ports[0].targetPort: port 80 is sent to 443 but no DestinationRule originates"
                + " TLS for \"aliyun.com\", so plain text would reach a TLS server; add a"
                + " DestinationRule for the host with portLevelSettings [{port: {number: 80}, tls:"
                + " {mode: SIMPLE}}]");
  }

  @Test
  void theSeedsDestinationRuleSettlesThePort80Warning() {
    Validation v =
        RegistryValidator.validate(step5, new Registry(List.of(), List.of(originateTls)));

    assertThat(v.errors()).isEmpty();
    assertThat(v.warnings()).noneMatch(w -> w.path().equals(PLAIN_TO_443));
  }

  @Test
  void theSeedsStep5ValidatesCleanlyAsASet() {
    RegistryValidator.RegistryValidation all =
        RegistryValidator.validateAll(new Registry(List.of(step5), List.of(originateTls)));

    assertThat(all.serviceEntries())
        .singleElement()
        .satisfies(v -> assertThat(v.errors()).isEmpty());
    assertThat(all.serviceEntries().get(0).warnings())
        .noneMatch(w -> w.path().equals(PLAIN_TO_443));
    assertThat(all.destinationRules())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.errors()).isEmpty();
              assertThat(v.warnings()).noneMatch(w -> w.path().equals("spec.host"));
            });
  }

  static Stream<Arguments> rulesThatDoNotOriginateTls() {
    return Stream.of(
        Arguments.of(
            "TLS on another port",
            destinationRule(
                "{host: aliyun.com, trafficPolicy: {portLevelSettings: [{port: {number: 8080},"
                    + " tls: {mode: SIMPLE}}]}}")),
        Arguments.of(
            "DISABLE for port 80",
            destinationRule(
                "{host: aliyun.com, trafficPolicy: {tls: {mode: SIMPLE}, portLevelSettings:"
                    + " [{port: {number: 80}, tls: {mode: DISABLE}}]}}")),
        Arguments.of(
            "a rule in another namespace that is not exported here",
            destinationRule(
                "shop",
                "aliyun",
                "{host: aliyun.com, exportTo: ['.'], trafficPolicy: {tls: {mode: SIMPLE}}}")),
        Arguments.of(
            "a rule for another host",
            destinationRule("{host: example.com, trafficPolicy: {tls: {mode: SIMPLE}}}")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rulesThatDoNotOriginateTls")
  void stillWarnsWhenTheRuleDoesNotOriginateTlsOnThatPort(String name, DestinationRule rule) {
    Validation v = RegistryValidator.check(step5, new Registry(List.of(), List.of(rule)));

    assertThat(v.warnings()).anyMatch(w -> w.path().equals(PLAIN_TO_443));
  }

  @Test
  void hostWideTlsFromAWildcardRuleCountsAsOrigination() {
    DestinationRule wildcard =
        destinationRule("shared", "all", "{host: '*.com', trafficPolicy: {tls: {mode: SIMPLE}}}");

    Validation v = RegistryValidator.check(step5, new Registry(List.of(), List.of(wildcard)));

    assertThat(v.warnings()).noneMatch(w -> w.path().equals(PLAIN_TO_443));
  }

  @Test
  void warnsAboutARuleForAHostNoServiceEntryRegisters() {
    Validation v = RegistryValidator.validate(originateTls, Registry.EMPTY);

    assertThat(v.errors()).isEmpty();
    assertThat(v.warnings())
        .filteredOn(w -> w.path().equals("spec.host"))
        .singleElement()
        .extracting(FieldError::message)
        .isEqualTo(
            "spec.host: \"aliyun.com\" is registered by no ServiceEntry visible to namespace"
                + " \"istio-egress\", so the waypoint never uses this rule; create a ServiceEntry"
                + " for \"aliyun.com\" or correct the host");
  }

  @Test
  void aServiceEntryHiddenFromTheRulesNamespaceDoesNotCount() {
    ServiceEntry hidden =
        serviceEntry(
            "elsewhere",
            "aliyun",
            "{hosts: [aliyun.com], exportTo: ['.'], ports: [{number: 80, name: http, protocol:"
                + " HTTP}]}");

    Validation v = RegistryValidator.check(originateTls, new Registry(List.of(hidden), List.of()));

    assertThat(v.warnings()).anyMatch(w -> w.path().equals("spec.host"));
  }

  @Test
  void aRuleForAnInClusterServiceIsNoEgressConcern() {
    Validation v =
        RegistryValidator.check(
            destinationRule("{host: reviews.shop.svc.cluster.local}"), Registry.EMPTY);

    assertThat(v.warnings()).isEmpty();
  }

  @Test
  void warnsAboutPortSettingsForAPortTheServiceEntryLacks() {
    DestinationRule rule =
        destinationRule(
            "{host: aliyun.com, trafficPolicy: {portLevelSettings: [{port: {number: 8080}, tls:"
                + " {mode: SIMPLE, caCertificates: /ca.pem}}]}}");

    Validation v = RegistryValidator.check(rule, new Registry(List.of(step5), List.of()));

    assertThat(v.warningMessages())
        .containsExactly(
            "spec.trafficPolicy.portLevelSettings[0].port.number: 8080 is not a port of"
                + " ServiceEntry istio-egress/external-svc-aliyun; use one of the ports [80, 443]");
  }

  @Test
  void warnsAboutTlsOriginationOnAPortThatAlreadyCarriesTls() {
    DestinationRule rule =
        destinationRule(
            "{host: aliyun.com, trafficPolicy: {tls: {mode: SIMPLE, caCertificates: /ca.pem}}}");

    Validation v = RegistryValidator.check(rule, new Registry(List.of(step5), List.of()));

    assertThat(v.warnings())
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.path()).isEqualTo("spec.trafficPolicy.tls.mode");
              assertThat(w.problem())
                  .isEqualTo(
                      "originates TLS on port 443, which is declared HTTPS: the client's TLS would"
                          + " be wrapped in a second TLS session");
            });
  }

  // ---- two ServiceEntries claiming one host and port

  private static final String HTTP_80 = "ports: [{number: 80, name: http, protocol: HTTP}]";

  @Test
  void refusesTwoEntriesClaimingOneHostAndPortDifferently() {
    ServiceEntry first =
        serviceEntry(
            "istio-egress",
            "api-a",
            "{hosts: [api.example.com], resolution: DNS, " + HTTP_80 + "}");
    ServiceEntry second =
        serviceEntry(
            "shop",
            "api-b",
            "{hosts: [api.example.com], resolution: DNS, ports: [{number: 80, name: web, protocol:"
                + " HTTP, targetPort: 443}]}");

    Validation v = RegistryValidator.check(second, new Registry(List.of(first), List.of()));

    assertThat(v.errors())
        .singleElement()
        .extracting(FieldError::message)
        .isEqualTo(
            "spec.ports[0]: \"api.example.com\" port 80 is claimed by both ServiceEntry"
                + " shop/api-b and ServiceEntry istio-egress/api-a with different settings"
                + " (targetPort 443 here, 80 there), and every namespace sees both; make the two"
                + " agree, merge them into one ServiceEntry, or narrow exportTo so that no"
                + " namespace sees both");
  }

  static Stream<Arguments> entriesThatDoNotConflict() {
    String mine = "{hosts: [api.example.com], resolution: DNS, exportTo: ['.'], " + HTTP_80 + "}";
    return Stream.of(
        Arguments.of(
            "each visible only in its own namespace",
            serviceEntry("shop", "api", mine),
            serviceEntry(
                "billing", "api", "{hosts: [api.example.com], exportTo: ['.'], " + HTTP_80 + "}")),
        Arguments.of(
            "the same settings twice",
            serviceEntry("shop", "api", mine),
            serviceEntry("shop", "api-copy", mine)),
        Arguments.of(
            "another port of the same host",
            serviceEntry("shop", "api", mine),
            serviceEntry(
                "shop",
                "api-tls",
                "{hosts: [api.example.com], resolution: DNS, ports: [{number: 443, name: tls,"
                    + " protocol: TLS}]}")),
        Arguments.of(
            "the older version of the entry itself (an update)",
            serviceEntry("shop", "api", mine),
            serviceEntry("shop", "api", "{hosts: [api.example.com], " + HTTP_80 + "}")),
        Arguments.of(
            "an entry visible to no one",
            serviceEntry("shop", "api", mine),
            serviceEntry(
                "shop", "hidden", "{hosts: [api.example.com], exportTo: ['~'], " + HTTP_80 + "}")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entriesThatDoNotConflict")
  void acceptsEntriesThatDoNotConflict(String name, ServiceEntry entry, ServiceEntry other) {
    Validation v = RegistryValidator.check(entry, new Registry(List.of(other), List.of()));

    assertThat(v.errors()).isEmpty();
  }

  @Test
  void namesTheNamespaceThatSeesBoth() {
    ServiceEntry a =
        serviceEntry(
            "team-a", "api", "{hosts: [api.example.com], exportTo: ['.', shop], " + HTTP_80 + "}");
    ServiceEntry b =
        serviceEntry(
            "team-b",
            "api",
            "{hosts: [api.example.com], exportTo: [shop], ports: [{number: 80, name: http,"
                + " protocol: HTTP2}]}");

    Validation v = RegistryValidator.check(b, new Registry(List.of(a), List.of()));

    assertThat(v.errorMessage())
        .contains("(protocol HTTP2 here, HTTP there), and namespace shop sees both");
  }

  @Test
  void aSetReportsAConflictOrADuplicateOnceOnTheLaterObject() {
    ServiceEntry a = serviceEntry("ns", "a", "{hosts: [api.example.com], " + HTTP_80 + "}");
    ServiceEntry b =
        serviceEntry(
            "ns",
            "b",
            "{hosts: [api.example.com], ports: [{number: 80, name: http, protocol: TCP}]}");
    ServiceEntry aAgain = serviceEntry("ns", "a", "{hosts: [api.example.com], " + HTTP_80 + "}");

    RegistryValidator.RegistryValidation all =
        RegistryValidator.validateAll(new Registry(List.of(a, b, aAgain), List.of()));

    assertThat(all.serviceEntries().get(0).errors()).isEmpty();
    assertThat(all.serviceEntries().get(1).errorMessage())
        .contains("claimed by both ServiceEntry ns/b and ServiceEntry ns/a");
    assertThat(all.serviceEntries().get(2).warningMessages())
        .containsExactly(
            "metadata.name: \"ns/a\" is defined more than once; applied together, this later"
                + " definition replaces the earlier; keep one definition, or rename one of them");
    assertThat(all.serviceEntries().get(2).errors())
        .extracting(FieldError::message)
        .containsExactly(
            "spec.ports[0]: \"api.example.com\" port 80 is claimed by both ServiceEntry ns/a and"
                + " ServiceEntry ns/b with different settings (protocol HTTP here, TCP there), and"
                + " every namespace sees both; make the two agree, merge them into one"
                + " ServiceEntry, or narrow exportTo so that no namespace sees both");
  }
}
