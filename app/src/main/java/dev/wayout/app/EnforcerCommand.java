package dev.wayout.app;

import dev.wayout.enforcer.ConfigException;
import dev.wayout.enforcer.Enforcer;
import dev.wayout.enforcer.EnforcerConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code wayout enforcer}: keeps NetworkPolicies in every enforced namespace equal to what the
 * registry implies. Configured by WAYOUT_* variables; a bad one stops start-up with a message.
 */
@Command(
    name = "enforcer",
    mixinStandardHelpOptions = true,
    description = {
      "Run the enforcer: wayout-egress in every namespace labelled wayout.dev/egress=enforced,"
          + " wayout-waypoint-egress in the waypoint's namespace; leader-elected on a Lease.",
      "Needs WAYOUT_CLUSTER_CIDRS (pod and service ranges). Serves /metrics and /healthz/ready"
          + " on WAYOUT_METRICS_PORT (15020)."
    })
final class EnforcerCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(EnforcerCommand.class);

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    EnforcerConfig config;
    try {
      config = EnforcerConfig.fromEnv(System.getenv());
    } catch (ConfigException e) {
      spec.commandLine().getErr().println("wayout enforcer: cannot start:\n" + e.getMessage());
      return 2;
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicBoolean ready = new AtomicBoolean();
    AtomicReference<Enforcer> running = new AtomicReference<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              // on SIGTERM: stop writing and release the Lease, so the standby takes over at once
              LOG.info("stopping");
              Enforcer enforcer = running.getAndSet(null);
              if (enforcer != null) {
                enforcer.close();
              }
              stopped.countDown();
            },
            "wayout-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try (KubernetesClient client = KubeClients.create();
        AdminServer admin = AdminServer.start(config.metricsPort(), registry::scrape, ready::get)) {
      LOG.info("serving /metrics and /healthz/ready on port {}", admin.port());
      try {
        running.set(Enforcer.start(client, config, registry));
      } catch (IllegalStateException e) {
        spec.commandLine().getErr().println("wayout enforcer: cannot start: " + e.getMessage());
        return 1;
      }
      ready.set(true);
      stopped.await();
      return 0;
    }
  }
}
