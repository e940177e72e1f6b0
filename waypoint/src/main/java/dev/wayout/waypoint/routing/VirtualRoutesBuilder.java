package dev.wayout.waypoint.routing;

import dev.wayout.model.HttpRoute;
import dev.wayout.model.IstioHosts;
import dev.wayout.model.Re2;
import dev.wayout.model.VirtualService;
import dev.wayout.model.VirtualService.Destination;
import dev.wayout.waypoint.policy.EgressPolicy;
import dev.wayout.waypoint.policy.Listener;
import dev.wayout.waypoint.policy.Route;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles the VirtualServices bound to the waypoint (already validated) against the snapshot's
 * ServiceEntry routes: regexes compiled, destinations resolved to their routes, percentages turned
 * into shares. Runs off the event loop when a snapshot is built.
 */
public final class VirtualRoutesBuilder {

  private static final Logger LOG = LoggerFactory.getLogger(VirtualRoutesBuilder.class);

  private VirtualRoutesBuilder() {}

  public static VirtualRoutes build(List<VirtualService> services, EgressPolicy table) {
    if (services.isEmpty()) {
      return VirtualRoutes.NONE;
    }
    List<VirtualService> sorted = new ArrayList<>(services);
    sorted.sort(
        Comparator.comparing(VirtualService::namespace).thenComparing(VirtualService::name));
    List<Route> routes = new ArrayList<>();
    table.exact().values().forEach(routes::addAll);
    routes.addAll(table.wildcards());
    IdentityHashMap<Route, List<VirtualRoutes.Candidate>> byRoute = new IdentityHashMap<>();
    IdentityHashMap<Route, List<VirtualRoutes.ConnectionCandidate>> byTunnel =
        new IdentityHashMap<>();
    int applied = 0;
    for (VirtualService vs : sorted) {
      if (!vs.appliesToMesh() || vs.hosts().isEmpty()) {
        continue;
      }
      boolean used = false;
      boolean l4 = !vs.tls().isEmpty() || !vs.tcp().isEmpty();
      for (Route route : routes) {
        // A host another waypoint serves is routed by that waypoint's VirtualServices.
        if (route.toPeer() || !covers(vs, route.host())) {
          continue;
        }
        if (!vs.http().isEmpty() && Listener.HTTP.accepts(route.port())) {
          HttpRouter router = router(vs, route, table);
          byRoute
              .computeIfAbsent(route, r -> new ArrayList<>())
              .add(new VirtualRoutes.Candidate(router, vs.exportTo(), vs.namespace()));
          used = true;
        }
        if (l4 && Listener.TUNNEL.accepts(route.port())) {
          VirtualRoutes.ConnectionCandidate c = connections(vs, route, table);
          if (c.tls().length > 0 || c.tcp().length > 0) {
            byTunnel.computeIfAbsent(route, r -> new ArrayList<>()).add(c);
            used = true;
          }
        }
      }
      if (used) {
        applied++;
      } else {
        LOG.info(
            "VirtualService {}: none of its hosts {} is a registered host of this waypoint"
                + " that its routes apply to",
            vs.ref(),
            vs.hosts());
      }
    }
    IdentityHashMap<Route, VirtualRoutes.Candidate[]> http = new IdentityHashMap<>();
    byRoute.forEach((r, c) -> http.put(r, c.toArray(new VirtualRoutes.Candidate[0])));
    IdentityHashMap<Route, VirtualRoutes.ConnectionCandidate[]> tunnels = new IdentityHashMap<>();
    byTunnel.forEach((r, c) -> tunnels.put(r, c.toArray(new VirtualRoutes.ConnectionCandidate[0])));
    return new VirtualRoutes(http, tunnels, applied);
  }

  /**
   * The tls routes (on TLS ports only: plain TCP carries no SNI) and tcp routes of a VirtualService
   * for one tunnelled host and port; a route whose destinations all drop out (Istio skips a route
   * without destinations) is left out.
   */
  static VirtualRoutes.ConnectionCandidate connections(
      VirtualService vs, Route route, EgressPolicy table) {
    String ref = vs.namespace() + "/" + vs.name();
    List<ConnectionRule> tls = new ArrayList<>();
    if (route.port().isTls()) {
      for (int i = 0; i < vs.tls().size(); i++) {
        VirtualService.TlsRoute t = vs.tls().get(i);
        ConnectionRule rule =
            connectionRule(ref + ".tls[" + i + "]", t.match(), t.route(), route, table);
        if (rule != null) {
          tls.add(rule);
        }
      }
    }
    List<ConnectionRule> tcp = new ArrayList<>();
    for (int i = 0; i < vs.tcp().size(); i++) {
      VirtualService.TcpRoute t = vs.tcp().get(i);
      ConnectionRule rule =
          connectionRule(ref + ".tcp[" + i + "]", t.match(), t.route(), route, table);
      if (rule != null) {
        tcp.add(rule);
      }
    }
    return new VirtualRoutes.ConnectionCandidate(
        tls.toArray(new ConnectionRule[0]),
        tcp.toArray(new ConnectionRule[0]),
        vs.exportTo(),
        vs.namespace());
  }

  private static ConnectionRule connectionRule(
      String name,
      List<VirtualService.L4Match> match,
      List<VirtualService.RouteDestination> destinations,
      Route route,
      EgressPolicy table) {
    List<ConnectionMatch> matches = new ArrayList<>();
    if (match.isEmpty()) {
      matches.add(ConnectionMatch.ANY);
    }
    for (VirtualService.L4Match m : match) {
      matches.add(ConnectionMatch.of(m));
    }
    List<Target> targets = new ArrayList<>();
    int total = 0;
    for (VirtualService.RouteDestination d : destinations) {
      int weight = d.weight() == null ? 0 : d.weight();
      if (d.destination() == null || (destinations.size() > 1 && weight == 0)) {
        continue; // Istio's waypoint weighs only destinations with a weight above 0
      }
      targets.add(
          target(
              d.destination(), null, weight, route, route.port().number(), table, Listener.TUNNEL));
      total += weight;
    }
    if (targets.isEmpty()) {
      return null;
    }
    return new ConnectionRule(
        name,
        matches.toArray(new ConnectionMatch[0]),
        targets.toArray(new Target[0]),
        Math.max(total, 1));
  }

  private static boolean covers(VirtualService vs, String host) {
    for (String h : vs.hosts()) {
      if (IstioHosts.subsetOf(host, h.toLowerCase(java.util.Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  static HttpRouter router(VirtualService vs, Route route, EgressPolicy table) {
    List<HttpRule> rules = new ArrayList<>();
    int port = route.port().number();
    for (HttpRoute http : vs.http()) {
      rules.add(rule(http, route, port, table));
    }
    return new HttpRouter(vs.namespace() + "/" + vs.name(), rules);
  }

  private static HttpRule rule(HttpRoute h, Route route, int port, EgressPolicy table) {
    String name = h.name() == null ? "" : h.name();
    List<RequestMatch> matches = new ArrayList<>();
    List<String> names = new ArrayList<>();
    if (h.match().isEmpty()) {
      matches.add(RequestMatch.ANY);
      names.add(name);
    }
    for (HttpRoute.Match m : h.match()) {
      matches.add(RequestMatch.of(m));
      names.add(m.name() == null || m.name().isEmpty() ? name : name + "." + m.name());
    }
    List<Target> targets = new ArrayList<>();
    int total = 0;
    if (h.delegate() == null) {
      for (HttpRoute.Weighted w : h.route()) {
        int weight = w.weight() == null ? 0 : w.weight();
        if (h.route().size() > 1 && weight == 0) {
          continue; // Istio leaves weight-0 destinations out of the weighted clusters
        }
        targets.add(
            target(w.destination(), w.headers(), weight, route, port, table, Listener.HTTP));
        total += weight;
      }
    }
    HttpRoute.HeaderOperations req = h.headers() == null ? null : h.headers().request();
    String authority = HeaderOps.authority(req);
    if (h.rewrite() != null
        && h.rewrite().authority() != null
        && !h.rewrite().authority().isEmpty()) {
      authority = h.rewrite().authority();
    }
    String prefixRewrite = null;
    Pattern regex = null;
    String replacement = null;
    if (h.rewrite() != null) {
      if (h.rewrite().uriRegexRewrite() != null) {
        regex = Re2.compile(h.rewrite().uriRegexRewrite().match(), false);
        replacement = replacement(h.rewrite().uriRegexRewrite().rewrite());
      } else if (h.rewrite().uri() != null && !h.rewrite().uri().isEmpty()) {
        prefixRewrite = h.rewrite().uri();
      }
    }
    List<Mirror> mirrors = new ArrayList<>();
    if (h.mirror() != null) {
      int share = mirrorShare(h);
      if (share > 0) {
        mirrors.add(
            new Mirror(target(h.mirror(), null, 0, route, port, table, Listener.HTTP), share));
      }
    }
    for (HttpRoute.Mirror m : h.mirrors()) {
      int share = m.percentage() == null ? 1_000_000 : Fault.perMillion(m.percentage());
      if (share > 0 && m.destination() != null) {
        mirrors.add(
            new Mirror(target(m.destination(), null, 0, route, port, table, Listener.HTTP), share));
      }
    }
    byte[] body = null;
    int status = 0;
    if (h.directResponse() != null && h.redirect() == null) {
      status = h.directResponse().status();
      body =
          h.directResponse().bodyBytes() != null
              ? h.directResponse().bodyBytes()
              : h.directResponse().bodyString() == null
                  ? null
                  : h.directResponse().bodyString().getBytes(StandardCharsets.UTF_8);
    }
    return new HttpRule(
        name,
        List.copyOf(matches),
        List.copyOf(names),
        targets.toArray(new Target[0]),
        Math.max(total, 1),
        HeaderOps.of(req),
        HeaderOps.of(h.headers() == null ? null : h.headers().response()),
        authority,
        prefixRewrite,
        regex,
        replacement,
        h.timeout(),
        RetryPolicy.of(h.retries()),
        Fault.of(h.fault()),
        List.copyOf(mirrors),
        Cors.of(h.corsPolicy()),
        h.redirect() == null ? null : Redirect.of(h.redirect(), port),
        status,
        body);
  }

  /** Istio's MirrorPercent: mirrorPercentage, else the deprecated mirrorPercent, else 100%. */
  private static int mirrorShare(HttpRoute h) {
    if (h.mirrorPercentage() != null) {
      return Fault.perMillion(h.mirrorPercentage());
    }
    if (h.mirrorPercent() != null) {
      return Math.min(100, h.mirrorPercent()) * 10_000;
    }
    return 1_000_000;
  }

  /** RE2's \1 group references in the JDK's $1 form; a literal $ escaped. */
  static String replacement(String rewrite) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < rewrite.length(); i++) {
      char c = rewrite.charAt(i);
      if (c == '\\' && i + 1 < rewrite.length() && Character.isDigit(rewrite.charAt(i + 1))) {
        out.append('$').append(rewrite.charAt(++i));
      } else if (c == '\\' && i + 1 < rewrite.length()) {
        out.append("\\\\");
      } else if (c == '$') {
        out.append("\\$");
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * A destination resolved to the route of its host and port: the port given, else the host's only
   * port, else the request's port, as Istio picks it (GetDestinationCluster).
   */
  private static Target target(
      Destination d,
      HttpRoute.Headers headers,
      int weight,
      Route from,
      int listenerPort,
      EgressPolicy table,
      Listener listener) {
    String host = d.host().toLowerCase(java.util.Locale.ROOT);
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    int port = d.port() != null ? d.port() : listenerPort;
    Route to = lookup(table, host, port, listener);
    if (to == null && d.port() == null) {
      Route any = anyPort(table, host);
      if (any != null && any.entry().ports().size() == 1) {
        port = any.entry().ports().get(0).number();
        to = lookup(table, host, port, listener);
      }
    }
    String subset = d.subset() == null ? "" : d.subset();
    HttpRoute.HeaderOperations req = headers == null ? null : headers.request();
    HttpRoute.HeaderOperations resp = headers == null ? null : headers.response();
    // The request's own host (and a wildcard host, which names no one) is dialled by the name
    // the client asked for.
    boolean same = to == from || (to != null && to.host().startsWith("*"));
    return new Target(
        to,
        same ? null : host,
        subset,
        port,
        weight,
        HeaderOps.of(req),
        HeaderOps.of(resp),
        HeaderOps.authority(req),
        host + ":" + port + (subset.isEmpty() ? "" : " subset " + subset));
  }

  private static Route lookup(EgressPolicy table, String host, int port, Listener listener) {
    Route r = table.route(host, port, listener, null);
    if (r == null && host.startsWith("*")) {
      for (Route w : table.wildcards()) {
        if (w.host().equals(host) && w.port().number() == port && listener.accepts(w.port())) {
          return w;
        }
      }
    }
    return r;
  }

  private static Route anyPort(EgressPolicy table, String host) {
    List<Route> exact = table.exact().get(host);
    if (exact != null && !exact.isEmpty()) {
      return exact.get(0);
    }
    for (Route w : table.wildcards()) {
      if (w.host().equals(host) || IstioHosts.subsetOf(host, w.host())) {
        return w;
      }
    }
    return null;
  }
}
