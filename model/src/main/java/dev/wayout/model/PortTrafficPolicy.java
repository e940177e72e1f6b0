package dev.wayout.model;

/** One entry of {@code trafficPolicy.portLevelSettings}: settings for one port of the host. */
public record PortTrafficPolicy(
    Integer port,
    ConnectionPool connectionPool,
    LoadBalancer loadBalancer,
    OutlierDetection outlierDetection,
    ClientTls tls) {}
