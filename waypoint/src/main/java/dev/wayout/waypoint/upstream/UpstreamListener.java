package dev.wayout.waypoint.upstream;

import io.netty.handler.codec.http.HttpObject;

/** The exchange an upstream connection currently serves; it receives the upstream's events. */
public interface UpstreamListener {

  /** A response part; the listener owns (and must release) it. */
  void upstreamRead(HttpObject msg);

  void upstreamReadComplete();

  void upstreamWritabilityChanged(boolean writable);

  /** The upstream connection closed or failed while serving this exchange. */
  void upstreamClosed(Throwable cause);
}
