package dev.wayout.model;

import static dev.wayout.model.Findings.quote;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Two ServiceEntries that one namespace sees (by exportTo) and that claim the same host and port
 * with different settings: the waypoint could not tell which applies, so the later one is refused,
 * naming both. Part of {@link RegistryValidator}.
 */
final class HostPortConflicts {

  private HostPortConflicts() {}

  /**
   * What a ServiceEntry says about one of its ports; two entries that a namespace sees for the same
   * host and port must agree on it, or the waypoint could not tell which one applies.
   */
  private record PortClaim(
      String protocol,
      int upstreamPort,
      String resolution,
      String location,
      TreeSet<String> endpoints,
      TreeSet<String> addresses) {

    static PortClaim of(ServiceEntry entry, ServicePort port) {
      TreeSet<String> endpoints = new TreeSet<>();
      for (WorkloadEndpoint endpoint : entry.endpoints()) {
        endpoints.add(Objects.toString(endpoint.address(), "") + endpoint.ports());
      }
      return new PortClaim(
          port.protocolName(),
          port.upstreamPort(),
          entry.effectiveResolution(),
          entry.effectiveLocation(),
          endpoints,
          new TreeSet<>(entry.addresses()));
    }

    List<String> differences(PortClaim other) {
      List<String> out = new ArrayList<>();
      differ(out, "protocol", show(protocol), show(other.protocol));
      differ(out, "targetPort", upstreamPort, other.upstreamPort);
      differ(out, "resolution", resolution, other.resolution);
      differ(out, "location", location, other.location);
      differ(out, "endpoints", endpoints, other.endpoints);
      differ(out, "addresses", addresses, other.addresses);
      return out;
    }

    private static String show(String protocol) {
      return protocol.isEmpty() ? "(unset)" : protocol;
    }

    private static void differ(List<String> out, String field, Object mine, Object theirs) {
      if (!mine.equals(theirs)) {
        out.add(field + " " + mine + " here, " + theirs + " there");
      }
    }
  }

  /**
   * An error on {@code entry} for each host and port that one of {@code others} claims otherwise.
   */
  static void check(ServiceEntry entry, List<ServiceEntry> others, Findings f) {
    for (ServiceEntry other : others) {
      Optional<String> shared =
          ExportTo.sharedNamespace(
              entry.exportTo(), entry.namespace(), other.exportTo(), other.namespace());
      if (shared.isEmpty()) {
        continue;
      }
      for (int h = 0; h < entry.hosts().size(); h++) {
        String host = entry.hosts().get(h);
        if (other.hosts().stream().noneMatch(o -> HostNames.same(o, host))) {
          continue;
        }
        for (int p = 0; p < entry.ports().size(); p++) {
          ServicePort port = entry.ports().get(p);
          for (ServicePort theirs : other.ports()) {
            if (theirs.number() != port.number()) {
              continue;
            }
            List<String> differences =
                PortClaim.of(entry, port).differences(PortClaim.of(other, theirs));
            if (!differences.isEmpty()) {
              f.error(
                  "spec.ports[" + p + "]",
                  quote(host)
                      + " port "
                      + port.number()
                      + " is claimed by both ServiceEntry "
                      + entry.ref()
                      + " and ServiceEntry "
                      + other.ref()
                      + " with different settings ("
                      + String.join("; ", differences)
                      + "), and "
                      + shared.get()
                      + " sees both",
                  "make the two agree, merge them into one ServiceEntry, or narrow exportTo so"
                      + " that no namespace sees both");
            }
          }
        }
      }
    }
  }
}
