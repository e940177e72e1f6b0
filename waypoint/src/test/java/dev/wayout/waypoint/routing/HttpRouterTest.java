package dev.wayout.waypoint.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.model.IstioDocuments;
import dev.wayout.model.ResourceSet;
import dev.wayout.model.SourceIdentity;
import dev.wayout.waypoint.policy.EgressPolicy;
import dev.wayout.waypoint.policy.EgressPolicyBuilder;
import dev.wayout.waypoint.policy.Listener;
import dev.wayout.waypoint.policy.Route;
import dev.wayout.waypoint.policy.WaypointBinding;
import dev.wayout.waypoint.upstream.TlsContexts;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The router's decisions over plain request data: no socket, one table per case. */
class HttpRouterTest {

  private static final String ENTRIES =
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: api, namespace: shop}
      spec:
        hosts: [api.example.com]
        ports: [{number: 80, name: http, protocol: HTTP}]
        resolution: DNS
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: v2, namespace: shop}
      spec:
        hosts: [api-v2.example.com]
        ports: [{number: 8080, name: http, protocol: HTTP}]
        resolution: DNS
      """;

  private static final String ROUTES =
      """
      - name: by-header
        match:
        - name: canary
          headers: {x-canary: {exact: "yes"}}
        - withoutHeaders: {x-stable: {}}
          uri: {prefix: /beta, }
          ignoreUriCase: true
        route: [{destination: {host: api-v2.example.com}}]
      - name: from-ops
        match: [{sourceNamespace: ops}, {sourceLabels: {team: sre}}]
        route: [{destination: {host: api-v2.example.com, subset: v2}}]
      - name: query
        match: [{queryParams: {debug: {regex: "on|1"}}, method: {exact: GET}}]
        route: [{destination: {host: api.example.com}}]
      - name: regex
        match: [{uri: {regex: "/items/[0-9]+"}}]
        rewrite: {uriRegexRewrite: {match: "^/items/([0-9]+)$", rewrite: "/v2/items/\\\\1"}}
        route: [{destination: {host: nowhere.example.com}}]
      """;

  private static Route route;
  private static HttpRouter router = router();

  private static HttpRouter router() {
    String yaml =
        ENTRIES
            + "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\n"
            + "metadata: {name: api, namespace: shop}\nspec:\n  hosts: [api.example.com]\n"
            + "  http:\n"
            + ROUTES.indent(2);
    ResourceSet set = IstioDocuments.parse(yaml, "t.yaml", "shop");
    assertThat(set.problems()).isEmpty();
    EgressPolicy policy =
        new EgressPolicyBuilder(
                () -> WaypointBinding.everything("waypoint"),
                new TlsContexts(null, null),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1))
            .build(set);
    route = policy.route("api.example.com", 80, Listener.HTTP, null);
    return policy.virtualRoutes().http(route, "shop");
  }

  private record Request(String method, String path, String query, Map<String, String> headers)
      implements HttpRequestView {
    @Override
    public String authority() {
      return "api.example.com";
    }

    @Override
    public String header(CharSequence name) {
      return headers.get(name.toString().toLowerCase(Locale.ROOT));
    }
  }

  private static Request request(String method, String target, String headers) {
    Map<String, String> h = new TreeMap<>();
    if (!headers.isEmpty()) {
      for (String kv : headers.split(";")) {
        String[] p = kv.split("=", 2);
        h.put(p[0], p[1]);
      }
    }
    int q = target.indexOf('?');
    return new Request(
        method, q < 0 ? target : target.substring(0, q), q < 0 ? null : target.substring(q + 1), h);
  }

  @ParameterizedTest(name = "{0} {1} [{2}] from {3} -> {4}")
  @CsvSource(
      delimiter = '|',
      value = {
        "GET | /x | x-canary=yes | - | by-header.canary",
        "GET | /BETA/page | - | - | by-header",
        "GET | /beta/page | x-stable=1 | - | -",
        "POST | /x | - | ops | from-ops",
        "POST | /x | - | shop;team=sre | from-ops",
        "POST | /x | - | shop;team=dev | -",
        "GET | /x?debug=on&a=b | - | - | query",
        "POST | /x?debug=on | - | - | -",
        "GET | /x?debugging=on | - | - | -",
        "GET | /items/42 | - | - | regex",
        "GET | /items/4x2 | - | - | -",
      })
  void picksTheFirstRuleWithAMatchThatHolds(
      String method, String target, String headers, String source, String expected) {
    SourceIdentity identity = SourceIdentity.UNKNOWN;
    if (!source.equals("-")) {
      String[] parts = source.split(";");
      Map<String, String> labels = new TreeMap<>();
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].split("=");
        labels.put(kv[0], kv[1]);
      }
      identity = SourceIdentity.of(parts[0], "default", "app", labels);
    }
    HttpRouter.Selected selected =
        router.select(request(method, target, headers.equals("-") ? "" : headers), 80, identity);

    assertThat(selected == null ? "-" : selected.routeName()).isEqualTo(expected);
  }

  @Test
  void resolvesDestinationsToTheirServiceEntriesPortsAndSubsets() {
    HttpRouter.Selected header =
        router.select(request("GET", "/x", "x-canary=yes"), 80, SourceIdentity.UNKNOWN);
    Target t = header.rule().pick();
    // api-v2 has one port (8080), which Istio picks when the destination names none
    assertThat(t.route().host()).isEqualTo("api-v2.example.com");
    assertThat(t.port()).isEqualTo(8080);
    assertThat(t.host()).isEqualTo("api-v2.example.com");

    Target subset =
        router
            .select(request("GET", "/x", ""), 80, SourceIdentity.of("ops", null, null, Map.of()))
            .rule()
            .pick();
    assertThat(subset.subset()).isEqualTo("v2");

    HttpRouter.Selected regex =
        router.select(request("GET", "/items/42", ""), 80, SourceIdentity.UNKNOWN);
    assertThat(regex.rule().rewritePath("/items/42", regex.matchedPrefix("/items/42")))
        .isEqualTo("/v2/items/42");
    // no ServiceEntry registers nowhere.example.com: the request will answer 503 NC
    assertThat(regex.rule().pick().route()).isNull();
  }

  @Test
  void aVirtualServiceNotExportedToTheClientDoesNotApply() {
    assertThat(router).isNotNull();
    String yaml =
        ENTRIES
            + "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\n"
            + "metadata: {name: api, namespace: shop}\nspec:\n  hosts: [api.example.com]\n"
            + "  exportTo: [\".\"]\n  http: [{route: [{destination: {host: api.example.com}}]}]\n";
    EgressPolicy policy =
        new EgressPolicyBuilder(
                () -> WaypointBinding.everything("waypoint"),
                new TlsContexts(null, null),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1))
            .build(IstioDocuments.parse(yaml, "t.yaml", "shop"));
    Route r = policy.route("api.example.com", 80, Listener.HTTP, null);

    assertThat(policy.virtualRoutes().http(r, "shop")).isNotNull();
    assertThat(policy.virtualRoutes().http(r, "other")).isNull();
  }

  @Test
  void redirectsKeepWhatTheyDoNotChange() {
    Redirect r = new Redirect("https", null, 0, null, null, 301);
    assertThat(r.location("api.example.com:8080", "/a", "b=1", 1))
        .isEqualTo("https://api.example.com/a?b=1");
    Redirect port = new Redirect(null, null, 8443, "/moved", null, 302);
    assertThat(port.location("api.example.com", "/a", null, 1))
        .isEqualTo("http://api.example.com:8443/moved");
  }
}
