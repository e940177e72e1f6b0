package dev.wayout.model;

import dev.wayout.model.HttpRoute.Match;
import dev.wayout.model.VirtualService.L4Match;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Istio's warnings about routes no request can reach (analyzeUnreachableHTTPRules and its TCP/TLS
 * twins): a route after one without matches, a match that repeats an earlier one, and a prefix
 * match that an earlier, shorter prefix with the same other conditions already takes.
 */
final class UnreachableRoutes {

  private UnreachableRoutes() {}

  static void check(VirtualService vs, Findings f) {
    http(vs.http(), f);
    l4(vs.tcp().stream().map(VirtualService.TcpRoute::match).toList(), "spec.tcp", f);
    l4(vs.tls().stream().map(VirtualService.TlsRoute::match).toList(), "spec.tls", f);
  }

  private static String routeName(HttpRoute route, int n) {
    return route.name() != null && !route.name().isEmpty() ? "\"" + route.name() + "\"" : "#" + n;
  }

  private static String matchName(Match m, int n) {
    return m.name() != null && !m.name().isEmpty() ? "\"" + m.name() + "\"" : "#" + n;
  }

  /** A match without its name, for comparing what it matches. */
  private static Match unnamed(Match m) {
    return new Match(
        null,
        m.uri(),
        m.scheme(),
        m.method(),
        m.authority(),
        m.headers(),
        m.withoutHeaders(),
        m.queryParams(),
        m.port(),
        m.sourceLabels(),
        m.sourceNamespace(),
        m.gateways(),
        m.ignoreUriCase(),
        m.statPrefix());
  }

  private record Prefixed(
      String route,
      String match,
      String prefix,
      Integer port,
      String method,
      String authority,
      Map<String, String> headers,
      Map<String, String> queryParams,
      Map<String, String> withoutHeaders) {}

  private static void http(List<HttpRoute> routes, Findings f) {
    Map<Match, Integer> seen = new HashMap<>();
    int empty = -1;
    List<Prefixed> prefixed = new ArrayList<>();
    for (int n = 0; n < routes.size(); n++) {
      HttpRoute route = routes.get(n);
      String path = "spec.http[" + n + "]";
      if (route.match().isEmpty()) {
        if (empty >= 0) {
          unused(path, routeName(route, n), "only the last rule can have no matches", f);
        }
        empty = n;
        continue;
      }
      int duplicates = 0;
      for (int m = 0; m < route.match().size(); m++) {
        Match match = route.match().get(m);
        if (empty >= 0) {
          unused(path, routeName(route, n), "route without matches defined before", f);
          continue;
        }
        Integer dup = seen.get(unnamed(match));
        if (dup != null) {
          ineffective(
              path, routeName(route, n), matchName(match, m), routeName(routes.get(dup), dup), f);
          duplicates++;
          continue;
        }
        seen.put(unnamed(match), n);
        if (match.uri() != null
            && match.uri().prefix() != null
            && !match.uri().prefix().isEmpty()
            && match.uri().exact() == null
            && match.uri().regex() == null) {
          prefixed.add(
              new Prefixed(
                  routeName(route, n) + "@" + n,
                  matchName(match, m),
                  match.uri().prefix(),
                  match.port(),
                  orDefault(exactOrPrefix(match.method()), "exact:GET"),
                  exactOrPrefix(match.authority()),
                  flatten(match.headers()),
                  flatten(match.queryParams()),
                  flatten(match.withoutHeaders())));
        }
      }
      if (duplicates == route.match().size()) {
        unused(path, routeName(route, n), "all matches used by prior rules", f);
      }
    }
    for (int a = 0; a < prefixed.size(); a++) {
      for (int b = a + 1; b < prefixed.size(); b++) {
        Prefixed pa = prefixed.get(a);
        Prefixed pb = prefixed.get(b);
        if (pb.prefix().equals(pa.prefix()) || !covered(pa, pb)) {
          continue;
        }
        String routeB = pb.route().substring(0, pb.route().lastIndexOf('@'));
        String routeA = pa.route().substring(0, pa.route().lastIndexOf('@'));
        int indexB = Integer.parseInt(pb.route().substring(pb.route().lastIndexOf('@') + 1));
        ineffective(
            "spec.http[" + indexB + "]",
            routeB,
            pb.match() + " of prefix " + pb.prefix(),
            pa.match() + " of prefix " + pa.prefix() + " on " + routeA,
            f);
      }
    }
  }

  private static String orDefault(String v, String d) {
    return v.isEmpty() ? d : v;
  }

  private static String exactOrPrefix(StringMatch sm) {
    if (sm == null) {
      return "";
    }
    if (sm.exact() != null && !sm.exact().isEmpty()) {
      return "exact:" + sm.exact();
    }
    if (sm.prefix() != null && !sm.prefix().isEmpty()) {
      return "prefix:" + sm.prefix();
    }
    return "";
  }

  private static Map<String, String> flatten(Map<String, StringMatch> matches) {
    Map<String, String> out = new HashMap<>();
    matches.forEach((k, v) -> out.put(k, exactOrPrefix(v)));
    return out;
  }

  /** Istio's coveredValidation: does {@code a} (earlier) take every request {@code b} would? */
  private static boolean covered(Prefixed a, Prefixed b) {
    if (!b.prefix().startsWith(a.prefix())) {
      return false;
    }
    if (!Objects.equals(nz(b.port()), nz(a.port()))) {
      return false;
    }
    if (!a.method().equals(b.method()) && !a.method().startsWith(b.method())) {
      return false;
    }
    if (!a.authority().equals(b.authority()) && !a.authority().startsWith(b.authority())) {
      return false;
    }
    return mapCovered(a.headers(), b.headers())
        && mapCovered(a.queryParams(), b.queryParams())
        && mapCovered(a.withoutHeaders(), b.withoutHeaders());
  }

  private static int nz(Integer v) {
    return v == null ? 0 : v;
  }

  private static boolean mapCovered(Map<String, String> a, Map<String, String> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (Map.Entry<String, String> e : a.entrySet()) {
      String other = b.get(e.getKey());
      if (other == null) {
        return false;
      }
      if (!e.getValue().equals(other) && !e.getValue().startsWith(other)) {
        return false;
      }
    }
    return true;
  }

  private static void l4(List<List<L4Match>> routes, String prefix, Findings f) {
    Map<L4Match, Integer> seen = new HashMap<>();
    int empty = -1;
    for (int n = 0; n < routes.size(); n++) {
      List<L4Match> matches = routes.get(n);
      String path = prefix + "[" + n + "]";
      if (matches.isEmpty()) {
        if (empty >= 0) {
          unused(path, "#" + n, "only the last rule can have no matches", f);
        }
        empty = n;
        continue;
      }
      int duplicates = 0;
      for (int m = 0; m < matches.size(); m++) {
        if (empty >= 0) {
          unused(path, "#" + n, "route without matches defined before", f);
          continue;
        }
        Integer dup = seen.get(matches.get(m));
        if (dup != null) {
          ineffective(path, "#" + n, "#" + m, "#" + dup, f);
          duplicates++;
        } else {
          seen.put(matches.get(m), n);
        }
      }
      if (duplicates == matches.size()) {
        unused(path, "#" + n, "all matches used by prior rules", f);
      }
    }
  }

  private static void unused(String path, String rule, String reason, Findings f) {
    f.warn(
        path, "virtualService rule " + rule + " not used (" + reason + ")", "reorder or remove it");
  }

  private static void ineffective(String path, String rule, String match, String dup, Findings f) {
    f.warn(
        path,
        "virtualService rule "
            + rule
            + " match "
            + match
            + " is not used (duplicate/overlapping match in rule "
            + dup
            + ")",
        "remove the match, or make it differ from the earlier one");
  }
}
