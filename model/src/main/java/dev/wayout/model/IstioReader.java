package dev.wayout.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Builds our records from the JSON tree of a Kubernetes object ({@code metadata} and {@code spec}).
 * Fields Wayout does not use are ignored so new Istio versions do not break us; fields of the wrong
 * type are collected and thrown together as an {@link InvalidResourceException}.
 */
final class IstioReader {

  private IstioReader() {}

  static ServiceEntry serviceEntry(JsonNode object) {
    SpecReader r = SpecReader.collecting();
    JsonNode meta = r.object(object, "metadata", "metadata");
    JsonNode spec = r.object(object, "spec", "spec");
    ServiceEntry entry =
        new ServiceEntry(
            r.string(meta, "namespace", "metadata.namespace"),
            r.string(meta, "name", "metadata.name"),
            r.stringMap(meta, "labels", "metadata.labels"),
            r.strings(spec, "hosts", "spec.hosts"),
            r.strings(spec, "addresses", "spec.addresses"),
            r.list(spec, "ports", "spec.ports", (n, p) -> port(r, n, p)),
            r.string(spec, "location", "spec.location"),
            r.string(spec, "resolution", "spec.resolution"),
            r.list(spec, "endpoints", "spec.endpoints", (n, p) -> endpoint(r, n, p)),
            workloadSelector(r, spec, "labels"),
            r.strings(spec, "exportTo", "spec.exportTo"),
            r.strings(spec, "subjectAltNames", "spec.subjectAltNames"));
    r.throwIfErrors();
    return entry;
  }

  static DestinationRule destinationRule(JsonNode object) {
    SpecReader r = SpecReader.collecting();
    JsonNode meta = r.object(object, "metadata", "metadata");
    JsonNode spec = r.object(object, "spec", "spec");
    DestinationRule rule =
        new DestinationRule(
            r.string(meta, "namespace", "metadata.namespace"),
            r.string(meta, "name", "metadata.name"),
            r.stringMap(meta, "labels", "metadata.labels"),
            r.string(spec, "host", "spec.host"),
            trafficPolicy(
                r, r.object(spec, "trafficPolicy", "spec.trafficPolicy"), "spec.trafficPolicy"),
            r.list(spec, "subsets", "spec.subsets", (n, p) -> subset(r, n, p)),
            r.strings(spec, "exportTo", "spec.exportTo"),
            workloadSelector(r, spec, "matchLabels"));
    r.throwIfErrors();
    return rule;
  }

  /**
   * A ServiceEntry's selector holds {@code labels}; a DestinationRule's (istio.type.v1beta1) holds
   * {@code matchLabels}.
   */
  private static Map<String, String> workloadSelector(
      SpecReader r, JsonNode spec, String labelsField) {
    JsonNode selector = r.object(spec, "workloadSelector", "spec.workloadSelector");
    if (selector == null) {
      return null;
    }
    Map<String, String> labels =
        r.stringMap(selector, labelsField, "spec.workloadSelector." + labelsField);
    return labels == null ? Map.of() : labels;
  }

  private static ServicePort port(SpecReader r, JsonNode n, String path) {
    if (!n.isObject()) {
      r.errors().add(FieldError.of(path, n + " is not a port", "write {number, name, protocol}"));
      return null;
    }
    Integer number = r.integer(n, "number", path + ".number");
    return new ServicePort(
        number == null ? 0 : number,
        r.string(n, "protocol", path + ".protocol"),
        r.string(n, "name", path + ".name"),
        r.integer(n, "targetPort", path + ".targetPort"));
  }

  private static WorkloadEndpoint endpoint(SpecReader r, JsonNode n, String path) {
    if (!n.isObject()) {
      r.errors().add(FieldError.of(path, n + " is not an endpoint", "write {address, ports}"));
      return null;
    }
    return new WorkloadEndpoint(
        r.string(n, "address", path + ".address"),
        r.intMap(n, "ports", path + ".ports"),
        r.stringMap(n, "labels", path + ".labels"),
        r.string(n, "network", path + ".network"),
        r.string(n, "locality", path + ".locality"),
        r.integer(n, "weight", path + ".weight"));
  }

  private static Subset subset(SpecReader r, JsonNode n, String path) {
    if (!n.isObject()) {
      r.errors().add(FieldError.of(path, n + " is not a subset", "write {name, labels}"));
      return null;
    }
    return new Subset(
        r.string(n, "name", path + ".name"),
        r.stringMap(n, "labels", path + ".labels"),
        trafficPolicy(
            r, r.object(n, "trafficPolicy", path + ".trafficPolicy"), path + ".trafficPolicy"));
  }

  static TrafficPolicy trafficPolicy(SpecReader r, JsonNode n, String path) {
    if (n == null) {
      return null;
    }
    JsonNode tunnel = r.object(n, "tunnel", path + ".tunnel");
    JsonNode proxyProtocol = r.object(n, "proxyProtocol", path + ".proxyProtocol");
    JsonNode budget = r.object(n, "retryBudget", path + ".retryBudget");
    return new TrafficPolicy(
        connectionPool(
            r, r.object(n, "connectionPool", path + ".connectionPool"), path + ".connectionPool"),
        loadBalancer(
            r, r.object(n, "loadBalancer", path + ".loadBalancer"), path + ".loadBalancer"),
        outlierDetection(
            r,
            r.object(n, "outlierDetection", path + ".outlierDetection"),
            path + ".outlierDetection"),
        tls(r, r.object(n, "tls", path + ".tls"), path + ".tls"),
        r.list(
            n,
            "portLevelSettings",
            path + ".portLevelSettings",
            (item, itemPath) -> portTrafficPolicy(r, item, itemPath)),
        tunnel == null
            ? null
            : new TrafficPolicy.Tunnel(
                r.string(tunnel, "protocol", path + ".tunnel.protocol"),
                r.string(tunnel, "targetHost", path + ".tunnel.targetHost"),
                r.integer(tunnel, "targetPort", path + ".tunnel.targetPort")),
        proxyProtocol == null
            ? null
            : new TrafficPolicy.ProxyProtocol(
                r.string(proxyProtocol, "version", path + ".proxyProtocol.version")),
        budget == null
            ? null
            : new TrafficPolicy.RetryBudget(
                r.decimal(budget, "percent", path + ".retryBudget.percent"),
                r.integer(budget, "minRetryConcurrency", path + ".retryBudget.minRetryConcurrency"),
                r.duration(budget, "budgetInterval", path + ".retryBudget.budgetInterval")));
  }

  private static PortTrafficPolicy portTrafficPolicy(SpecReader r, JsonNode n, String path) {
    if (!n.isObject()) {
      r.errors()
          .add(FieldError.of(path, n + " is not a port setting", "write {port: {number}, ...}"));
      return null;
    }
    JsonNode port = r.object(n, "port", path + ".port");
    Integer number = r.integer(port, "number", path + ".port.number");
    return new PortTrafficPolicy(
        port == null ? null : number == null ? 0 : number,
        connectionPool(
            r, r.object(n, "connectionPool", path + ".connectionPool"), path + ".connectionPool"),
        loadBalancer(
            r, r.object(n, "loadBalancer", path + ".loadBalancer"), path + ".loadBalancer"),
        outlierDetection(
            r,
            r.object(n, "outlierDetection", path + ".outlierDetection"),
            path + ".outlierDetection"),
        tls(r, r.object(n, "tls", path + ".tls"), path + ".tls"));
  }

  private static ClientTls tls(SpecReader r, JsonNode n, String path) {
    if (n == null) {
      return null;
    }
    return new ClientTls(
        r.string(n, "mode", path + ".mode"),
        r.string(n, "clientCertificate", path + ".clientCertificate"),
        r.string(n, "privateKey", path + ".privateKey"),
        r.string(n, "caCertificates", path + ".caCertificates"),
        r.string(n, "credentialName", path + ".credentialName"),
        r.strings(n, "subjectAltNames", path + ".subjectAltNames"),
        r.string(n, "sni", path + ".sni"),
        r.bool(n, "insecureSkipVerify", path + ".insecureSkipVerify"),
        r.string(n, "caCrl", path + ".caCrl"));
  }

  private static ConnectionPool connectionPool(SpecReader r, JsonNode n, String path) {
    if (n == null) {
      return null;
    }
    JsonNode tcp = r.object(n, "tcp", path + ".tcp");
    JsonNode http = r.object(n, "http", path + ".http");
    String t = path + ".tcp.";
    String h = path + ".http.";
    JsonNode keepalive = r.object(tcp, "tcpKeepalive", t + "tcpKeepalive");
    JsonNode h2 = r.object(http, "http2KeepAlive", h + "http2KeepAlive");
    return new ConnectionPool(
        tcp == null
            ? null
            : new ConnectionPool.Tcp(
                r.integer(tcp, "maxConnections", t + "maxConnections"),
                r.duration(tcp, "connectTimeout", t + "connectTimeout"),
                r.duration(tcp, "idleTimeout", t + "idleTimeout"),
                r.duration(tcp, "maxConnectionDuration", t + "maxConnectionDuration"),
                keepalive == null
                    ? null
                    : new ConnectionPool.TcpKeepalive(
                        r.integer(keepalive, "probes", t + "tcpKeepalive.probes"),
                        r.duration(keepalive, "time", t + "tcpKeepalive.time"),
                        r.duration(keepalive, "interval", t + "tcpKeepalive.interval"))),
        http == null
            ? null
            : new ConnectionPool.Http(
                r.integer(http, "http1MaxPendingRequests", h + "http1MaxPendingRequests"),
                r.integer(http, "http2MaxRequests", h + "http2MaxRequests"),
                r.integer(http, "maxRequestsPerConnection", h + "maxRequestsPerConnection"),
                r.integer(http, "maxRetries", h + "maxRetries"),
                r.duration(http, "idleTimeout", h + "idleTimeout"),
                r.string(http, "h2UpgradePolicy", h + "h2UpgradePolicy"),
                r.bool(http, "useClientProtocol", h + "useClientProtocol"),
                r.integer(http, "maxConcurrentStreams", h + "maxConcurrentStreams"),
                h2 == null
                    ? null
                    : new ConnectionPool.Http2KeepAlive(
                        r.duration(h2, "interval", h + "http2KeepAlive.interval"),
                        r.duration(h2, "timeout", h + "http2KeepAlive.timeout"))));
  }

  private static LoadBalancer loadBalancer(SpecReader r, JsonNode n, String path) {
    if (n == null) {
      return null;
    }
    JsonNode hash = r.object(n, "consistentHash", path + ".consistentHash");
    JsonNode warmup = r.object(n, "warmup", path + ".warmup");
    JsonNode backend = r.object(n, "backendUtilization", path + ".backendUtilization");
    return new LoadBalancer(
        r.string(n, "simple", path + ".simple"),
        hash == null ? null : consistentHash(r, hash, path + ".consistentHash"),
        locality(
            r,
            r.object(n, "localityLbSetting", path + ".localityLbSetting"),
            path + ".localityLbSetting"),
        locality(
            r,
            r.object(n, "zoneAwareLbSetting", path + ".zoneAwareLbSetting"),
            path + ".zoneAwareLbSetting"),
        backend == null
            ? null
            : new LoadBalancer.BackendUtilization(
                r.integer(
                    backend,
                    "errorUtilizationPenaltyPercent",
                    path + ".backendUtilization.errorUtilizationPenaltyPercent")),
        warmup == null
            ? null
            : new LoadBalancer.Warmup(
                r.duration(warmup, "duration", path + ".warmup.duration"),
                r.decimal(warmup, "minimumPercent", path + ".warmup.minimumPercent"),
                r.decimal(warmup, "aggression", path + ".warmup.aggression")),
        r.duration(n, "warmupDurationSecs", path + ".warmupDurationSecs"));
  }

  private static LoadBalancer.Locality locality(SpecReader r, JsonNode n, String path) {
    if (n == null) {
      return null;
    }
    return new LoadBalancer.Locality(
        r.list(
            n,
            "distribute",
            path + ".distribute",
            (item, p) ->
                item.isObject()
                    ? new LoadBalancer.Distribute(
                        r.string(item, "from", p + ".from"), r.intMap(item, "to", p + ".to"))
                    : null),
        r.list(
            n,
            "failover",
            path + ".failover",
            (item, p) ->
                item.isObject()
                    ? new LoadBalancer.Failover(
                        r.string(item, "from", p + ".from"), r.string(item, "to", p + ".to"))
                    : null),
        r.strings(n, "failoverPriority", path + ".failoverPriority"),
        r.bool(n, "enabled", path + ".enabled"),
        r.integer(n, "minClusterSize", path + ".minClusterSize"));
  }

  private static LoadBalancer.ConsistentHash consistentHash(SpecReader r, JsonNode n, String path) {
    JsonNode cookie = r.object(n, "httpCookie", path + ".httpCookie");
    JsonNode ring = r.object(n, "ringHash", path + ".ringHash");
    JsonNode maglev = r.object(n, "maglev", path + ".maglev");
    String c = path + ".httpCookie";
    return new LoadBalancer.ConsistentHash(
        r.string(n, "httpHeaderName", path + ".httpHeaderName"),
        cookie == null
            ? null
            : new LoadBalancer.HttpCookie(
                r.string(cookie, "name", c + ".name"),
                r.string(cookie, "path", c + ".path"),
                r.duration(cookie, "ttl", c + ".ttl"),
                r.list(
                    cookie,
                    "attributes",
                    c + ".attributes",
                    (item, p) ->
                        item.isObject()
                            ? new LoadBalancer.Attribute(
                                r.string(item, "name", p + ".name"),
                                r.string(item, "value", p + ".value"))
                            : null)),
        r.bool(n, "useSourceIp", path + ".useSourceIp"),
        r.string(n, "httpQueryParameterName", path + ".httpQueryParameterName"),
        r.integer(n, "minimumRingSize", path + ".minimumRingSize"),
        ring != null,
        r.integer(ring, "minimumRingSize", path + ".ringHash.minimumRingSize"),
        maglev != null,
        r.integer(maglev, "tableSize", path + ".maglev.tableSize"));
  }

  private static OutlierDetection outlierDetection(SpecReader r, JsonNode n, String path) {
    if (n == null) {
      return null;
    }
    return new OutlierDetection(
        r.integer(n, "consecutiveErrors", path + ".consecutiveErrors"),
        r.integer(n, "consecutive5xxErrors", path + ".consecutive5xxErrors"),
        r.integer(n, "consecutiveGatewayErrors", path + ".consecutiveGatewayErrors"),
        r.integer(n, "consecutiveLocalOriginFailures", path + ".consecutiveLocalOriginFailures"),
        r.bool(n, "splitExternalLocalOriginErrors", path + ".splitExternalLocalOriginErrors"),
        r.duration(n, "interval", path + ".interval"),
        r.duration(n, "baseEjectionTime", path + ".baseEjectionTime"),
        r.integer(n, "maxEjectionPercent", path + ".maxEjectionPercent"),
        r.integer(n, "minHealthPercent", path + ".minHealthPercent"),
        r.list(
            n,
            "outlierDetectionHttpErrorCodes",
            path + ".outlierDetectionHttpErrorCodes",
            (item, p) -> r.integerValue(item, p)));
  }
}
