package dev.wayout.model;

import dev.wayout.model.VirtualService.Destination;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One {@code http} route of a VirtualService: the requests it takes ({@code match}, any request
 * when empty) and what it does with them. The nested records are the route's parts, with the fields
 * Istio defines; a null part is absent.
 */
public record HttpRoute(
    String name,
    List<Match> match,
    List<Weighted> route,
    Redirect redirect,
    DirectResponse directResponse,
    Delegate delegate,
    Rewrite rewrite,
    Duration timeout,
    Retry retries,
    Fault fault,
    Destination mirror,
    List<Mirror> mirrors,
    Integer mirrorPercent,
    Double mirrorPercentage,
    Cors corsPolicy,
    Headers headers) {

  public HttpRoute {
    match = match == null ? List.of() : List.copyOf(match);
    route = route == null ? List.of() : List.copyOf(route);
    mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
  }

  /** An {@code HTTPMatchRequest}: every condition set must hold. */
  public record Match(
      String name,
      StringMatch uri,
      StringMatch scheme,
      StringMatch method,
      StringMatch authority,
      Map<String, StringMatch> headers,
      Map<String, StringMatch> withoutHeaders,
      Map<String, StringMatch> queryParams,
      Integer port,
      Map<String, String> sourceLabels,
      String sourceNamespace,
      List<String> gateways,
      boolean ignoreUriCase,
      String statPrefix) {
    public Match {
      headers = headers == null ? Map.of() : Map.copyOf(headers);
      withoutHeaders = withoutHeaders == null ? Map.of() : Map.copyOf(withoutHeaders);
      queryParams = queryParams == null ? Map.of() : Map.copyOf(queryParams);
      sourceLabels = sourceLabels == null ? Map.of() : Map.copyOf(sourceLabels);
      gateways = gateways == null ? List.of() : List.copyOf(gateways);
    }
  }

  /** An {@code HTTPRouteDestination}: a destination, its weight, its own header operations. */
  public record Weighted(Destination destination, Integer weight, Headers headers) {}

  /** {@code headers}: operations on the request and on the response. */
  public record Headers(HeaderOperations request, HeaderOperations response) {}

  /** {@code set} replaces, {@code add} appends, {@code remove} deletes. */
  public record HeaderOperations(
      Map<String, String> set, Map<String, String> add, List<String> remove) {
    public HeaderOperations {
      set = set == null ? Map.of() : Map.copyOf(set);
      add = add == null ? Map.of() : Map.copyOf(add);
      remove = remove == null ? List.of() : List.copyOf(remove);
    }
  }

  /**
   * {@code redirect}; {@code port} and {@code derivePort} are one of (the schema's oneOf).
   *
   * @param redirectCode 0 when unset (301)
   */
  public record Redirect(
      String uri,
      String authority,
      Integer port,
      String derivePort,
      String scheme,
      Integer redirectCode,
      String prefixRewrite) {}

  /** {@code directResponse}: a status and an optional body given as a string or base64 bytes. */
  public record DirectResponse(Integer status, String bodyString, byte[] bodyBytes, int bodies) {}

  /** {@code delegate}: the VirtualService whose routes this one includes. */
  public record Delegate(String name, String namespace) {}

  /** {@code rewrite}: of the path (or its matched prefix), by regex, and of the authority. */
  public record Rewrite(String uri, String authority, RegexRewrite uriRegexRewrite) {}

  /** {@code rewrite.uriRegexRewrite}. */
  public record RegexRewrite(String match, String rewrite) {}

  /** {@code retries}: {@code attempts} are retries after the first try, as Envoy's num_retries. */
  public record Retry(
      Integer attempts,
      Duration perTryTimeout,
      String retryOn,
      Boolean retryRemoteLocalities,
      Boolean retryIgnorePreviousHosts,
      Duration backoff) {}

  /** {@code fault}: a delay and/or an abort, each for a percentage of requests. */
  public record Fault(Delay delay, Abort abort) {}

  /**
   * {@code fault.delay}: {@code fixedDelay} (or the unsupported {@code exponentialDelay}), for
   * {@code percentage.value} percent of requests, or the deprecated integer {@code percent}.
   */
  public record Delay(
      Duration fixedDelay,
      Duration exponentialDelay,
      Integer percent,
      Double percentage,
      int kinds) {}

  /** {@code fault.abort}: one of {@code httpStatus}, {@code grpcStatus}, {@code http2Error}. */
  public record Abort(
      Integer httpStatus, String grpcStatus, String http2Error, Double percentage, int kinds) {}

  /** One of {@code mirrors}: a destination and the percentage of requests copied to it. */
  public record Mirror(Destination destination, Double percentage) {}

  /** {@code corsPolicy}. */
  public record Cors(
      List<StringMatch> allowOrigins,
      List<String> allowOrigin,
      List<String> allowMethods,
      List<String> allowHeaders,
      List<String> exposeHeaders,
      Duration maxAge,
      Boolean allowCredentials,
      String unmatchedPreflights) {
    public Cors {
      allowOrigins = allowOrigins == null ? null : List.copyOf(allowOrigins);
      allowOrigin = allowOrigin == null ? null : List.copyOf(allowOrigin);
      allowMethods = allowMethods == null ? List.of() : List.copyOf(allowMethods);
      allowHeaders = allowHeaders == null ? List.of() : List.copyOf(allowHeaders);
      exposeHeaders = exposeHeaders == null ? List.of() : List.copyOf(exposeHeaders);
    }
  }
}
