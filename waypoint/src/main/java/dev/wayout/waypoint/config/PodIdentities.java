package dev.wayout.waypoint.config;

import dev.wayout.model.SourceIdentity;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pod IP to {@link SourceIdentity}, kept by the Pods informer: namespace, service account, labels,
 * and the workload that owns the pod (a ReplicaSet's Deployment, as Istio names {@code
 * source_workload}). The identity is built once per pod event, so the event loops only look it up.
 * Host-network pods share the node's IP and name no one: they are left out.
 */
final class PodIdentities implements ResourceEventHandler<Pod> {

  private final Map<String, Owned> byIp = new ConcurrentHashMap<>();

  /** The identity of the pod with this IP, or {@link SourceIdentity#UNKNOWN}. */
  SourceIdentity of(InetAddress address) {
    if (address == null) {
      return SourceIdentity.UNKNOWN;
    }
    Owned o = byIp.get(address.getHostAddress());
    return o == null ? SourceIdentity.UNKNOWN : o.identity();
  }

  @Override
  public void onAdd(Pod pod) {
    put(pod);
  }

  @Override
  public void onUpdate(Pod oldPod, Pod newPod) {
    remove(oldPod);
    put(newPod);
  }

  @Override
  public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
    remove(pod);
  }

  private void put(Pod pod) {
    if (pod.getStatus() == null
        || pod.getSpec() == null
        || Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
      return;
    }
    List<String> ips = ips(pod);
    if (ips.isEmpty()) {
      return;
    }
    Owned o = new Owned(key(pod), identity(pod));
    ips.forEach(ip -> byIp.put(ip, o));
  }

  private void remove(Pod pod) {
    if (pod.getStatus() == null) {
      return;
    }
    String key = key(pod);
    // only the entry this pod put there: a new pod may already have its IP
    ips(pod).forEach(ip -> byIp.computeIfPresent(ip, (k, v) -> v.pod().equals(key) ? null : v));
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  /** An identity with the pod it came from, so that a deletion removes only its own pod's entry. */
  private record Owned(String pod, SourceIdentity identity) {}

  private static List<String> ips(Pod pod) {
    List<String> out = new ArrayList<>();
    if (pod.getStatus().getPodIPs() != null) {
      for (PodIP ip : pod.getStatus().getPodIPs()) {
        if (ip.getIp() != null) {
          out.add(normalise(ip.getIp()));
        }
      }
    }
    if (out.isEmpty() && pod.getStatus().getPodIP() != null) {
      out.add(normalise(pod.getStatus().getPodIP()));
    }
    return out;
  }

  /** As InetAddress.getHostAddress prints it, so that the lookup by a socket's address finds it. */
  private static String normalise(String ip) {
    try {
      return ip.indexOf(':') >= 0 ? InetAddress.getByName(ip).getHostAddress() : ip;
    } catch (java.net.UnknownHostException e) {
      return ip; // a literal: never a lookup
    }
  }

  static SourceIdentity identity(Pod pod) {
    return SourceIdentity.of(
        pod.getMetadata().getNamespace(),
        pod.getSpec().getServiceAccountName(),
        workload(pod),
        pod.getMetadata().getLabels());
  }

  /**
   * As Istio names a pod's workload: a ReplicaSet owner with the pod's {@code pod-template-hash} is
   * its Deployment; a Job with a CronJob's numeric suffix is its CronJob; any other controller is
   * itself; a pod without one is its own workload.
   */
  static String workload(Pod pod) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    OwnerReference controller = null;
    if (owners != null) {
      for (OwnerReference o : owners) {
        if (Boolean.TRUE.equals(o.getController())) {
          controller = o;
        }
      }
    }
    if (controller == null) {
      return pod.getMetadata().getName();
    }
    String name = controller.getName();
    Map<String, String> labels = pod.getMetadata().getLabels();
    if ("ReplicaSet".equals(controller.getKind()) && labels != null) {
      String hash = labels.get("pod-template-hash");
      if (hash != null && name.endsWith("-" + hash)) {
        return name.substring(0, name.length() - hash.length() - 1);
      }
    }
    if ("Job".equals(controller.getKind())) {
      int dash = name.lastIndexOf('-');
      if (dash > 0 && name.substring(dash + 1).matches("\\d+")) {
        return name.substring(0, dash);
      }
    }
    return name;
  }
}
