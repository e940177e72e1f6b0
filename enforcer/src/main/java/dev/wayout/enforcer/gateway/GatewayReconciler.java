package dev.wayout.enforcer.gateway;

import dev.wayout.enforcer.kube.KubePolicyWriter;
import dev.wayout.model.WaypointRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.LocalParametersReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Makes one Gateway's waypoint what {@link DesiredWaypoint} wants, and reports it in the Gateway's
 * status ({@link GatewayConditions}); or, for a GatewayClass key, marks Wayout's class Accepted.
 * Keys are {@code gateway:NAMESPACE/NAME} and {@code class:NAME}. A Gateway that is gone, being
 * deleted, or of a class Wayout does not serve keeps nothing Wayout made for it: the namespaced
 * objects are owned by the Gateway (a cluster's garbage collector would remove them too), the
 * ClusterRoleBinding is found by its labels; nothing is ever written to such a Gateway.
 */
public final class GatewayReconciler {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayReconciler.class);

  public static final String GATEWAY_KEY = "gateway:";
  public static final String CLASS_KEY = "class:";

  private final KubernetesClient client;
  private final GatewayInformers informers;
  private final GatewayConfig config;
  private final Clock clock;

  public GatewayReconciler(
      KubernetesClient client, GatewayInformers informers, GatewayConfig config, Clock clock) {
    this.client = client;
    this.informers = informers;
    this.config = config;
    this.clock = clock;
  }

  public static String gatewayKey(String namespace, String name) {
    return GATEWAY_KEY + namespace + "/" + name;
  }

  /** Reconciles one key; throws on failure (the loop retries with backoff). */
  public void reconcile(String key) {
    if (key.startsWith(CLASS_KEY)) {
      reconcileClass(key.substring(CLASS_KEY.length()));
      return;
    }
    String ref = key.substring(GATEWAY_KEY.length());
    int slash = ref.indexOf('/');
    String ns = ref.substring(0, slash);
    String name = ref.substring(slash + 1);
    MDC.put("gateway", ref);
    try {
      reconcileGateway(ns, name);
    } finally {
      MDC.remove("gateway");
    }
  }

  /** Whether Wayout serves Gateways of this class: configured, and not claimed by another. */
  public boolean serves(String className) {
    if (!config.serves(className)) {
      return false;
    }
    GatewayClass cls = informers.classes.getStore().getByKey(className);
    if (cls == null) {
      // istio-waypoint is a built-in class, as in Istio: served without a GatewayClass object;
      // Wayout's own class needs its GatewayClass (manifests/gateway)
      return className.equals(GatewayConfig.ISTIO_CLASS);
    }
    return GatewayConfig.CONTROLLER_NAME.equals(cls.getSpec().getControllerName());
  }

  /** The waypoints of the Gateways Wayout serves and that are not being deleted. */
  public Set<WaypointRef> servedWaypoints() {
    Set<WaypointRef> out = new HashSet<>();
    for (Gateway gateway : informers.gateways.getStore().list()) {
      if (gateway.getMetadata().getDeletionTimestamp() == null
          && gateway.getSpec() != null
          && serves(gateway.getSpec().getGatewayClassName())) {
        out.add(
            new WaypointRef(gateway.getMetadata().getNamespace(), gateway.getMetadata().getName()));
      }
    }
    return Set.copyOf(out);
  }

  private void reconcileGateway(String ns, String name) {
    Gateway gateway = informers.gateways.getStore().getByKey(ns + "/" + name);
    if (gateway == null
        || gateway.getMetadata().getDeletionTimestamp() != null
        || !serves(gateway.getSpec().getGatewayClassName())) {
      cleanUp(ns, name, gateway == null ? "the Gateway is gone" : "the Gateway is not Wayout's");
      return;
    }
    String invalid = null;
    WaypointParameters parameters = WaypointParameters.DEFAULTS;
    var infra = gateway.getSpec().getInfrastructure();
    LocalParametersReference ref = infra == null ? null : infra.getParametersRef();
    if (ref != null) {
      if (!"ConfigMap".equals(ref.getKind())
          || !(ref.getGroup() == null || ref.getGroup().isEmpty())) {
        invalid =
            "spec.infrastructure.parametersRef: kind \""
                + ref.getKind()
                + "\" in group \""
                + Objects.toString(ref.getGroup(), "")
                + "\" is not supported; name a ConfigMap (group \"\", kind ConfigMap)";
      } else {
        ConfigMap cm = client.configMaps().inNamespace(ns).withName(ref.getName()).get();
        if (cm == null) {
          invalid =
              "spec.infrastructure.parametersRef: ConfigMap "
                  + ns
                  + "/"
                  + ref.getName()
                  + " does not exist; create it or remove parametersRef";
        } else {
          WaypointParameters.Parsed parsed =
              WaypointParameters.from(ns + "/" + ref.getName(), cm.getData());
          if (parsed.valid()) {
            parameters = parsed.parameters();
          } else {
            invalid = String.join("; ", parsed.problems());
          }
        }
      }
    }
    List<String> clusterIps = List.of();
    boolean deployed = false;
    if (invalid == null) {
      // Server-side apply of an unchanged object changes nothing (no new resourceVersion, no
      // event); it also restores an object someone edited.
      for (HasMetadata want : DesiredWaypoint.namespaced(gateway, parameters, config)) {
        HasMetadata applied = apply(want);
        if (applied instanceof Service svc && svc.getSpec() != null) {
          clusterIps = clusterIps(svc);
        }
        if (applied.getKind().equals("Deployment")) {
          deployed = true;
        }
      }
      apply(DesiredWaypoint.clusterRoleBinding(gateway, config));
    } else {
      LOG.warn("Gateway {}/{} is not accepted: {}", ns, name, invalid);
    }
    GatewayStatus status =
        GatewayConditions.of(gateway, invalid, clusterIps, deployed, clock.instant());
    if (!GatewayConditions.same(gateway.getStatus(), status)) {
      Gateway copy = client.resources(Gateway.class).inNamespace(ns).withName(name).get();
      if (copy == null) {
        return;
      }
      copy.setStatus(status);
      client.resources(Gateway.class).inNamespace(ns).resource(copy).updateStatus();
      LOG.info(
          "Gateway {}/{}: {}",
          ns,
          name,
          status.getConditions().stream()
              .map(c -> c.getType() + "=" + c.getStatus() + " (" + c.getMessage() + ")")
              .toList());
    } else {
      LOG.debug("Gateway {}/{} in sync", ns, name);
    }
  }

  private static List<String> clusterIps(Service svc) {
    List<String> ips = new ArrayList<>();
    if (svc.getSpec().getClusterIPs() != null && !svc.getSpec().getClusterIPs().isEmpty()) {
      ips.addAll(svc.getSpec().getClusterIPs());
    } else if (svc.getSpec().getClusterIP() != null) {
      ips.add(svc.getSpec().getClusterIP());
    }
    ips.removeIf(ip -> ip == null || ip.isEmpty() || ip.equals("None"));
    return ips;
  }

  private HasMetadata apply(HasMetadata want) {
    var resource =
        want.getMetadata().getNamespace() == null
            ? client.resource(want)
            : client.resource(want).inNamespace(want.getMetadata().getNamespace());
    return resource.fieldManager(KubePolicyWriter.FIELD_MANAGER).forceConflicts().serverSideApply();
  }

  /** Deletes what Wayout made for the Gateway {@code ns/name}, found in the informers' caches. */
  private void cleanUp(String ns, String name, String why) {
    List<String> deleted = new ArrayList<>();
    for (SharedIndexInformer<? extends HasMetadata> informer : informers.owned) {
      for (HasMetadata have : informer.getStore().list()) {
        if (ns.equals(have.getMetadata().getNamespace())
            && name.equals(labels(have).get(DesiredWaypoint.GATEWAY_NAME))) {
          client.resource(have).inNamespace(ns).delete();
          deleted.add(have.getKind() + " " + have.getMetadata().getName());
        }
      }
    }
    for (HasMetadata have : informers.clusterRoleBindings.getStore().list()) {
      Map<String, String> l = labels(have);
      if (ns.equals(l.get(DesiredWaypoint.GATEWAY_NAMESPACE))
          && name.equals(l.get(DesiredWaypoint.GATEWAY_NAME))) {
        client.resource(have).delete();
        deleted.add("ClusterRoleBinding " + have.getMetadata().getName());
      }
    }
    if (!deleted.isEmpty()) {
      LOG.info("Gateway {}/{}: {}; deleted {}", ns, name, why, deleted);
    }
  }

  private void reconcileClass(String name) {
    GatewayClass cls = informers.classes.getStore().getByKey(name);
    if (cls == null || !GatewayConfig.CONTROLLER_NAME.equals(cls.getSpec().getControllerName())) {
      return; // not ours: never written
    }
    long generation =
        cls.getMetadata().getGeneration() == null ? 0 : cls.getMetadata().getGeneration();
    var old = cls.getStatus() == null ? null : cls.getStatus().getConditions();
    var want =
        GatewayConditions.classAccepted(old == null ? List.of() : old, generation, clock.instant());
    if (GatewayConditions.sameConditions(old, want)) {
      return;
    }
    GatewayClass copy = client.resources(GatewayClass.class).withName(name).get();
    if (copy == null) {
      return;
    }
    GatewayClassStatus status =
        copy.getStatus() == null ? new GatewayClassStatus() : copy.getStatus();
    status.setConditions(want);
    copy.setStatus(status);
    client.resources(GatewayClass.class).resource(copy).updateStatus();
    LOG.info("GatewayClass {}: Accepted", name);
  }

  private static Map<String, String> labels(HasMetadata o) {
    Map<String, String> l = o.getMetadata().getLabels();
    return l == null ? Map.of() : l;
  }

  /** Every key the controller knows of: Gateways, what was made for them, and classes. */
  public List<String> allKeys() {
    List<String> keys = new ArrayList<>();
    for (Gateway g : informers.gateways.getStore().list()) {
      keys.add(gatewayKey(g.getMetadata().getNamespace(), g.getMetadata().getName()));
    }
    for (SharedIndexInformer<? extends HasMetadata> informer : informers.owned) {
      for (HasMetadata o : informer.getStore().list()) {
        keys.add(
            gatewayKey(
                o.getMetadata().getNamespace(), labels(o).get(DesiredWaypoint.GATEWAY_NAME)));
      }
    }
    for (HasMetadata o : informers.clusterRoleBindings.getStore().list()) {
      Map<String, String> l = labels(o);
      if (l.get(DesiredWaypoint.GATEWAY_NAMESPACE) != null
          && l.get(DesiredWaypoint.GATEWAY_NAME) != null) {
        keys.add(
            gatewayKey(
                l.get(DesiredWaypoint.GATEWAY_NAMESPACE), l.get(DesiredWaypoint.GATEWAY_NAME)));
      }
    }
    for (GatewayClass c : informers.classes.getStore().list()) {
      keys.add(CLASS_KEY + c.getMetadata().getName());
    }
    return keys;
  }
}
