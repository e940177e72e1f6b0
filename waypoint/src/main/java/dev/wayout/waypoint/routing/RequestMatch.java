package dev.wayout.waypoint.routing;

import dev.wayout.model.HttpRoute.Match;
import dev.wayout.model.SourceIdentity;
import dev.wayout.model.StringMatch;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code HTTPMatchRequest} compiled when the snapshot is built: every condition must hold, as
 * Envoy's route match (path without the query string; headers by their first value; query
 * parameters present and matching; {@code withoutHeaders} inverted, a missing header counting as
 * empty). The source conditions read the client's pod identity where the waypoint knows it.
 */
final class RequestMatch {

  /** A match of every request (a route without {@code match}). */
  static final RequestMatch ANY =
      new RequestMatch(null, null, null, null, List.of(), List.of(), List.of(), 0, Map.of(), null);

  private record Header(AsciiString name, StringMatcher matcher, boolean without) {}

  private record Query(String name, StringMatcher matcher) {}

  final String name;
  private final StringMatcher uri;
  private final StringMatcher method;
  private final StringMatcher authority;
  private final Header[] headers;
  private final Query[] queryParams;
  private final int port;
  private final Map<String, String> sourceLabels;
  private final String sourceNamespace;

  private RequestMatch(
      String name,
      StringMatcher uri,
      StringMatcher method,
      StringMatcher authority,
      List<Header> headers,
      List<Header> without,
      List<Query> queryParams,
      int port,
      Map<String, String> sourceLabels,
      String sourceNamespace) {
    this.name = name;
    this.uri = uri;
    this.method = method;
    this.authority = authority;
    List<Header> all = new ArrayList<>(headers);
    all.addAll(without);
    this.headers = all.toArray(new Header[0]);
    this.queryParams = queryParams.toArray(new Query[0]);
    this.port = port;
    this.sourceLabels = sourceLabels;
    this.sourceNamespace = sourceNamespace;
  }

  static RequestMatch of(Match m) {
    List<Header> headers = new ArrayList<>();
    for (Map.Entry<String, StringMatch> e : m.headers().entrySet()) {
      headers.add(new Header(name(e.getKey()), StringMatcher.of(e.getValue(), false), false));
    }
    List<Header> without = new ArrayList<>();
    for (Map.Entry<String, StringMatch> e : m.withoutHeaders().entrySet()) {
      without.add(new Header(name(e.getKey()), StringMatcher.of(e.getValue(), false), true));
    }
    List<Query> query = new ArrayList<>();
    for (Map.Entry<String, StringMatch> e : m.queryParams().entrySet()) {
      query.add(new Query(e.getKey(), StringMatcher.of(e.getValue(), false)));
    }
    return new RequestMatch(
        m.name(),
        StringMatcher.of(m.uri(), m.ignoreUriCase()),
        StringMatcher.of(m.method(), false),
        StringMatcher.of(m.authority(), false),
        headers,
        without,
        query,
        m.port() == null ? 0 : m.port(),
        m.sourceLabels(),
        m.sourceNamespace() == null || m.sourceNamespace().isEmpty() ? null : m.sourceNamespace());
  }

  private static AsciiString name(String header) {
    String lower = header.toLowerCase(java.util.Locale.ROOT);
    return AsciiString.cached(lower.equals(":authority") ? "host" : lower);
  }

  /** The length of the path this match consumed, for a prefix rewrite. */
  int matchedPrefixLength(String path) {
    if (uri == null) {
      return 1; // the implicit prefix "/"
    }
    return uri.isPrefix() ? uri.prefix().length() : path.length();
  }

  boolean matches(HttpRequestView r, int listenerPort, SourceIdentity source) {
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
    if (uri != null && !uri.matches(r.path())) {
      return false;
    }
    if (method != null && !method.matches(r.method())) {
      return false;
    }
    if (authority != null && !authority.matches(r.authority())) {
      return false;
    }
    for (Header h : headers) {
      String value = h.name.contentEquals(":method") ? r.method() : header(r, h.name);
      if (h.without) {
        if (h.matcher.matches(value == null && !h.matcher.isPresence() ? "" : value)) {
          return false;
        }
      } else if (!h.matcher.matches(value)) {
        return false;
      }
    }
    for (Query q : queryParams) {
      if (!q.matcher.matches(QueryParams.first(r.query(), q.name))) {
        return false;
      }
    }
    return true;
  }

  private static String header(HttpRequestView r, AsciiString name) {
    if (name.contentEquals(":path")) {
      return r.query() == null ? r.path() : r.path() + "?" + r.query();
    }
    if (name.contentEquals(":scheme")) {
      return "http";
    }
    return r.header(name);
  }
}
