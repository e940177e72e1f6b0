package dev.wayout.model;

import static dev.wayout.model.Findings.quote;

import dev.wayout.model.HttpRoute.Cors;
import dev.wayout.model.HttpRoute.DirectResponse;
import dev.wayout.model.HttpRoute.Fault;
import dev.wayout.model.HttpRoute.HeaderOperations;
import dev.wayout.model.HttpRoute.Headers;
import dev.wayout.model.HttpRoute.Match;
import dev.wayout.model.HttpRoute.Mirror;
import dev.wayout.model.HttpRoute.Redirect;
import dev.wayout.model.HttpRoute.Retry;
import dev.wayout.model.HttpRoute.Rewrite;
import dev.wayout.model.HttpRoute.Weighted;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Istio's rules for one {@code http} route of a VirtualService (pkg/config/validation
 * virtualservice.go and validation.go: validateHTTPRoute and what it calls), plus warnings where
 * Wayout's waypoint accepts a field but does not apply it.
 */
final class HttpRouteValidator {

  private static final Set<String> CORS_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*");
  static final Set<String> RETRY_ON =
      Set.of(
          "5xx",
          "gateway-error",
          "reset",
          "reset-before-request",
          "connect-failure",
          "retriable-4xx",
          "refused-stream",
          "retriable-status-codes",
          "retriable-headers",
          "envoy-ratelimited",
          "http3-post-connect-failure",
          "cancelled",
          "deadline-exceeded",
          "internal",
          "resource-exhausted",
          "unavailable");

  /** Status codes Go's net/http knows (http.StatusText), which retryOn may list. */
  private static final Set<Integer> KNOWN_STATUSES =
      Set.of(
          100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303,
          304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413,
          414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502,
          503, 504, 505, 506, 507, 508, 510, 511);

  private static final int KB = 1024;

  private HttpRouteValidator() {}

  /**
   * @param delegate the route is in a delegate VirtualService (one without hosts)
   */
  static void check(HttpRoute http, String p, boolean delegate, Findings f) {
    conflicts(http, p, delegate, f);
    matches(http, p, f);
    headers(http.headers(), p + ".headers", f);
    cors(http.corsPolicy(), p + ".corsPolicy", f);
    fault(http.fault(), p + ".fault", f);
    if (http.mirrorPercent() != null) {
      if (http.mirrorPercent() > 100) {
        f.error(
            p + ".mirrorPercent",
            http.mirrorPercent() + " is more than 100",
            "use a percentage from 0 to 100");
      }
      f.warn(
          p + ".mirrorPercent",
          "is deprecated",
          "use mirrorPercentage: {value: " + http.mirrorPercent() + "} instead");
    }
    if (http.mirrorPercentage() != null) {
      percentRange(http.mirrorPercentage(), p + ".mirrorPercentage.value", f);
    }
    if (http.mirror() != null) {
      VirtualServiceValidator.destination(http.mirror(), p + ".mirror", f);
    }
    for (int i = 0; i < http.mirrors().size(); i++) {
      Mirror m = http.mirrors().get(i);
      String mp = p + ".mirrors[" + i + "]";
      if (m.destination() == null) {
        f.error(mp + ".destination", "is missing", "name the host to copy requests to");
        continue;
      }
      VirtualServiceValidator.destination(m.destination(), mp + ".destination", f);
      if (m.percentage() != null) {
        percentRange(m.percentage(), mp + ".percentage.value", f);
      }
    }
    redirect(http, p + ".redirect", f);
    directResponse(http.directResponse(), p + ".directResponse", f);
    retries(http.retries(), p + ".retries", f);
    rewrite(http.rewrite(), p + ".rewrite", f);
    authorityRewrite(http, p, f);
    destinations(http, p + ".route", f);
    if (http.timeout() != null) {
      duration(http.timeout(), p + ".timeout", f);
    }
  }

  private static void conflicts(HttpRoute http, String p, boolean delegate, Findings f) {
    boolean root = !delegate && http.delegate() != null;
    if (root) {
      if (http.redirect() != null) {
        f.error(p + ".redirect", "a route with delegate cannot redirect", "remove redirect");
      }
      if (!http.route().isEmpty()) {
        f.error(
            p + ".route",
            "a route with delegate cannot also route",
            "remove route; the delegate VirtualService routes");
      }
      return;
    }
    if (delegate && http.delegate() != null) {
      f.error(
          p + ".delegate",
          "a delegate VirtualService (one without hosts) cannot delegate again",
          "route here, or remove delegate");
    }
    if (http.redirect() != null) {
      String why = "a route that redirects cannot also ";
      if (!http.route().isEmpty()) {
        f.error(p + ".route", why + "route", "keep either redirect or route");
      }
      if (http.fault() != null) {
        f.error(p + ".fault", why + "inject faults", "remove fault");
      }
      if (http.rewrite() != null) {
        f.error(p + ".rewrite", why + "rewrite", "remove rewrite");
      }
      if (http.directResponse() != null) {
        f.error(p + ".directResponse", why + "answer directly", "keep only one of them");
      }
    } else if (http.directResponse() != null) {
      String why = "a route with directResponse cannot also ";
      if (!http.route().isEmpty()) {
        f.error(p + ".route", why + "route", "keep either directResponse or route");
      }
      if (http.fault() != null) {
        f.error(p + ".fault", why + "inject faults", "remove fault");
      }
      if (http.rewrite() != null) {
        f.error(p + ".rewrite", why + "rewrite", "remove rewrite");
      }
    } else if (http.route().isEmpty()) {
      f.error(
          p,
          "has none of route, redirect and directResponse",
          "add route: [{destination: {host: ...}}], a redirect or a directResponse");
    }
    if (http.mirror() != null && !http.mirrors().isEmpty()) {
      f.error(p + ".mirror", "cannot be used together with mirrors", "list it in mirrors instead");
    }
  }

  private static void matches(HttpRoute http, String p, Findings f) {
    for (int i = 0; i < http.match().size(); i++) {
      Match m = http.match().get(i);
      String mp = p + ".match[" + i + "]";
      for (Map.Entry<String, StringMatch> h : m.headers().entrySet()) {
        String hp = mp + ".headers." + h.getKey();
        if (h.getValue() == VirtualServiceReader.NULL_MATCH) {
          f.error(hp, "is null", "write {exact: ...}, {prefix: ...} or {regex: ...}");
          continue;
        }
        headerMatchName(h.getKey(), hp, f);
        stringMatch(h.getValue(), hp, f);
      }
      for (Map.Entry<String, StringMatch> h : m.withoutHeaders().entrySet()) {
        String hp = mp + ".withoutHeaders." + h.getKey();
        headerMatchName(h.getKey(), hp, f);
        StringMatch sm = h.getValue();
        if (sm != VirtualServiceReader.NULL_MATCH && !"*".equals(sm.regex())) {
          stringMatch(sm, hp, f);
        }
      }
      if (m.uri() != null) {
        regexMatch(m.uri(), mp + ".uri", f); // an empty uri prefix is allowed
      }
      stringMatch(m.scheme(), mp + ".scheme", f);
      stringMatch(m.method(), mp + ".method", f);
      stringMatch(m.authority(), mp + ".authority", f);
      for (Map.Entry<String, StringMatch> q : m.queryParams().entrySet()) {
        StringMatch sm = q.getValue() == VirtualServiceReader.NULL_MATCH ? null : q.getValue();
        stringMatch(sm, mp + ".queryParams." + q.getKey(), f);
      }
    }
    for (int i = 0; i < http.match().size(); i++) {
      Match m = http.match().get(i);
      String mp = p + ".match[" + i + "]";
      if (m.port() != null && m.port() != 0) {
        VirtualServiceValidator.port(m.port(), mp + ".port", f);
      }
      KubeLabels.check(m.sourceLabels(), mp + ".sourceLabels", f);
      VirtualServiceValidator.gatewayNames(m.gateways(), mp + ".gateways", f);
      if (m.sourceNamespace() != null
          && !m.sourceNamespace().isEmpty()
          && !HostNames.isDnsLabel(m.sourceNamespace())) {
        f.error(
            mp + ".sourceNamespace",
            quote(m.sourceNamespace()) + " is not a namespace name",
            "use a namespace name such as \"shop\"");
      }
      if (m.scheme() != null) {
        f.warn(
            mp + ".scheme",
            "is accepted but not applied by Wayout's waypoint",
            "requests reach it as plain http; remove the condition");
      }
      if (!m.gateways().isEmpty()) {
        f.warn(mp + ".gateways", "is ignored by Wayout's waypoint", "remove it");
      }
    }
  }

  private static void headerMatchName(String name, String path, Findings f) {
    String problem = HeaderRules.matchNameProblem(name);
    if (problem != null) {
      f.error(path, problem, "use a header name of letters, digits and !#$%&'*+-.^_`|~");
    }
  }

  /** Istio's validateStringMatch: a prefix must not be empty, a regex must compile. */
  private static void stringMatch(StringMatch sm, String path, Findings f) {
    if (sm == null) {
      return;
    }
    if (sm.prefix() != null && sm.regex() == null && sm.exact() == null && sm.prefix().isEmpty()) {
      f.error(path + ".prefix", "is empty", "give a prefix, or remove the condition");
      return;
    }
    regexMatch(sm, path, f);
  }

  private static void regexMatch(StringMatch sm, String path, Findings f) {
    if (sm == null || sm.regex() == null || sm.exact() != null || sm.prefix() != null) {
      return;
    }
    regex(sm.regex(), path + ".regex", f);
  }

  static void regex(String re, String path, Findings f) {
    if (re.isEmpty()) {
      f.error(path, "is empty", "give a regular expression, or remove the condition");
      return;
    }
    String problem = Re2.problem(re);
    if (problem != null) {
      f.error(path, quote(re) + " " + problem, "fix the expression");
    }
  }

  static void headers(Headers headers, String p, Findings f) {
    if (headers == null) {
      return;
    }
    HeaderOperations req = headers.request();
    if (req != null) {
      for (Map.Entry<String, String> e : req.add().entrySet()) {
        setRequest(e, p + ".request.add", f);
      }
      for (Map.Entry<String, String> e : req.set().entrySet()) {
        setRequest(e, p + ".request.set", f);
      }
      for (int i = 0; i < req.remove().size(); i++) {
        operationName(req.remove().get(i), p + ".request.remove[" + i + "]", f);
      }
    }
    HeaderOperations resp = headers.response();
    if (resp != null) {
      for (Map.Entry<String, String> e : resp.add().entrySet()) {
        operationName(e.getKey(), p + ".response.add." + e.getKey(), f);
        value(e.getValue(), p + ".response.add." + e.getKey(), f);
      }
      for (Map.Entry<String, String> e : resp.set().entrySet()) {
        operationName(e.getKey(), p + ".response.set." + e.getKey(), f);
        value(e.getValue(), p + ".response.set." + e.getKey(), f);
      }
      for (int i = 0; i < resp.remove().size(); i++) {
        operationName(resp.remove().get(i), p + ".response.remove[" + i + "]", f);
      }
    }
  }

  private static void setRequest(Map.Entry<String, String> e, String p, Findings f) {
    String path = p + "." + e.getKey();
    String problem = HeaderRules.setRequestNameProblem(e.getKey());
    if (problem != null) {
      f.error(path, problem, "name a regular header (or :authority/host for the authority)");
    }
    value(e.getValue(), path, f);
  }

  private static void operationName(String name, String path, Findings f) {
    String problem = HeaderRules.operationNameProblem(name);
    if (problem != null) {
      f.error(path, problem, "name a regular header; change the authority with rewrite.authority");
    }
  }

  private static void value(String value, String path, Findings f) {
    String problem = HeaderRules.valueProblem(value);
    if (problem != null) {
      f.error(path, problem, "write %% for a literal percent, or a %VARIABLE% Envoy knows");
    } else if (value.replace("%%", "").indexOf('%') >= 0) {
      f.warn(
          path,
          quote(value) + " uses an Envoy %VARIABLE%, which Wayout's waypoint sends as written",
          "use a literal value");
    }
  }

  private static void cors(Cors cors, String p, Findings f) {
    if (cors == null) {
      return;
    }
    if (cors.allowOrigins() != null) {
      for (int i = 0; i < cors.allowOrigins().size(); i++) {
        StringMatch o = cors.allowOrigins().get(i);
        String op = p + ".allowOrigins[" + i + "]";
        String value = o.exact() != null ? o.exact() : o.prefix() != null ? o.prefix() : o.regex();
        if (value == null || value.isEmpty()) {
          f.error(op, "matches no origin", "write {exact: \"https://example.com\"} or a prefix");
          continue;
        }
        regexMatch(o, op, f);
      }
    }
    for (int i = 0; i < cors.allowMethods().size(); i++) {
      String m = cors.allowMethods().get(i);
      if (!CORS_METHODS.contains(m)) {
        f.error(
            p + ".allowMethods[" + i + "]",
            quote(m) + " is not a supported HTTP method",
            "use GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS, TRACE or \"*\" (upper case)");
      }
    }
    corsNames(cors.allowHeaders(), p + ".allowHeaders", f);
    corsNames(cors.exposeHeaders(), p + ".exposeHeaders", f);
    if (cors.maxAge() != null) {
      duration(cors.maxAge(), p + ".maxAge", f);
      if (cors.maxAge().getNano() > 0) {
        f.error(p + ".maxAge", "is precise only to whole seconds", "use a number of seconds");
      }
    }
    if (cors.allowOrigin() != null && cors.allowOrigins() == null) {
      f.warn(p + ".allowOrigin", "is deprecated", "use allowOrigins: [{exact: ...}] instead");
    }
  }

  private static void corsNames(java.util.List<String> names, String p, Findings f) {
    for (int i = 0; i < names.size(); i++) {
      String problem = HeaderRules.corsNameProblem(names.get(i));
      if (problem != null) {
        f.error(p + "[" + i + "]", problem, "use a header name, or \"*\"");
      }
    }
  }

  private static void fault(Fault fault, String p, Findings f) {
    if (fault == null) {
      return;
    }
    if (fault.abort() == null && fault.delay() == null) {
      f.error(p, "has neither abort nor delay", "add abort: {httpStatus: 503, percentage: ...}");
    }
    if (fault.abort() != null) {
      var a = fault.abort();
      if (a.percentage() != null) {
        percentage(a.percentage(), p + ".abort.percentage.value", f);
      }
      if (a.grpcStatus() != null) {
        if (!GrpcStatus.NAMES.contains(a.grpcStatus())) {
          f.error(
              p + ".abort.grpcStatus",
              quote(a.grpcStatus()) + " is not a gRPC status",
              "use a name such as \"UNAVAILABLE\" or \"NOT_FOUND\"");
        } else {
          f.warn(
              p + ".abort.grpcStatus",
              "is answered by Wayout's waypoint as HTTP 200 with grpc-status, over HTTP/1.1",
              "use httpStatus for HTTP/1.1 clients");
        }
      } else if (a.http2Error() != null) {
        f.error(
            p + ".abort.http2Error",
            "HTTP/2 abort fault injection is not supported by Istio",
            "use httpStatus");
      } else if (a.httpStatus() != null) {
        httpStatus(a.httpStatus(), p + ".abort.httpStatus", f);
      } else {
        f.warn(p + ".abort", "sets no error type", "add httpStatus, e.g. 503");
      }
    }
    if (fault.delay() != null) {
      var d = fault.delay();
      if (d.percentage() != null) {
        percentage(d.percentage(), p + ".delay.percentage.value", f);
      }
      if (d.fixedDelay() != null) {
        duration(d.fixedDelay(), p + ".delay.fixedDelay", f);
      } else if (d.exponentialDelay() != null) {
        duration(d.exponentialDelay(), p + ".delay.exponentialDelay", f);
        f.error(
            p + ".delay.exponentialDelay", "is not supported by Istio", "use fixedDelay instead");
      }
      if (d.percent() != null && d.percentage() == null) {
        f.warn(p + ".delay.percent", "is deprecated", "use percentage: {value: ...} instead");
      }
    }
  }

  private static void percentage(double value, String path, Findings f) {
    if (value < 0 || value > 100 || (value > 0 && value < 0.0001)) {
      f.error(
          path, value + " is neither 0 nor from 0.0001 to 100", "use a percentage from 0 to 100");
    }
  }

  private static void percentRange(double value, String path, Findings f) {
    if (value > 100) {
      f.error(path, value + " is more than 100", "use a percentage from 0 to 100");
    }
    if (value < 0) {
      f.error(path, value + " is negative", "use a percentage from 0 to 100");
    }
  }

  private static void httpStatus(int status, String path, Findings f) {
    if (status < 200 || status > 600) {
      f.error(path, status + " is not an HTTP status from 200 to 599", "use e.g. 503");
    }
  }

  private static void redirect(HttpRoute http, String p, Findings f) {
    Redirect r = http.redirect();
    if (r == null) {
      return;
    }
    // Istio reports only the first problem of a redirect.
    boolean uri = r.uri() != null && !r.uri().isEmpty();
    boolean prefix = r.prefixRewrite() != null && !r.prefixRewrite().isEmpty();
    if (uri && prefix) {
      f.error(p, "sets both uri and prefixRewrite", "keep only one of them");
      return;
    }
    if (prefix) {
      for (Match m : http.match()) {
        if (m.uri() != null && (m.uri().prefix() == null || m.uri().kinds() != 1)) {
          f.error(
              p + ".prefixRewrite",
              "needs every uri match of the route to be a prefix match",
              "match the uri by prefix, or redirect to a whole uri");
          return;
        }
      }
    }
    boolean authority = r.authority() != null && !r.authority().isEmpty();
    boolean scheme = r.scheme() != null && !r.scheme().isEmpty();
    if (!uri && !prefix && !authority && r.port() == null && r.derivePort() == null && !scheme) {
      f.error(p, "changes nothing", "set uri, prefixRewrite, authority, scheme or port");
      return;
    }
    int code = r.redirectCode() == null ? 0 : r.redirectCode();
    if (code != 0 && (code < 300 || code > 399)) {
      f.error(p + ".redirectCode", code + " is not a 3xx code", "use 301, 302, 303, 307 or 308");
      return;
    }
    if (scheme && !r.scheme().equals("http") && !r.scheme().equals("https")) {
      f.error(p + ".scheme", quote(r.scheme()) + " is not a scheme", "use \"http\" or \"https\"");
      return;
    }
    if (r.port() != null && r.port() > 0) {
      VirtualServiceValidator.port(r.port(), p + ".port", f);
    }
    if (code != 0 && code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
      f.warn(
          p + ".redirectCode",
          code + " is not a redirect Envoy makes; Istio drops the route, and so does Wayout",
          "use 301, 302, 303, 307 or 308");
    }
  }

  private static void directResponse(DirectResponse d, String p, Findings f) {
    if (d == null) {
      return;
    }
    int size =
        d.bodyString() != null
            ? d.bodyString().length()
            : d.bodyBytes() != null ? d.bodyBytes().length : 0;
    if (size > KB * KB) {
      f.error(p + ".body", "is larger than 1 MiB", "keep direct responses small");
    } else if (size > 100 * KB) {
      f.warn(p + ".body", "is larger than 100 KiB", "keep direct responses small");
    }
    httpStatus(d.status() == null ? 0 : d.status(), p + ".status", f);
  }

  private static void retries(Retry r, String p, Findings f) {
    if (r == null) {
      return;
    }
    int attempts = r.attempts() == null ? 0 : r.attempts();
    if (attempts < 0) {
      f.error(p + ".attempts", attempts + " is negative", "use 0 (no retries) or more");
    }
    if (attempts == 0
        && (r.perTryTimeout() != null
            || (r.retryOn() != null && !r.retryOn().isEmpty())
            || r.retryRemoteLocalities() != null)) {
      f.error(
          p + ".attempts",
          "is 0 (retries off), yet perTryTimeout, retryOn or retryRemoteLocalities is set",
          "set attempts, e.g. 3, or remove the other retry settings");
    }
    if (r.perTryTimeout() != null) {
      duration(r.perTryTimeout(), p + ".perTryTimeout", f);
    }
    if (r.retryOn() != null && !r.retryOn().isEmpty()) {
      for (String policy : r.retryOn().split(",", -1)) {
        if (!RETRY_ON.contains(policy) && !KNOWN_STATUSES.contains(statusOf(policy))) {
          f.error(
              p + ".retryOn",
              quote(policy) + " is not a retryOn condition",
              "use Envoy's conditions, comma-separated without spaces, e.g."
                  + " \"5xx,connect-failure,reset\", or status codes such as \"503\"");
        }
      }
    }
    if (r.backoff() != null) {
      duration(r.backoff(), p + ".backoff", f);
    }
    if (r.retryRemoteLocalities() != null && r.retryRemoteLocalities()) {
      f.warn(p + ".retryRemoteLocalities", "is ignored by Wayout's waypoint", "remove it");
    }
  }

  /** Go's strconv.Atoi, 0 when it is not a number. */
  private static int statusOf(String policy) {
    String digits = policy.startsWith("+") || policy.startsWith("-") ? policy.substring(1) : policy;
    if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)) {
      return 0;
    }
    return Integer.parseInt(policy.startsWith("+") ? digits : policy);
  }

  private static void rewrite(Rewrite r, String p, Findings f) {
    if (r == null) {
      return;
    }
    boolean uri = r.uri() != null && !r.uri().isEmpty();
    boolean authority = r.authority() != null && !r.authority().isEmpty();
    if (uri && r.uriRegexRewrite() != null) {
      f.error(p, "sets both uri and uriRegexRewrite", "keep only one of them");
      return;
    }
    if (!uri && r.uriRegexRewrite() == null && !authority) {
      f.error(p, "changes nothing", "set uri, uriRegexRewrite or authority");
      return;
    }
    var regex = r.uriRegexRewrite();
    if (regex != null) {
      if (regex.match() == null
          || regex.match().isEmpty()
          || regex.rewrite() == null
          || regex.rewrite().isEmpty()) {
        f.error(
            p + ".uriRegexRewrite",
            "needs both match and rewrite",
            "give match (a regex) and rewrite (its replacement, \\1 for groups)");
        return;
      }
      String problem = Re2.problem(regex.match());
      if (problem != null) {
        f.error(p + ".uriRegexRewrite.match", quote(regex.match()) + " " + problem, "fix it");
      }
    }
  }

  private static void authorityRewrite(HttpRoute http, String p, Findings f) {
    String current =
        http.rewrite() == null || http.rewrite().authority() == null
            ? ""
            : http.rewrite().authority();
    HeaderOperations req = http.headers() == null ? null : http.headers().request();
    if (req == null) {
      return;
    }
    for (Map<String, String> ops : java.util.List.of(req.set(), req.add())) {
      for (Map.Entry<String, String> e : ops.entrySet()) {
        if (!HeaderRules.isAuthority(e.getKey())) {
          continue;
        }
        if (!current.isEmpty()) {
          f.error(
              p + ".headers.request",
              "sets the authority to "
                  + quote(e.getValue())
                  + " while it is already "
                  + quote(current),
              "set the authority in one place only");
          return;
        }
        current = e.getValue();
      }
    }
  }

  private static void destinations(HttpRoute http, String p, Findings f) {
    long total = 0;
    for (int i = 0; i < http.route().size(); i++) {
      Weighted w = http.route().get(i);
      String wp = p + "[" + i + "]";
      if (w.destination() == null) {
        f.error(wp + ".destination", "is missing", "name the host: destination: {host: ...}");
      }
      headers(w.headers(), wp + ".headers", f);
      if (w.destination() != null) {
        VirtualServiceValidator.destination(w.destination(), wp + ".destination", f);
      }
      int weight = w.weight() == null ? 0 : w.weight();
      if (weight < 0) {
        f.error(wp + ".weight", weight + " is negative", "use a weight from 0");
      }
      total += weight;
    }
    if (http.route().size() > 1 && total == 0) {
      f.error(p, "the weights of the destinations add up to 0", "give the destinations weights");
    }
  }

  /** Istio's ValidateDuration: at least 1ms, in whole milliseconds. */
  static void duration(Duration d, String path, Findings f) {
    if (d.compareTo(Duration.ofMillis(1)) < 0) {
      f.error(path, "is shorter than 1ms", "use a duration of at least 1ms, e.g. \"500ms\"");
    } else if (d.getNano() % 1_000_000 != 0) {
      f.error(path, "is more precise than a millisecond", "round it to whole milliseconds");
    }
  }
}
