package dev.wayout.model;

import static dev.wayout.model.Findings.quote;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks that need more than one object: two ServiceEntries claiming the same host and port with
 * different settings, a port sent to 443 without TLS origination, a DestinationRule for a host no
 * ServiceEntry registers. The webhook calls it with its informer caches, {@code wayout validate}
 * with every file it read. Pure.
 */
public final class RegistryValidator {

  /** The port that plain text must never be sent to: TLS servers answer it with an alert. */
  private static final int HTTPS_PORT = 443;

  private RegistryValidator() {}

  /** The entry's own validation plus the cross-object checks against {@code registry}. */
  public static Validation validate(ServiceEntry entry, Registry registry) {
    return ServiceEntryValidator.validate(entry).plus(check(entry, registry));
  }

  /** The rule's own validation plus the cross-object checks against {@code registry}. */
  public static Validation validate(DestinationRule rule, Registry registry) {
    return DestinationRuleValidator.validate(rule).plus(check(rule, registry));
  }

  /**
   * Only the cross-object checks for a ServiceEntry. The registry may hold an older version of the
   * entry itself (an UPDATE); objects with the entry's namespace and name are skipped.
   */
  public static Validation check(ServiceEntry entry, Registry registry) {
    Findings f = new Findings();
    HostPortConflicts.check(entry, sharingAHost(entry, registry.serviceEntries()), f);
    warnPlainTextTo443(entry, registry.destinationRules(), f);
    return f.toValidation();
  }

  /** Only the cross-object checks for a DestinationRule. */
  public static Validation check(DestinationRule rule, Registry registry) {
    Findings f = new Findings();
    checkRegisteredHost(rule, registry.serviceEntries(), f);
    return f.toValidation();
  }

  /**
   * Validates every object of a set against the rest, as {@code wayout validate} does: a conflict
   * (an error) or a second definition of one object (a warning) is reported once, on the later of
   * the two objects.
   */
  public static RegistryValidation validateAll(Registry registry) {
    List<Validation> entries = new ArrayList<>();
    // earlier entries by host, so that a large repository is not compared pair by pair
    Map<String, List<ServiceEntry>> earlierByHost = new HashMap<>();
    Set<ObjectRef> seen = new HashSet<>();
    for (ServiceEntry entry : registry.serviceEntries()) {
      Findings f = new Findings();
      f.add(ServiceEntryValidator.validate(entry));
      duplicate(entry.ref(), seen, f);
      // identity, not record equality: hashing whole records would cost more than comparing
      Set<ServiceEntry> seenCandidates = Collections.newSetFromMap(new IdentityHashMap<>());
      List<ServiceEntry> candidates = new ArrayList<>();
      for (String host : entry.hosts()) {
        for (ServiceEntry earlier : earlierByHost.getOrDefault(HostNames.normal(host), List.of())) {
          if (seenCandidates.add(earlier) && !earlier.ref().equals(entry.ref())) {
            candidates.add(earlier);
          }
        }
      }
      HostPortConflicts.check(entry, candidates, f);
      warnPlainTextTo443(entry, registry.destinationRules(), f);
      entries.add(f.toValidation());
      for (String host : entry.hosts()) {
        earlierByHost.computeIfAbsent(HostNames.normal(host), h -> new ArrayList<>()).add(entry);
      }
    }
    List<Validation> rules = new ArrayList<>();
    Set<ObjectRef> seenRules = new HashSet<>();
    for (DestinationRule rule : registry.destinationRules()) {
      Findings f = new Findings();
      f.add(DestinationRuleValidator.validate(rule));
      duplicate(rule.ref(), seenRules, f);
      checkRegisteredHost(rule, registry.serviceEntries(), f);
      rules.add(f.toValidation());
    }
    return new RegistryValidation(entries, rules);
  }

  /** Validations aligned by index with the registry's ServiceEntries and DestinationRules. */
  public record RegistryValidation(
      List<Validation> serviceEntries, List<Validation> destinationRules) {

    public RegistryValidation {
      serviceEntries = List.copyOf(serviceEntries);
      destinationRules = List.copyOf(destinationRules);
    }
  }

  private static void duplicate(ObjectRef ref, Set<ObjectRef> seen, Findings f) {
    // legal (kubectl applies both, the later wins) but rarely meant, except for staged examples
    if (!seen.add(ref)) {
      f.warn(
          "metadata.name",
          quote(ref.toString())
              + " is defined more than once; applied together, this later definition replaces the"
              + " earlier",
          "keep one definition, or rename one of them");
    }
  }

  /**
   * Other objects (not the entry's own, older version) that name one of its hosts. Plain loops: the
   * webhook runs this against every ServiceEntry in its cache on each review.
   */
  private static List<ServiceEntry> sharingAHost(ServiceEntry entry, List<ServiceEntry> entries) {
    List<ServiceEntry> out = new ArrayList<>();
    for (ServiceEntry other : entries) {
      if (other.namespace().equals(entry.namespace())
          && Objects.equals(other.name(), entry.name())) {
        continue;
      }
      if (sharesAHost(entry, other)) {
        out.add(other);
      }
    }
    return out;
  }

  private static boolean sharesAHost(ServiceEntry a, ServiceEntry b) {
    for (String mine : a.hosts()) {
      for (String theirs : b.hosts()) {
        if (HostNames.same(mine, theirs)) {
          return true;
        }
      }
    }
    return false;
  }

  // ---- plain text to 443

  private static void warnPlainTextTo443(
      ServiceEntry entry, List<DestinationRule> rules, Findings f) {
    for (int p = 0; p < entry.ports().size(); p++) {
      ServicePort port = entry.ports().get(p);
      if (port.isTls() || port.upstreamPort() != HTTPS_PORT || port.number() == HTTPS_PORT) {
        continue;
      }
      List<String> plain = new ArrayList<>();
      for (String host : entry.hosts()) {
        boolean originates =
            ruleFor(host, entry.namespace(), rules)
                .flatMap(rule -> rule.trafficPolicy().tlsFor(port.number()))
                .map(ClientTls::originatesTls)
                .orElse(false);
        if (!originates) {
          plain.add(host);
        }
      }
      if (!plain.isEmpty()) {
        f.warn(
            "spec.ports[" + p + "].targetPort",
            "port "
                + port.number()
                + " is sent to "
                + HTTPS_PORT
                + " but no DestinationRule"
                + " originates TLS for "
                + String.join(", ", plain.stream().map(Findings::quote).toList())
                + ", so plain text would reach a TLS server",
            "add a DestinationRule for the host with portLevelSettings [{port: {number: "
                + port.number()
                + "}, tls: {mode: SIMPLE}}]");
      }
    }
  }

  /**
   * The DestinationRule Istio would apply to {@code host} for clients in {@code namespace}: an
   * exact host beats a wildcard, a rule in the namespace itself beats one exported to it.
   */
  static Optional<DestinationRule> ruleFor(
      String host, String namespace, List<DestinationRule> rules) {
    return rules.stream()
        .filter(r -> HostNames.covers(r.host(), host))
        .filter(r -> r.workloadSelector() == null)
        .filter(r -> ExportTo.visibleTo(r, namespace))
        .min(
            Comparator.comparing(
                    (DestinationRule r) ->
                        !HostNames.normal(r.host()).equals(HostNames.normal(host)))
                .thenComparing(r -> !r.namespace().equals(namespace))
                .thenComparing(r -> r.host().length(), Comparator.reverseOrder()));
  }

  // ---- a DestinationRule and the ServiceEntries it is for

  private static void checkRegisteredHost(
      DestinationRule rule, List<ServiceEntry> entries, Findings f) {
    if (rule.host().isEmpty() || isClusterLocal(rule.host())) {
      return;
    }
    List<ServiceEntry> registering =
        entries.stream()
            .filter(e -> ExportTo.visibleTo(e, rule.namespace()))
            .filter(e -> e.hosts().stream().anyMatch(h -> HostNames.overlap(h, rule.host())))
            .toList();
    if (registering.isEmpty()) {
      f.warn(
          "spec.host",
          quote(rule.host())
              + " is registered by no ServiceEntry visible to namespace "
              + quote(rule.namespace())
              + ", so the waypoint never uses this rule",
          "create a ServiceEntry for " + quote(rule.host()) + " or correct the host");
      return;
    }
    Map<Integer, ServicePort> ports = new HashMap<>();
    registering.forEach(e -> e.ports().forEach(p -> ports.putIfAbsent(p.number(), p)));
    warnPortLevel(rule, registering, ports, f);
    warnDoubleTls(rule, ports, f);
  }

  private static void warnPortLevel(
      DestinationRule rule,
      List<ServiceEntry> registering,
      Map<Integer, ServicePort> ports,
      Findings f) {
    List<PortTrafficPolicy> settings = rule.trafficPolicy().portLevelSettings();
    for (int i = 0; i < settings.size(); i++) {
      Integer number = settings.get(i).port();
      if (number != null && !ports.containsKey(number)) {
        f.warn(
            "spec.trafficPolicy.portLevelSettings[" + i + "].port.number",
            number
                + " is not a port of ServiceEntry "
                + String.join(", ", registering.stream().map(e -> e.ref().toString()).toList()),
            "use one of the ports " + new TreeSet<>(ports.keySet()));
      }
    }
  }

  /** TLS origination on a port that already carries TLS would wrap the client's TLS again. */
  private static void warnDoubleTls(
      DestinationRule rule, Map<Integer, ServicePort> ports, Findings f) {
    for (ServicePort port :
        ports.values().stream().sorted(Comparator.comparingInt(ServicePort::number)).toList()) {
      if (!port.isTls()) {
        continue;
      }
      boolean originates =
          rule.trafficPolicy().tlsFor(port.number()).map(ClientTls::originatesTls).orElse(false);
      if (originates) {
        f.warn(
            tlsPath(rule, port.number()),
            "originates TLS on port "
                + port.number()
                + ", which is declared "
                + port.protocolName()
                + ": the client's TLS would be wrapped in a second TLS"
                + " session",
            "originate TLS only on plain HTTP ports (e.g. portLevelSettings for port 80), or set"
                + " tls.mode: DISABLE for port "
                + port.number());
      }
    }
  }

  private static String tlsPath(DestinationRule rule, int port) {
    List<PortTrafficPolicy> settings = rule.trafficPolicy().portLevelSettings();
    for (int i = 0; i < settings.size(); i++) {
      if (settings.get(i).port() != null
          && settings.get(i).port() == port
          && settings.get(i).tls() != null) {
        return "spec.trafficPolicy.portLevelSettings[" + i + "].tls.mode";
      }
    }
    return "spec.trafficPolicy.tls.mode";
  }

  /** In-cluster Services need no ServiceEntry; a rule for them is not an egress concern. */
  private static boolean isClusterLocal(String host) {
    String h = HostNames.normal(host);
    return !h.contains(".") || h.endsWith(".svc") || h.endsWith(".cluster.local");
  }
}
