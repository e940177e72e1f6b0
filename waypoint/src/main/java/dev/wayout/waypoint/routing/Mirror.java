package dev.wayout.waypoint.routing;

/**
 * A mirror destination and the share of requests copied to it, in millionths (Envoy's
 * FractionalPercent over a million).
 */
public record Mirror(Target target, int perMillion) {}
