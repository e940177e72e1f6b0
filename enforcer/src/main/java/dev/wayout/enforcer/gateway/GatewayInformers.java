package dev.wayout.enforcer.gateway;

import dev.wayout.model.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Gateway controller's informers: Gateways and GatewayClasses, and the objects Wayout created
 * for Gateways (selected by {@code app.kubernetes.io/managed-by=wayout} and the Gateway API's
 * {@code gateway-name} label), so that an edited or deleted one is put back and one whose Gateway
 * is gone is found and removed.
 */
public final class GatewayInformers implements AutoCloseable {

  static final String OWNED =
      Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_WAYOUT + "," + DesiredWaypoint.GATEWAY_NAME;

  final SharedIndexInformer<Gateway> gateways;
  final SharedIndexInformer<GatewayClass> classes;

  /** Namespaced objects owned by Gateways, one informer per kind. */
  final List<SharedIndexInformer<? extends HasMetadata>> owned = new ArrayList<>();

  final SharedIndexInformer<? extends HasMetadata> clusterRoleBindings;

  public GatewayInformers(KubernetesClient client) {
    this.gateways = client.resources(Gateway.class).inAnyNamespace().runnableInformer(0);
    this.classes = client.resources(GatewayClass.class).runnableInformer(0);
    owned.add(
        client.apps().deployments().inAnyNamespace().withLabelSelector(OWNED).runnableInformer(0));
    owned.add(client.services().inAnyNamespace().withLabelSelector(OWNED).runnableInformer(0));
    owned.add(
        client.serviceAccounts().inAnyNamespace().withLabelSelector(OWNED).runnableInformer(0));
    owned.add(
        client.rbac().roleBindings().inAnyNamespace().withLabelSelector(OWNED).runnableInformer(0));
    owned.add(
        client
            .policy()
            .v1()
            .podDisruptionBudget()
            .inAnyNamespace()
            .withLabelSelector(OWNED)
            .runnableInformer(0));
    this.clusterRoleBindings =
        client
            .rbac()
            .clusterRoleBindings()
            .withLabelSelector(
                Labels.MANAGED_BY
                    + "="
                    + Labels.MANAGED_BY_WAYOUT
                    + ","
                    + DesiredWaypoint.GATEWAY_NAMESPACE)
            .runnableInformer(0);
  }

  /** The Gateways, for the NetworkPolicies that depend on them. */
  public SharedIndexInformer<Gateway> gatewayInformer() {
    return gateways;
  }

  /** The GatewayClasses, for the NetworkPolicies that depend on which classes are served. */
  public SharedIndexInformer<GatewayClass> classInformer() {
    return classes;
  }

  List<SharedIndexInformer<?>> all() {
    List<SharedIndexInformer<?>> all = new ArrayList<>();
    all.add(gateways);
    all.add(classes);
    all.addAll(owned);
    all.add(clusterRoleBindings);
    return all;
  }

  /**
   * Starts every informer and waits for their first lists.
   *
   * @throws IllegalStateException naming what did not sync and the likely cause
   */
  public void startAndSync(Duration timeout) {
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (SharedIndexInformer<?> informer : all()) {
      started.add(informer.start().toCompletableFuture());
    }
    try {
      CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Gateways and the objects made for them did not sync within "
              + timeout
              + "; may the enforcer list and watch gateways, gatewayclasses, deployments,"
              + " services, serviceaccounts, rolebindings, clusterrolebindings and"
              + " poddisruptionbudgets (manifests/enforcer)?",
          e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Gateways cannot be listed: "
              + e.getCause().getMessage()
              + "; may the enforcer list and watch them (manifests/enforcer)?",
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for Gateways to sync", e);
    }
  }

  @Override
  public void close() {
    all().forEach(SharedIndexInformer::close);
  }
}
