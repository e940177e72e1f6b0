package dev.wayout.webhook.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wayout.model.Gateway;
import dev.wayout.model.GatewayClass;
import dev.wayout.model.InvalidResourceException;
import dev.wayout.model.KubeNamespace;
import dev.wayout.model.WaypointChecks.Lookup;
import dev.wayout.model.WaypointRef;
import dev.wayout.webhook.review.WaypointView;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The waypoint checks' view of the cluster, read with a GET per review (Gateways, GatewayClasses
 * and Namespaces change rarely and a review is rare too; no informer needs to be kept warm). A
 * cluster without the Gateway API has no Gateways (a GET answers 404); a lookup that fails
 * otherwise (RBAC, a timeout) makes the check say it could not be made.
 */
public final class ClusterWaypoints implements WaypointView {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterWaypoints.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ResourceDefinitionContext GATEWAYS = context("Gateway", "gateways", true);
  private static final ResourceDefinitionContext CLASSES =
      context("GatewayClass", "gatewayclasses", false);

  private final KubernetesClient client;

  public ClusterWaypoints(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Lookup<Gateway> gateway(WaypointRef ref) {
    Lookup<Gateway> found = gatewayObject(ref);
    if (found.isMissing() && !gatewayApiInstalled()) {
      return Lookup.impossible(
          "the API server does not serve the Gateway API (" + Gateway.GROUP + ")");
    }
    return found;
  }

  /** Whether the API server serves {@code gateway.networking.k8s.io}; true when it cannot tell. */
  private boolean gatewayApiInstalled() {
    try {
      return client.getApiGroup(Gateway.GROUP) != null;
    } catch (KubernetesClientException e) {
      return true; // the lookup itself said "missing": let that stand
    }
  }

  private Lookup<Gateway> gatewayObject(WaypointRef ref) {
    return lookup(
        "Gateway " + ref,
        () ->
            client
                .genericKubernetesResources(GATEWAYS)
                .inNamespace(ref.namespace())
                .withName(ref.name())
                .get(),
        Gateway::from);
  }

  @Override
  public Lookup<GatewayClass> gatewayClass(String name) {
    return lookup(
        "GatewayClass " + name,
        () -> client.genericKubernetesResources(CLASSES).withName(name).get(),
        GatewayClass::from);
  }

  @Override
  public String where() {
    return "in the cluster";
  }

  @Override
  public Map<String, String> namespaceLabels(String namespace) {
    try {
      Namespace ns = client.namespaces().withName(namespace).get();
      return ns == null || ns.getMetadata().getLabels() == null
          ? Map.of()
          : ns.getMetadata().getLabels();
    } catch (KubernetesClientException e) {
      LOG.warn("cannot read namespace {} for the waypoint checks: {}", namespace, e.getMessage());
      return Map.of();
    }
  }

  @Override
  public List<KubeNamespace> namespaces() {
    try {
      List<KubeNamespace> out = new ArrayList<>();
      for (Namespace ns : client.namespaces().list().getItems()) {
        out.add(new KubeNamespace(ns.getMetadata().getName(), ns.getMetadata().getLabels()));
      }
      return out;
    } catch (KubernetesClientException e) {
      LOG.warn("cannot list namespaces for the waypoint checks: {}", e.getMessage());
      return List.of();
    }
  }

  private interface Get {
    GenericKubernetesResource get();
  }

  private <T> Lookup<T> lookup(String what, Get get, Function<JsonNode, T> reader) {
    try {
      GenericKubernetesResource found = get.get();
      if (found == null) {
        return Lookup.missing();
      }
      return Lookup.of(
          reader.apply(JSON.readTree(client.getKubernetesSerialization().asJson(found))));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return Lookup.missing(); // no such resource type: the Gateway API is not installed
      }
      return Lookup.unknown(
          "the webhook could not read "
              + what
              + " ("
              + (e.getCode() == 403
                  ? "forbidden: check its RBAC in manifests/webhook"
                  : e.getMessage())
              + ")");
    } catch (IOException | InvalidResourceException e) {
      return Lookup.unknown("the webhook could not read " + what + " (" + e.getMessage() + ")");
    }
  }

  private static ResourceDefinitionContext context(String kind, String plural, boolean namespaced) {
    return new ResourceDefinitionContext.Builder()
        .withGroup(Gateway.GROUP)
        .withVersion("v1")
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(namespaced)
        .build();
  }
}
