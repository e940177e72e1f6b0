package dev.wayout.webhook;

import dev.wayout.certs.KeyMaterialListener;
import dev.wayout.certs.ReloadableKeyManager;
import dev.wayout.model.Registry;
import dev.wayout.webhook.admission.AdmissionResponse;
import dev.wayout.webhook.http.AdmissionEndpoint;
import dev.wayout.webhook.http.WebhookMetrics;
import dev.wayout.webhook.http.WebhookServer;
import dev.wayout.webhook.kube.ClusterWaypoints;
import dev.wayout.webhook.kube.InformerRegistry;
import dev.wayout.webhook.kube.WaypointAddresses;
import dev.wayout.webhook.review.IstioReviewer;
import dev.wayout.webhook.review.NamespaceLabelGuard;
import dev.wayout.webhook.review.NamespaceLabeler;
import dev.wayout.webhook.review.PodInjector;
import dev.wayout.webhook.review.Reviewer;
import dev.wayout.webhook.review.ValidatingReviewer;
import dev.wayout.webhook.review.WaypointWarnings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running admission webhook: reviewers wired to the HTTPS server, the registry fed by
 * informers. {@code wayout webhook} and the integration tests start it the same way.
 */
public final class Webhook implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);

  private final WebhookServer server;
  private final InformerRegistry informers;
  private final WaypointAddresses waypoint;
  private final ReloadableKeyManager keys;

  private Webhook(
      WebhookServer server,
      InformerRegistry informers,
      WaypointAddresses waypoint,
      ReloadableKeyManager keys) {
    this.server = server;
    this.informers = informers;
    this.waypoint = waypoint;
    this.keys = keys;
  }

  /**
   * Starts informers (when a client is given) and the HTTPS server. The server answers {@code
   * /readyz} with 503 until key material has arrived through {@link #keys()} and the informers have
   * listed everything once.
   *
   * @param client null to run without cross-object checks (a registry that is always empty)
   */
  public static Webhook start(
      WebhookConfig config, KubernetesClient client, ReloadableKeyManager keys) {
    LOG.info("webhook configuration: {}", config.describe());
    InformerRegistry informers = client == null ? null : new InformerRegistry(client).start();
    Supplier<Registry> registry = informers == null ? () -> Registry.EMPTY : informers;
    PodInjectionConfig injection = config.podInjection();
    WaypointAddresses waypoint =
        client != null && injection != null && injection.followsWaypointService()
            ? new WaypointAddresses(
                client, injection.waypointServiceNamespace(), injection.waypointServiceName())
            : null;
    WaypointWarnings waypoints =
        client == null
            ? null
            : new WaypointWarnings(
                new ClusterWaypoints(client), registry, config.defaultWaypoint());
    WebhookMetrics metrics = new WebhookMetrics();
    AdmissionEndpoint endpoint =
        new AdmissionEndpoint(
            new ValidatingReviewer(
                new IstioReviewer(registry, waypoints),
                new NamespaceLabelGuard(config.egressAdmins()),
                waypoints),
            new NamespaceLabeler(config.excludedNamespaces()),
            podReviewer(config, waypoint),
            metrics);
    WebhookServer server =
        new WebhookServer(
            config.host(),
            config.port(),
            keys,
            endpoint,
            metrics,
            () -> informers == null || informers.synced());
    try {
      server.start();
    } catch (RuntimeException e) {
      if (informers != null) {
        informers.close();
      }
      if (waypoint != null) {
        waypoint.close();
      }
      throw e;
    }
    return new Webhook(server, informers, waypoint, keys);
  }

  /** Injection when configured; otherwise every Pod passes unchanged (and we say so once). */
  private static Reviewer podReviewer(WebhookConfig config, WaypointAddresses waypoint) {
    PodInjectionConfig injection = config.podInjection();
    if (injection == null) {
      LOG.warn(
          "pod injection is off: set WAYOUT_CLUSTER_CIDRS to the cluster's pod and service ranges"
              + " to give pods of enforced namespaces the wayout-init container");
      return request -> AdmissionResponse.allow();
    }
    Supplier<List<InetAddress>> addresses =
        !injection.followsWaypointService()
            ? injection::waypointAddresses
            : waypoint != null ? waypoint : List::of;
    String source =
        injection.followsWaypointService()
            ? "Service "
                + injection.waypointServiceNamespace()
                + "/"
                + injection.waypointServiceName()
            : "WAYOUT_WAYPOINT_ADDRESSES";
    return new PodInjector(injection.injection(config.egressAdmins()), addresses, source);
  }

  /** Without an API server: no cross-object checks (benchmarks, laptops). */
  public static Webhook start(WebhookConfig config, ReloadableKeyManager keys) {
    return start(config, null, keys);
  }

  public int port() {
    return server.port();
  }

  /** Where the certificate rotation loop hands new serving key material. */
  public KeyMaterialListener keys() {
    return keys;
  }

  @Override
  public void close() {
    server.close();
    if (informers != null) {
      informers.close();
    }
    if (waypoint != null) {
      waypoint.close();
    }
  }
}
