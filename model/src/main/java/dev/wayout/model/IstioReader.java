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
            (item, itemPath) -> portTrafficPolicy(r, item, itemPath)));
  }

  private static PortTrafficPolicy portTrafficPolicy(SpecReader r, JsonNode n, String path) {
    if (!n.isObject()) {
      r.errors()
          .add(FieldError.of(path, n + " is not a port setting", "write {port: {number}, ...}"));
      return null;
    }
    JsonNode port = r.object(n, "port", path + ".port");
    return new PortTrafficPolicy(
        r.integer(port, "number", path + ".port.number"),
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
    return new ConnectionPool(
        r.integer(tcp, "maxConnections", path + ".tcp.maxConnections"),
        r.duration(tcp, "connectTimeout", path + ".tcp.connectTimeout"),
        r.duration(tcp, "idleTimeout", path + ".tcp.idleTimeout"),
        r.integer(http, "http1MaxPendingRequests", path + ".http.http1MaxPendingRequests"),
        r.integer(http, "http2MaxRequests", path + ".http.http2MaxRequests"),
        r.integer(http, "maxRequestsPerConnection", path + ".http.maxRequestsPerConnection"),
        r.integer(http, "maxRetries", path + ".http.maxRetries"),
        r.duration(http, "idleTimeout", path + ".http.idleTimeout"),
        r.integer(http, "maxConcurrentStreams", path + ".http.maxConcurrentStreams"));
  }

  private static LoadBalancer loadBalancer(SpecReader r, JsonNode n, String path) {
    if (n == null) {
      return null;
    }
    JsonNode hash = r.object(n, "consistentHash", path + ".consistentHash");
    JsonNode warmup = r.object(n, "warmup", path + ".warmup");
    return new LoadBalancer(
        r.string(n, "simple", path + ".simple"),
        hash != null,
        r.object(n, "localityLbSetting", path + ".localityLbSetting") != null,
        hash == null ? null : consistentHash(r, hash, path + ".consistentHash"),
        warmup == null
            ? null
            : new LoadBalancer.Warmup(
                r.duration(warmup, "duration", path + ".warmup.duration"),
                r.decimal(warmup, "minimumPercent", path + ".warmup.minimumPercent"),
                r.decimal(warmup, "aggression", path + ".warmup.aggression")));
  }

  private static LoadBalancer.ConsistentHash consistentHash(SpecReader r, JsonNode n, String path) {
    JsonNode cookie = r.object(n, "httpCookie", path + ".httpCookie");
    JsonNode maglev = r.object(n, "maglev", path + ".maglev");
    return new LoadBalancer.ConsistentHash(
        cookie != null,
        r.string(cookie, "name", path + ".httpCookie.name"),
        r.integer(n, "minimumRingSize", path + ".minimumRingSize"),
        r.object(n, "ringHash", path + ".ringHash") != null,
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
        r.duration(n, "interval", path + ".interval"),
        r.duration(n, "baseEjectionTime", path + ".baseEjectionTime"),
        r.integer(n, "maxEjectionPercent", path + ".maxEjectionPercent"),
        r.integer(n, "minHealthPercent", path + ".minHealthPercent"));
  }
}
