package dev.wayout.waypoint.routing;

import dev.wayout.model.SourceIdentity;
import dev.wayout.model.VirtualService.L4Match;
import dev.wayout.waypoint.policy.HostNames;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code tls} ({@code TLSMatchAttributes}) or {@code tcp} ({@code L4MatchAttributes}) match
 * compiled when the snapshot is built, as Istio's matchTLS/matchTCP read it: every condition set
 * must hold. {@code sniHosts} are Envoy's server names (exact, or {@code *.suffix}); the source
 * conditions read the client's pod identity where the waypoint knows it (an unknown client matches
 * neither); a match naming only gateways other than {@code mesh} never holds. {@code
 * destinationSubnets} and {@code sourceSubnet} are not read (the validator warns), as Istio's
 * waypoint does not read them either.
 */
final class ConnectionMatch {

  /** The implicit match of a rule without {@code match}. */
  static final ConnectionMatch ANY = new ConnectionMatch(new String[0], 0, Map.of(), null, true);

  private final String[] sniHosts;
  private final int port;
  private final Map<String, String> sourceLabels;
  private final String sourceNamespace;
  private final boolean mesh;

  private ConnectionMatch(
      String[] sniHosts,
      int port,
      Map<String, String> sourceLabels,
      String sourceNamespace,
      boolean mesh) {
    this.sniHosts = sniHosts;
    this.port = port;
    this.sourceLabels = sourceLabels;
    this.sourceNamespace = sourceNamespace;
    this.mesh = mesh;
  }

  static ConnectionMatch of(L4Match m) {
    String[] sni = new String[m.sniHosts().size()];
    for (int i = 0; i < sni.length; i++) {
      sni[i] = HostNames.normalize(m.sniHosts().get(i).toLowerCase(Locale.ROOT));
    }
    String ns =
        m.sourceNamespace() == null || m.sourceNamespace().isEmpty() ? null : m.sourceNamespace();
    boolean mesh = m.gateways().isEmpty() || m.gateways().contains("mesh");
    return new ConnectionMatch(sni, m.port() == null ? 0 : m.port(), m.sourceLabels(), ns, mesh);
  }

  /**
   * @param sni the name the client asked for (normalised): the ClientHello's SNI on 15443, the
   *     CONNECT host in a tunnel to a TLS port; null for plain TCP, where {@code sniHosts} never
   *     hold
   */
  boolean matches(String sni, int listenerPort, SourceIdentity source) {
    if (!mesh) {
      return false;
    }
    if (port != 0 && port != listenerPort) {
      return false;
    }
    if (sourceNamespace != null && !sourceNamespace.equals(source.namespace())) {
      return false;
    }
    if (!sourceLabels.isEmpty()
        && !source.labels().entrySet().containsAll(sourceLabels.entrySet())) {
      return false;
    }
    if (sniHosts.length == 0) {
      return true;
    }
    if (sni == null) {
      return false;
    }
    for (String s : sniHosts) {
      if (HostNames.matches(s, sni)) {
        return true;
      }
    }
    return false;
  }
}
