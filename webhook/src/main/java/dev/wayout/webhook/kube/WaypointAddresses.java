package dev.wayout.webhook.kube;

import dev.wayout.model.Cidr;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The waypoint Service's cluster IPs (one per family), kept current by an informer on that one
 * Service: what the pod mutation passes to the init container as {@code --waypoint}. Empty while
 * the Service does not exist or is headless; the init container then refuses to start, naming the
 * missing waypoint, rather than leave the pod's way out open.
 */
public final class WaypointAddresses implements Supplier<List<InetAddress>>, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WaypointAddresses.class);

  private final SharedIndexInformer<Service> informer;

  /** Starts watching; the first list happens in the background. */
  public WaypointAddresses(KubernetesClient client, String namespace, String service) {
    // One object by name: the webhook's Role can grant exactly this Service (resourceNames).
    this.informer = client.services().inNamespace(namespace).withName(service).runnableInformer(0);
    informer
        .start()
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                LOG.warn(
                    "cannot watch Service {}/{} ({}); injected init containers get no waypoint"
                        + " address until it can: grant get, list, watch on it",
                    namespace,
                    service,
                    error.getMessage());
              } else {
                LOG.info("following the waypoint's Service {}/{}", namespace, service);
              }
            });
  }

  /** The cluster IPs as addresses, in the Service's order (its primary family first). */
  public List<InetAddress> current() {
    List<InetAddress> out = new ArrayList<>();
    for (Service s : informer.getStore().list()) {
      List<String> ips =
          s.getSpec().getClusterIPs() != null && !s.getSpec().getClusterIPs().isEmpty()
              ? s.getSpec().getClusterIPs()
              : s.getSpec().getClusterIP() == null
                  ? List.of()
                  : List.of(s.getSpec().getClusterIP());
      for (String ip : ips) {
        if (!ip.isBlank() && !ip.equals("None")) {
          out.add(Cidr.address(ip));
        }
      }
    }
    return List.copyOf(out);
  }

  @Override
  public List<InetAddress> get() {
    return current();
  }

  public boolean synced() {
    return informer.hasSynced();
  }

  @Override
  public void close() {
    informer.close();
  }
}
