package dev.wayout.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wayout.model.HttpRoute.Abort;
import dev.wayout.model.HttpRoute.Cors;
import dev.wayout.model.HttpRoute.Delay;
import dev.wayout.model.HttpRoute.Delegate;
import dev.wayout.model.HttpRoute.DirectResponse;
import dev.wayout.model.HttpRoute.Fault;
import dev.wayout.model.HttpRoute.HeaderOperations;
import dev.wayout.model.HttpRoute.Headers;
import dev.wayout.model.HttpRoute.Match;
import dev.wayout.model.HttpRoute.Mirror;
import dev.wayout.model.HttpRoute.Redirect;
import dev.wayout.model.HttpRoute.RegexRewrite;
import dev.wayout.model.HttpRoute.Retry;
import dev.wayout.model.HttpRoute.Rewrite;
import dev.wayout.model.HttpRoute.Weighted;
import dev.wayout.model.VirtualService.Destination;
import dev.wayout.model.VirtualService.L4Match;
import dev.wayout.model.VirtualService.RouteDestination;
import dev.wayout.model.VirtualService.TcpRoute;
import dev.wayout.model.VirtualService.TlsRoute;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds a {@link VirtualService} from the JSON tree of the object, as {@link IstioReader} does for
 * the other kinds: fields of the wrong type (and what the CRD schema refuses: two of a oneOf, a
 * negative port) are collected and thrown together.
 */
final class VirtualServiceReader {

  /** Marks a {@code headers: {name: null}} entry, which Istio refuses. */
  static final StringMatch NULL_MATCH = new StringMatch(null, null, null, -1);

  private VirtualServiceReader() {}

  static VirtualService virtualService(JsonNode object) {
    SpecReader r = SpecReader.collecting();
    JsonNode meta = r.object(object, "metadata", "metadata");
    JsonNode spec = r.object(object, "spec", "spec");
    JsonNode http = spec == null ? null : spec.get("http");
    int nulls = 0;
    if (http != null && http.isArray()) {
      for (JsonNode n : http) {
        nulls += n.isNull() ? 1 : 0;
      }
    }
    VirtualService vs =
        new VirtualService(
            r.string(meta, "namespace", "metadata.namespace"),
            r.string(meta, "name", "metadata.name"),
            r.stringMap(meta, "labels", "metadata.labels"),
            r.strings(spec, "hosts", "spec.hosts"),
            r.strings(spec, "gateways", "spec.gateways"),
            r.list(spec, "http", "spec.http", (n, p) -> httpRoute(r, n, p)),
            r.list(spec, "tls", "spec.tls", (n, p) -> tlsRoute(r, n, p)),
            r.list(spec, "tcp", "spec.tcp", (n, p) -> tcpRoute(r, n, p)),
            r.strings(spec, "exportTo", "spec.exportTo"),
            nulls);
    r.throwIfErrors();
    return vs;
  }

  private static boolean isObject(SpecReader r, JsonNode n, String path, String what) {
    if (n.isNull()) {
      return false;
    }
    if (!n.isObject()) {
      r.errors().add(FieldError.of(path, n + " is not " + what, "write " + what + " here"));
      return false;
    }
    return true;
  }

  private static HttpRoute httpRoute(SpecReader r, JsonNode n, String p) {
    if (!isObject(r, n, p, "an HTTP route")) {
      return null;
    }
    JsonNode mirrorPercentage = r.object(n, "mirrorPercentage", p + ".mirrorPercentage");
    Integer mirrorPercent = uint(r, n, "mirrorPercent", p + ".mirrorPercent");
    if (mirrorPercent == null) {
      mirrorPercent = uint(r, n, "mirror_percent", p + ".mirror_percent");
    }
    return new HttpRoute(
        r.string(n, "name", p + ".name"),
        r.list(n, "match", p + ".match", (m, mp) -> match(r, m, mp)),
        r.list(n, "route", p + ".route", (w, wp) -> weighted(r, w, wp)),
        redirect(r, r.object(n, "redirect", p + ".redirect"), p + ".redirect"),
        directResponse(r, r.object(n, "directResponse", p + ".directResponse"), p),
        delegate(r, r.object(n, "delegate", p + ".delegate"), p + ".delegate"),
        rewrite(r, r.object(n, "rewrite", p + ".rewrite"), p + ".rewrite"),
        r.duration(n, "timeout", p + ".timeout"),
        retry(r, r.object(n, "retries", p + ".retries"), p + ".retries"),
        fault(r, r.object(n, "fault", p + ".fault"), p + ".fault"),
        destination(r, r.object(n, "mirror", p + ".mirror"), p + ".mirror"),
        r.list(n, "mirrors", p + ".mirrors", (m, mp) -> mirror(r, m, mp)),
        mirrorPercent,
        r.decimal(mirrorPercentage, "value", p + ".mirrorPercentage.value"),
        cors(r, r.object(n, "corsPolicy", p + ".corsPolicy"), p + ".corsPolicy"),
        headers(r, r.object(n, "headers", p + ".headers"), p + ".headers"));
  }

  private static Match match(SpecReader r, JsonNode n, String p) {
    if (n.isNull()) {
      return new Match(
          null, null, null, null, null, null, null, null, null, null, null, null, false, null);
    }
    if (!isObject(r, n, p, "a match")) {
      return null;
    }
    Boolean ignoreCase = r.bool(n, "ignoreUriCase", p + ".ignoreUriCase");
    return new Match(
        r.string(n, "name", p + ".name"),
        stringMatch(r, n, "uri", p),
        stringMatch(r, n, "scheme", p),
        stringMatch(r, n, "method", p),
        stringMatch(r, n, "authority", p),
        stringMatches(r, n, "headers", p),
        stringMatches(r, n, "withoutHeaders", p),
        stringMatches(r, n, "queryParams", p),
        uint(r, n, "port", p + ".port"),
        r.stringMap(n, "sourceLabels", p + ".sourceLabels"),
        r.string(n, "sourceNamespace", p + ".sourceNamespace"),
        r.strings(n, "gateways", p + ".gateways"),
        ignoreCase != null && ignoreCase,
        r.string(n, "statPrefix", p + ".statPrefix"));
  }

  static StringMatch stringMatch(SpecReader r, JsonNode parent, String field, String p) {
    return stringMatch(r, r.object(parent, field, p + "." + field), p + "." + field);
  }

  private static StringMatch stringMatch(SpecReader r, JsonNode n, String path) {
    if (n == null) {
      return null;
    }
    String exact = r.string(n, "exact", path + ".exact");
    String prefix = r.string(n, "prefix", path + ".prefix");
    String regex = r.string(n, "regex", path + ".regex");
    int kinds = (exact != null ? 1 : 0) + (prefix != null ? 1 : 0) + (regex != null ? 1 : 0);
    if (kinds > 1) {
      r.errors()
          .add(
              FieldError.of(
                  path, "sets more than one of exact, prefix and regex", "keep only one of them"));
    }
    return new StringMatch(exact, prefix, regex, kinds);
  }

  private static Map<String, StringMatch> stringMatches(
      SpecReader r, JsonNode parent, String field, String p) {
    JsonNode map = r.object(parent, field, p + "." + field);
    if (map == null) {
      return null;
    }
    Map<String, StringMatch> out = new LinkedHashMap<>();
    map.fields()
        .forEachRemaining(
            e -> {
              String path = p + "." + field + "." + e.getKey();
              if (e.getValue().isNull()) {
                out.put(e.getKey(), NULL_MATCH);
              } else if (!e.getValue().isObject()) {
                r.errors()
                    .add(
                        FieldError.of(
                            path,
                            e.getValue() + " is not a string match",
                            "write {exact: ...}, {prefix: ...} or {regex: ...}"));
              } else {
                out.put(e.getKey(), stringMatch(r, e.getValue(), path));
              }
            });
    return out;
  }

  private static Weighted weighted(SpecReader r, JsonNode n, String p) {
    if (!isObject(r, n, p, "a route destination")) {
      return null;
    }
    return new Weighted(
        destination(r, r.object(n, "destination", p + ".destination"), p + ".destination"),
        r.integer(n, "weight", p + ".weight"),
        headers(r, r.object(n, "headers", p + ".headers"), p + ".headers"));
  }

  static Destination destination(SpecReader r, JsonNode n, String p) {
    if (n == null) {
      return null;
    }
    JsonNode port = r.object(n, "port", p + ".port");
    String host = r.string(n, "host", p + ".host");
    return new Destination(
        host == null ? "" : host,
        r.string(n, "subset", p + ".subset"),
        port == null ? null : nonNull(uint(r, port, "number", p + ".port.number")));
  }

  private static Integer nonNull(Integer port) {
    return port == null ? 0 : port;
  }

  private static Headers headers(SpecReader r, JsonNode n, String p) {
    if (n == null) {
      return null;
    }
    return new Headers(
        operations(r, r.object(n, "request", p + ".request"), p + ".request"),
        operations(r, r.object(n, "response", p + ".response"), p + ".response"));
  }

  private static HeaderOperations operations(SpecReader r, JsonNode n, String p) {
    if (n == null) {
      return null;
    }
    return new HeaderOperations(
        r.stringMap(n, "set", p + ".set"),
        r.stringMap(n, "add", p + ".add"),
        r.strings(n, "remove", p + ".remove"));
  }

  private static Redirect redirect(SpecReader r, JsonNode n, String p) {
    if (n == null) {
      return null;
    }
    Integer port = uint(r, n, "port", p + ".port");
    String derivePort = r.string(n, "derivePort", p + ".derivePort");
    if (port != null && derivePort != null) {
      r.errors().add(FieldError.of(p, "sets both port and derivePort", "keep only one of them"));
    }
    if (derivePort != null
        && !derivePort.equals("FROM_PROTOCOL_DEFAULT")
        && !derivePort.equals("FROM_REQUEST_PORT")) {
      r.errors()
          .add(
              FieldError.of(
                  p + ".derivePort",
                  Findings.quote(derivePort) + " is not a derivePort value",
                  "use FROM_PROTOCOL_DEFAULT or FROM_REQUEST_PORT"));
    }
    return new Redirect(
        r.string(n, "uri", p + ".uri"),
        r.string(n, "authority", p + ".authority"),
        port,
        derivePort,
        r.string(n, "scheme", p + ".scheme"),
        uint(r, n, "redirectCode", p + ".redirectCode"),
        r.string(n, "prefixRewrite", p + ".prefixRewrite"));
  }

  private static DirectResponse directResponse(SpecReader r, JsonNode n, String route) {
    if (n == null) {
      return null;
    }
    String p = route + ".directResponse";
    Integer status = uint(r, n, "status", p + ".status");
    if (status == null) {
      r.errors().add(FieldError.of(p + ".status", "is missing", "give the status, e.g. 503"));
    }
    JsonNode body = r.object(n, "body", p + ".body");
    String string = r.string(body, "string", p + ".body.string");
    String base64 = r.string(body, "bytes", p + ".body.bytes");
    byte[] bytes = null;
    if (base64 != null) {
      try {
        bytes = Base64.getMimeDecoder().decode(base64);
      } catch (IllegalArgumentException e) {
        r.errors()
            .add(
                FieldError.of(
                    p + ".body.bytes",
                    "is not base64",
                    "encode the body in base64, or use string"));
      }
    }
    int bodies = (string != null ? 1 : 0) + (base64 != null ? 1 : 0);
    if (bodies > 1) {
      r.errors().add(FieldError.of(p + ".body", "sets both string and bytes", "keep only one"));
    }
    return new DirectResponse(status, string, bytes, bodies);
  }

  private static Delegate delegate(SpecReader r, JsonNode n, String p) {
    if (n == null) {
      return null;
    }
    return new Delegate(
        r.string(n, "name", p + ".name"), r.string(n, "namespace", p + ".namespace"));
  }

  private static Rewrite rewrite(SpecReader r, JsonNode n, String p) {
    if (n == null) {
      return null;
    }
    JsonNode regex = r.object(n, "uriRegexRewrite", p + ".uriRegexRewrite");
    return new Rewrite(
        r.string(n, "uri", p + ".uri"),
        r.string(n, "authority", p + ".authority"),
        regex == null
            ? null
            : new RegexRewrite(
                r.string(regex, "match", p + ".uriRegexRewrite.match"),
                r.string(regex, "rewrite", p + ".uriRegexRewrite.rewrite")));
  }

  private static Retry retry(SpecReader r, JsonNode n, String p) {
    if (n == null) {
      return null;
    }
    return new Retry(
        r.integer(n, "attempts", p + ".attempts"),
        r.duration(n, "perTryTimeout", p + ".perTryTimeout"),
        r.string(n, "retryOn", p + ".retryOn"),
        r.bool(n, "retryRemoteLocalities", p + ".retryRemoteLocalities"),
        r.bool(n, "retryIgnorePreviousHosts", p + ".retryIgnorePreviousHosts"),
        r.duration(n, "backoff", p + ".backoff"));
  }

  private static Fault fault(SpecReader r, JsonNode n, String p) {
    if (n == null) {
      return null;
    }
    JsonNode delay = r.object(n, "delay", p + ".delay");
    JsonNode abort = r.object(n, "abort", p + ".abort");
    Delay d = null;
    if (delay != null) {
      var fixed = r.duration(delay, "fixedDelay", p + ".delay.fixedDelay");
      var exponential = r.duration(delay, "exponentialDelay", p + ".delay.exponentialDelay");
      int kinds = (delay.has("fixedDelay") ? 1 : 0) + (delay.has("exponentialDelay") ? 1 : 0);
      if (kinds > 1) {
        r.errors()
            .add(
                FieldError.of(
                    p + ".delay", "sets both fixedDelay and exponentialDelay", "keep fixedDelay"));
      }
      d =
          new Delay(
              fixed,
              exponential,
              r.integer(delay, "percent", p + ".delay.percent"),
              percentage(r, delay, p + ".delay"),
              kinds);
    }
    Abort a = null;
    if (abort != null) {
      Integer httpStatus = r.integer(abort, "httpStatus", p + ".abort.httpStatus");
      String grpc = r.string(abort, "grpcStatus", p + ".abort.grpcStatus");
      String http2 = r.string(abort, "http2Error", p + ".abort.http2Error");
      int kinds = (httpStatus != null ? 1 : 0) + (grpc != null ? 1 : 0) + (http2 != null ? 1 : 0);
      if (kinds > 1) {
        r.errors()
            .add(
                FieldError.of(
                    p + ".abort",
                    "sets more than one of httpStatus, grpcStatus and http2Error",
                    "keep only one of them"));
      }
      a = new Abort(httpStatus, grpc, http2, percentage(r, abort, p + ".abort"), kinds);
    }
    return new Fault(d, a);
  }

  private static Double percentage(SpecReader r, JsonNode n, String p) {
    JsonNode percentage = r.object(n, "percentage", p + ".percentage");
    if (percentage == null) {
      return null;
    }
    Double value = r.decimal(percentage, "value", p + ".percentage.value");
    return value == null ? 0.0 : value;
  }

  private static Mirror mirror(SpecReader r, JsonNode n, String p) {
    if (!isObject(r, n, p, "a mirror")) {
      return new Mirror(null, null);
    }
    JsonNode percentage = r.object(n, "percentage", p + ".percentage");
    Double value = r.decimal(percentage, "value", p + ".percentage.value");
    return new Mirror(
        destination(r, r.object(n, "destination", p + ".destination"), p + ".destination"),
        percentage == null ? null : value == null ? 0.0 : value);
  }

  private static Cors cors(SpecReader r, JsonNode n, String p) {
    if (n == null) {
      return null;
    }
    String unmatched = r.string(n, "unmatchedPreflights", p + ".unmatchedPreflights");
    if (unmatched != null
        && !unmatched.equals("UNSPECIFIED")
        && !unmatched.equals("FORWARD")
        && !unmatched.equals("IGNORE")) {
      r.errors()
          .add(
              FieldError.of(
                  p + ".unmatchedPreflights",
                  Findings.quote(unmatched) + " is not an unmatchedPreflights value",
                  "use FORWARD or IGNORE"));
    }
    return new Cors(
        r.list(
            n,
            "allowOrigins",
            p + ".allowOrigins",
            (o, op) -> o.isObject() ? stringMatch(r, o, op) : null),
        r.strings(n, "allowOrigin", p + ".allowOrigin"),
        r.strings(n, "allowMethods", p + ".allowMethods"),
        r.strings(n, "allowHeaders", p + ".allowHeaders"),
        r.strings(n, "exposeHeaders", p + ".exposeHeaders"),
        r.duration(n, "maxAge", p + ".maxAge"),
        r.bool(n, "allowCredentials", p + ".allowCredentials"),
        unmatched);
  }

  private static TlsRoute tlsRoute(SpecReader r, JsonNode n, String p) {
    if (!isObject(r, n, p, "a TLS route")) {
      return null;
    }
    return new TlsRoute(
        r.list(n, "match", p + ".match", (m, mp) -> l4Match(r, m, mp, true)),
        r.list(n, "route", p + ".route", (d, dp) -> routeDestination(r, d, dp)));
  }

  private static TcpRoute tcpRoute(SpecReader r, JsonNode n, String p) {
    if (!isObject(r, n, p, "a TCP route")) {
      return null;
    }
    return new TcpRoute(
        r.list(n, "match", p + ".match", (m, mp) -> l4Match(r, m, mp, false)),
        r.list(n, "route", p + ".route", (d, dp) -> routeDestination(r, d, dp)));
  }

  private static L4Match l4Match(SpecReader r, JsonNode n, String p, boolean tls) {
    if (n.isNull()) {
      return new L4Match(null, null, null, null, null, null, null);
    }
    if (!isObject(r, n, p, "a match")) {
      return null;
    }
    return new L4Match(
        tls ? r.strings(n, "sniHosts", p + ".sniHosts") : null,
        r.strings(n, "destinationSubnets", p + ".destinationSubnets"),
        uint(r, n, "port", p + ".port"),
        r.stringMap(n, "sourceLabels", p + ".sourceLabels"),
        r.string(n, "sourceNamespace", p + ".sourceNamespace"),
        tls ? null : r.string(n, "sourceSubnet", p + ".sourceSubnet"),
        r.strings(n, "gateways", p + ".gateways"));
  }

  private static RouteDestination routeDestination(SpecReader r, JsonNode n, String p) {
    if (!isObject(r, n, p, "a route destination")) {
      return null;
    }
    return new RouteDestination(
        destination(r, r.object(n, "destination", p + ".destination"), p + ".destination"),
        r.integer(n, "weight", p + ".weight"));
  }

  /** A uint32 field: the CRD schema refuses a negative number. */
  private static Integer uint(SpecReader r, JsonNode n, String field, String path) {
    Integer v = r.integer(n, field, path);
    if (v != null && v < 0) {
      r.errors().add(FieldError.of(path, v + " is negative", "use a number from 0"));
      return null;
    }
    return v;
  }
}
