package dev.wayout.webhook.http;

import dev.wayout.certs.ReloadableKeyManager;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's HTTPS server: Javalin on Jetty with one TLS connector (TLS 1.2 and 1.3 only) whose
 * key material comes from a {@link ReloadableKeyManager}, so certificate rotation needs no restart.
 * Routes: {@code POST /validate}, {@code POST /mutate/namespaces}, {@code POST /mutate/pods},
 * {@code GET /healthz}, {@code GET /readyz}, {@code GET /metrics}. No exception ever reaches the
 * client as a 500 with a stack trace.
 */
public final class WebhookServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);

  private final Javalin app;
  private ServerConnector connector;

  /**
   * @param host the address to bind, e.g. "0.0.0.0" in a pod, "127.0.0.1" in tests
   * @param port 9443 in a cluster, 0 for an ephemeral port
   * @param ready answers {@code /readyz}: true once the server can decide reviews correctly
   */
  public WebhookServer(
      String host,
      int port,
      ReloadableKeyManager keys,
      AdmissionEndpoint endpoint,
      WebhookMetrics metrics,
      BooleanSupplier ready) {
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.jetty.addConnector(
                  (server, http) -> tlsConnector(server, http, keys, host, port));
              config.routes.post("/validate", endpoint::validate);
              config.routes.post("/mutate/namespaces", endpoint::mutateNamespaces);
              config.routes.post("/mutate/pods", endpoint::mutatePods);
              config.routes.get("/healthz", ctx -> ctx.result("ok"));
              config.routes.get(
                  "/readyz",
                  ctx -> {
                    boolean ok = ready.getAsBoolean() && keys.current() != null;
                    ctx.status(ok ? 200 : 503).result(ok ? "ok" : "not ready");
                  });
              config.routes.get(
                  "/metrics",
                  ctx ->
                      ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                          .result(metrics.scrape()));
              config.routes.exception(Exception.class, WebhookServer::internalError);
            });
  }

  /** Binds and starts serving; returns once the port is open. */
  public WebhookServer start() {
    app.start();
    LOG.info("webhook listening on https://{}:{}", connector.getHost(), port());
    return this;
  }

  /** The bound port (useful when started on port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(connector.getHost(), port());
  }

  /** Stops accepting, lets requests in flight finish, closes. */
  @Override
  public void close() {
    app.stop();
  }

  private ServerConnector tlsConnector(
      Server server, HttpConfiguration http, ReloadableKeyManager keys, String host, int port) {
    this.connector = new ServerConnector(server, ssl(keys), httpsFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    return connector;
  }

  private static SslConnectionFactory ssl(ReloadableKeyManager keys) {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    // The context's key manager reads the current pair on every handshake: rotation is a swap.
    ssl.setSslContext(keys.sslContext());
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    ssl.setSniRequired(false);
    return new SslConnectionFactory(ssl, "http/1.1");
  }

  private static HttpConnectionFactory httpsFactory(HttpConfiguration http) {
    HttpConfiguration https = new HttpConfiguration(http);
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    // Clients reach us by Service name or by IP; the certificate lists both, Jetty need not check.
    secure.setSniHostCheck(false);
    https.addCustomizer(secure);
    return new HttpConnectionFactory(https);
  }

  private static void internalError(Exception e, Context ctx) {
    // A bug of ours, not the caller's: log it with the stack, answer without it.
    LOG.error("unexpected error answering {} {}", ctx.method(), ctx.path(), e);
    ctx.status(500).contentType("text/plain").result("internal error; see the webhook's log");
  }
}
