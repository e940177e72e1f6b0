package dev.wayout.waypoint.upstream;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.List;

/**
 * TLS origination for one route: the client context (trust, client certificate), the SNI to send,
 * and what the upstream's certificate must prove. Built off the event loop when the policy is
 * built, so no file is read while serving. A route whose settings could not be loaded carries the
 * {@code error} instead and answers 503 with it.
 *
 * @param sni the name to send, or null for the requested host
 * @param subjectAltNames if set, the certificate must carry one of these (instead of the host name)
 */
public record UpstreamTls(
    SslContext context, String sni, List<String> subjectAltNames, boolean verify, String error) {

  public UpstreamTls {
    subjectAltNames = List.copyOf(subjectAltNames);
  }

  public static UpstreamTls failed(String error) {
    return new UpstreamTls(null, null, List.of(), true, error);
  }

  public String serverName(String host) {
    return sni == null || sni.isEmpty() ? host : sni;
  }

  /**
   * A client-mode handler that sends SNI and, unless SANs are listed or verification is off, checks
   * the certificate against the name as HTTPS clients do.
   */
  public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
    String serverName = serverName(host);
    // The context decides the host name check (see TlsContexts); the engine gets the SNI.
    return context.newHandler(alloc, serverName, port);
  }
}
