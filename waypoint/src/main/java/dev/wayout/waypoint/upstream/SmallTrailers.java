package dev.wayout.waypoint.upstream;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * Trailers with Netty's validation but a two-slot table: the decoder gives every body's last part a
 * trailer map, almost always empty, and the default sixteen-slot table was a few percent of the
 * garbage a request leaves.
 */
public final class SmallTrailers implements HttpHeadersFactory {

  public static final HttpHeadersFactory FACTORY = new SmallTrailers();

  private static final HttpHeadersFactory NETTY = DefaultHttpHeadersFactory.trailersFactory();

  private SmallTrailers() {}

  @Override
  public HttpHeaders newHeaders() {
    return NETTY.newEmptyHeaders();
  }

  @Override
  public HttpHeaders newEmptyHeaders() {
    return NETTY.newEmptyHeaders();
  }
}
