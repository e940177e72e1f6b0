package dev.wayout.waypoint.routing;

/**
 * What the router reads of a request: plain values, so that the decision can be tested without a
 * socket. The waypoint's handler adapts Netty's request to it without copying.
 */
public interface HttpRequestView {

  String method();

  /** The path without the query string. */
  String path();

  /** The query string after '?', or null when there is none. */
  String query();

  /** The authority (Host) as the client sent it. */
  String authority();

  /** The first value of a header (case-insensitive name), or null when absent. */
  String header(CharSequence name);
}
