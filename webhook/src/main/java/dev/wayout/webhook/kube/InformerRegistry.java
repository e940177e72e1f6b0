package dev.wayout.webhook.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wayout.model.DestinationRule;
import dev.wayout.model.InvalidResourceException;
import dev.wayout.model.Registry;
import dev.wayout.model.ServiceEntry;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's ServiceEntries and DestinationRules from fabric8 informer caches, as the {@link
 * Registry} the cross-object checks read. Each object is converted to its record once, when its
 * event arrives; a snapshot is rebuilt only after a change. An object that cannot be read is logged
 * and left out: the webhook refuses such objects, so they predate it.
 */
public final class InformerRegistry implements Supplier<Registry>, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(InformerRegistry.class);
  private static final String API_VERSION = "networking.istio.io/v1";
  // Named outright: looking the kinds up through discovery fails when the CRDs are not installed,
  // and the webhook must still start (and label namespaces) then.
  private static final ResourceDefinitionContext SERVICE_ENTRIES =
      context("ServiceEntry", "serviceentries");
  private static final ResourceDefinitionContext DESTINATION_RULES =
      context("DestinationRule", "destinationrules");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KubernetesClient client;
  private final Map<String, ServiceEntry> entries = new ConcurrentHashMap<>();
  private final Map<String, DestinationRule> rules = new ConcurrentHashMap<>();
  private volatile Registry snapshot = Registry.EMPTY;
  private volatile boolean stale;
  private volatile boolean unlistable;
  private SharedIndexInformer<GenericKubernetesResource> entryInformer;
  private SharedIndexInformer<GenericKubernetesResource> ruleInformer;

  public InformerRegistry(KubernetesClient client) {
    this.client = client;
  }

  /** Starts both informers; they list, then watch, in the background. */
  public InformerRegistry start() {
    entryInformer = inform(SERVICE_ENTRIES, entries, ServiceEntry::from);
    ruleInformer = inform(DESTINATION_RULES, rules, DestinationRule::from);
    return this;
  }

  /**
   * True once both informers have listed everything at least once, or once listing has failed (the
   * CRDs are not installed): the webhook is then ready without cross-object checks.
   */
  public boolean synced() {
    return unlistable
        || entryInformer != null
            && entryInformer.hasSynced()
            && ruleInformer != null
            && ruleInformer.hasSynced();
  }

  @Override
  public Registry get() {
    if (stale) {
      // Clear first: a change racing with the rebuild marks it stale again and is not lost.
      stale = false;
      snapshot = new Registry(List.copyOf(entries.values()), List.copyOf(rules.values()));
    }
    return snapshot;
  }

  @Override
  public void close() {
    if (entryInformer != null) {
      entryInformer.close();
    }
    if (ruleInformer != null) {
      ruleInformer.close();
    }
  }

  private static ResourceDefinitionContext context(String kind, String plural) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("networking.istio.io")
        .withVersion("v1")
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(true)
        .build();
  }

  private <T> SharedIndexInformer<GenericKubernetesResource> inform(
      ResourceDefinitionContext context, Map<String, T> cache, Function<JsonNode, T> reader) {
    String kind = context.getKind();
    SharedIndexInformer<GenericKubernetesResource> informer =
        client.genericKubernetesResources(context).inAnyNamespace().runnableInformer(0);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(GenericKubernetesResource obj) {
            put(kind, cache, reader, obj);
          }

          @Override
          public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
            put(kind, cache, reader, newObj);
          }

          @Override
          public void onDelete(GenericKubernetesResource obj, boolean finalStateUnknown) {
            cache.remove(key(obj));
            stale = true;
          }
        });
    informer
        .start()
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                unlistable = true;
                LOG.warn(
                    "cannot list {} {}s ({}); cross-object checks are off until the webhook"
                        + " restarts with the CRDs installed",
                    API_VERSION,
                    kind,
                    error.getMessage());
              } else {
                LOG.info("watching {}s in every namespace", kind);
              }
            });
    return informer;
  }

  private <T> void put(
      String kind,
      Map<String, T> cache,
      Function<JsonNode, T> reader,
      GenericKubernetesResource resource) {
    String key = key(resource);
    try {
      cache.put(key, reader.apply(toJson(resource)));
    } catch (InvalidResourceException e) {
      cache.remove(key);
      LOG.warn("{} {} cannot be read and is left out: {}", kind, key, e.getMessage());
    }
    stale = true;
  }

  private JsonNode toJson(GenericKubernetesResource resource) {
    try {
      return JSON.readTree(client.getKubernetesSerialization().asJson(resource));
    } catch (IOException e) {
      throw new IllegalStateException("fabric8 wrote JSON that Jackson cannot read", e);
    }
  }

  private static String key(GenericKubernetesResource resource) {
    return resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
  }
}
