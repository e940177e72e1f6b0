package dev.wayout.waypoint.upstream;

/**
 * What makes two upstream connections interchangeable: the cluster, the requested host (the SNI and
 * Host of a wildcard entry), the endpoint and the TLS settings. Strings, so that connections pooled
 * before a policy reload serve the same cluster and endpoint after it.
 */
record PoolKey(String cluster, String host, String endpoint, UpstreamTls tls) {}
