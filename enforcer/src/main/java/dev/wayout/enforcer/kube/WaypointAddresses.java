package dev.wayout.enforcer.kube;

import dev.wayout.enforcer.desired.Cidr;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The waypoint Service's cluster IPs (one per family), kept current by an informer on that one
 * Service: what the pod mutation passes to the init container as {@code --waypoint}. Empty while
 * the Service does not exist or is headless; the init container then refuses to start, naming the
 * missing waypoint, rather than leave the pod's way out open.
 */
public final class WaypointAddresses implements AutoCloseable {

  private final SharedIndexInformer<Service> informer;

  public WaypointAddresses(KubernetesClient client, String namespace, String service) {
    this.informer = client.services().inNamespace(namespace).withName(service).inform();
  }

  /** The cluster IPs as addresses, IPv4 first when dual-stack; empty when unknown. */
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
  public void close() {
    informer.close();
  }
}
