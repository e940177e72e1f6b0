package dev.wayout.app;

import dev.wayout.enforcer.ConfigException;
import dev.wayout.enforcer.Enforcer;
import dev.wayout.enforcer.EnforcerConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
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
    CountDownLatch stop = new CountDownLatch(1);
    try (KubernetesClient client = new KubernetesClientBuilder().build();
        AdminServer admin = AdminServer.start(config.metricsPort(), registry::scrape, ready::get)) {
      LOG.info("serving /metrics and /healthz/ready on port {}", admin.port());
      Enforcer enforcer;
      try {
        enforcer = Enforcer.start(client, config, registry);
      } catch (IllegalStateException e) {
        spec.commandLine().getErr().println("wayout enforcer: cannot start: " + e.getMessage());
        return 1;
      }
      ready.set(true);
      Thread hook =
          new Thread(
              () -> {
                // release the Lease on SIGTERM so the standby takes over at once
                enforcer.close();
                stop.countDown();
              },
              "wayout-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      stop.await();
      return 0;
    }
  }
}
