package dev.wayout.waypoint.upstream;

/** What makes two upstream connections interchangeable: requested host, port, TLS settings. */
record PoolKey(String host, int port, UpstreamTls tls) {}
