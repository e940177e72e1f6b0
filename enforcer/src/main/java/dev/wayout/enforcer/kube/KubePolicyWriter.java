package dev.wayout.enforcer.kube;

import dev.wayout.enforcer.reconcile.PolicyWriter;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes NetworkPolicies with server-side apply under {@value #FIELD_MANAGER}, and Events. */
public final class KubePolicyWriter implements PolicyWriter {

  private static final Logger LOG = LoggerFactory.getLogger(KubePolicyWriter.class);

  public static final String FIELD_MANAGER = "wayout-enforcer";

  private final KubernetesClient client;
  private final String identity;

  /**
   * Events go out on a thread of their own so a burst of changes (a thousand new namespaces) is not
   * slowed by a second API call each; when the backlog is full, events are dropped, never policies.
   */
  private final ThreadPoolExecutor events =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.MILLISECONDS,
          new ArrayBlockingQueue<>(2000),
          r -> {
            Thread t = new Thread(r, "wayout-events");
            t.setDaemon(true);
            return t;
          },
          (task, pool) -> LOG.debug("event backlog full: an event was dropped"));

  /**
   * @param identity this replica's name, reported in Events
   */
  public KubePolicyWriter(KubernetesClient client, String identity) {
    this.client = client;
    this.identity = identity;
  }

  @Override
  public void apply(NetworkPolicy policy) {
    client
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(policy.getMetadata().getNamespace())
        .resource(policy)
        .fieldManager(FIELD_MANAGER)
        .forceConflicts()
        .serverSideApply();
  }

  @Override
  public void delete(String namespace, String name) {
    client.network().v1().networkPolicies().inNamespace(namespace).withName(name).delete();
  }

  @Override
  public void event(String namespace, String reason, String message) {
    String now =
        DateTimeFormatter.ISO_INSTANT.format(
            Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withGenerateName(namespace + ".")
            .withNamespace(namespace)
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion("v1")
            .withKind("Namespace")
            .withName(namespace)
            // the API server wants an Event's namespace to match its object's; this way the
            // Event shows in `kubectl get events -n NAMESPACE`, next to the policy it is about
            .withNamespace(namespace)
            .endInvolvedObject()
            .withType("Normal")
            .withReason(reason)
            .withMessage(message)
            .withNewSource()
            .withComponent(FIELD_MANAGER)
            .endSource()
            .withReportingComponent(FIELD_MANAGER)
            .withReportingInstance(identity)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build();
    try {
      events.execute(
          () -> {
            try {
              client.v1().events().inNamespace(namespace).resource(event).create();
            } catch (RuntimeException e) {
              // an Event is a courtesy: a terminating namespace refuses it, a closed client
              // (shutting down) cannot send it, and either is fine
              LOG.debug(
                  "cannot record event {} on namespace {}: {}", reason, namespace, e.getMessage());
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("not recording event {} on namespace {}: shutting down", reason, namespace);
    }
  }
}
