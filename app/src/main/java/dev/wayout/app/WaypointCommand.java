package dev.wayout.app;

import dev.wayout.waypoint.Waypoint;
import dev.wayout.waypoint.WaypointConfig;
import dev.wayout.waypoint.access.BatchingAccessLog;
import dev.wayout.waypoint.config.DirectoryPolicySource;
import dev.wayout.waypoint.config.IdentitiesFileSource;
import dev.wayout.waypoint.config.KubernetesPolicySource;
import dev.wayout.waypoint.policy.EgressPolicyBuilder;
import dev.wayout.waypoint.policy.WaypointBinding;
import dev.wayout.waypoint.upstream.TlsContexts;
import io.netty.util.ResourceLeakDetector;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wayout waypoint}: the egress proxy. With {@code --config DIR} it serves the ServiceEntries
 * and DestinationRules of a folder of YAML (watched for changes); without, those of the cluster
 * bound to it by {@code istio.io/use-waypoint}. Settings come from {@code WAYOUT_WAYPOINT_*}.
 */
@Command(
    name = "waypoint",
    mixinStandardHelpOptions = true,
    description = {
      "Run the egress waypoint: HTTP on 15001, TLS by SNI on 15443, /metrics on 15020,"
          + " /healthz/ready on 15021.",
      "Settings: WAYOUT_WAYPOINT_* environment variables (see the README)."
    })
public final class WaypointCommand implements Callable<Integer> {

  @Option(
      names = "--config",
      paramLabel = "DIR",
      description = "Serve the ServiceEntries and DestinationRules in this file or folder of YAML.")
  Path config;

  @Option(
      names = {"-n", "--namespace"},
      defaultValue = "default",
      description = "Namespace for objects in --config that name none (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Override
  public Integer call() throws Exception {
    return serve(System.getenv(), config, namespace);
  }

  /**
   * Runs the waypoint until the process is asked to stop: from {@code config} when given, else from
   * the cluster. Returns the exit code (2 for bad settings).
   */
  static int serve(Map<String, String> env, Path config, String namespace) throws Exception {
    WaypointConfig settings;
    try {
      settings = WaypointConfig.fromEnv(env);
    } catch (IllegalArgumentException e) {
      System.err.println("wayout waypoint: " + e.getMessage());
      return 2;
    }
    quietLeakDetection();
    BatchingAccessLog accessLog =
        BatchingAccessLog.start(
            new FileOutputStream(FileDescriptor.out).getChannel(),
            8 * 1024 * 1024, // about 16,000 lines waiting for stdout before requests wait
            settings.accessLogFlushInterval());
    Waypoint waypoint;
    try {
      waypoint = new Waypoint(settings, accessLog);
    } catch (IllegalStateException e) { // a transport asked for by name that is not available
      accessLog.close();
      System.err.println("wayout waypoint: " + e.getMessage());
      return 2;
    }
    AutoCloseable source;
    AutoCloseable identities = () -> {};
    if (config != null && settings.identitiesFile() != null) {
      try {
        IdentitiesFileSource file =
            new IdentitiesFileSource(settings.identitiesFile())
                .start(settings.configPollInterval());
        waypoint.sourceIdentities(file);
        identities = file;
      } catch (IllegalArgumentException e) {
        System.err.println("wayout waypoint: " + e.getMessage());
        return 2;
      }
    }
    if (config != null) {
      EgressPolicyBuilder builder =
          new EgressPolicyBuilder(
              () -> WaypointBinding.everything(settings.name()),
              new TlsContexts(settings.trustedCaFile(), settings.credentialsDir()),
              settings.connectTimeout(),
              settings.upstreamIdleTimeout());
      try {
        source =
            new DirectoryPolicySource(config, namespace, builder, waypoint::update)
                .start(settings.configPollInterval());
      } catch (IllegalArgumentException e) {
        System.err.println("wayout waypoint: " + e.getMessage());
        return 2;
      }
    } else {
      source = KubernetesPolicySource.start(settings, waypoint);
    }
    // The hook is in place before the listeners open: a SIGTERM right after they do still drains
    // and writes every access-log line.
    CountDownLatch stopped = new CountDownLatch(1);
    AutoCloseable identitySource = identities;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    source.close();
                    identitySource.close();
                  } catch (Exception e) {
                    // shutting down anyway
                  }
                  waypoint.close();
                  accessLog.close(); // after the drain: the last requests' lines are written too
                  stopped.countDown();
                },
                "wayout-waypoint-shutdown"));
    // Listen only once the first configuration is in: no request is refused for lack of it.
    try {
      waypoint.start();
    } catch (IllegalStateException e) { // a port that cannot be had
      System.err.println("wayout waypoint: " + e.getMessage());
      return 2;
    }
    stopped.await();
    return 0;
  }

  /**
   * Netty samples one buffer in 128 for leak reports by default, which costs a stack trace each
   * time on the request path. The waypoint's tests run with paranoid detection instead; set {@code
   * -Dio.netty.leakDetection.level} to turn it back on in production.
   */
  static void quietLeakDetection() {
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }
  }
}
