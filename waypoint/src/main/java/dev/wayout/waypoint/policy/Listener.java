package dev.wayout.waypoint.policy;

/** How a connection reached the waypoint, which decides the ServiceEntry ports it may use. */
public enum Listener {
  /** Plain HTTP on 15001 (origin-form or absolute-form): the waypoint sees every request. */
  HTTP,
  /** A CONNECT tunnel on 15001 or captured TLS on 15443: passed through by host or SNI. */
  TUNNEL;

  /**
   * HTTPS/TLS ports carry encrypted bytes: never routed as plain HTTP, and plain HTTP ports never
   * tunnelled.
   */
  public boolean accepts(dev.wayout.model.ServicePort port) {
    return this == HTTP ? !port.isTls() : !port.isHttp();
  }
}
