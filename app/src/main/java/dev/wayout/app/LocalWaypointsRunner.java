package dev.wayout.app;

import dev.wayout.model.Gateway;
import dev.wayout.model.ResourceSet;
import dev.wayout.model.WaypointRef;
import dev.wayout.waypoint.Waypoint;
import dev.wayout.waypoint.WaypointConfig;
import dev.wayout.waypoint.access.BatchingAccessLog;
import dev.wayout.waypoint.config.DirectoryPolicySource;
import dev.wayout.waypoint.config.IdentitiesFileSource;
import dev.wayout.waypoint.policy.EgressPolicyBuilder;
import dev.wayout.waypoint.policy.WaypointBinding;
import dev.wayout.waypoint.upstream.TlsContexts;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the local waypoints of {@link LocalWaypoints} in this process until it is asked to stop:
 * every listener is opened first (each answers not-ready until its configuration is in), then each
 * waypoint reads the folder with a binding that knows where the others listen, so a request for
 * another waypoint's host is forwarded to it as in the cluster. One access log for all.
 */
final class LocalWaypointsRunner {

  private LocalWaypointsRunner() {}

  /** Returns the exit code: 2 for bad settings or a port that cannot be had. */
  static int serve(
      Map<String, String> env,
      Path config,
      String namespace,
      ResourceSet resources,
      int gatewayPortBase,
      PrintWriter out)
      throws Exception {
    List<Gateway> gateways = LocalWaypoints.served(resources);
    List<WaypointConfig> settings = new ArrayList<>();
    try {
      settings.add(WaypointConfig.fromEnv(env));
      for (int i = 0; i < gateways.size(); i++) {
        settings.add(
            WaypointConfig.fromEnv(
                LocalWaypoints.gatewayEnv(env, gateways.get(i), i, gatewayPortBase)));
      }
    } catch (IllegalArgumentException e) {
      System.err.println("wayout run: " + e.getMessage());
      return 2;
    }
    WaypointConfig first = settings.get(0);
    WaypointCommand.quietLeakDetection();
    WaypointRef defaultRef = new WaypointRef(WaypointBinding.ANY_NAMESPACE, first.name());
    BatchingAccessLog accessLog =
        BatchingAccessLog.start(
            new FileOutputStream(FileDescriptor.out).getChannel(),
            8 * 1024 * 1024,
            first.accessLogFlushInterval());
    List<Waypoint> waypoints = new ArrayList<>();
    List<AutoCloseable> sources = new ArrayList<>();
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean closed = new AtomicBoolean();
    Runnable shutdown =
        () -> {
          if (closed.getAndSet(true)) {
            return;
          }
          for (AutoCloseable source : sources) {
            try {
              source.close();
            } catch (Exception e) {
              // shutting down anyway
            }
          }
          waypoints.forEach(Waypoint::close);
          accessLog.close(); // after the drains: the last requests' lines are written too
          stopped.countDown();
        };
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "wayout-run-shutdown"));
    List<LocalWaypoints.Running> running = new ArrayList<>();
    try {
      IdentitiesFileSource identities =
          first.identitiesFile() == null
              ? null
              : new IdentitiesFileSource(first.identitiesFile()).start(first.configPollInterval());
      if (identities != null) {
        sources.add(identities);
      }
      for (int i = 0; i < settings.size(); i++) {
        Waypoint waypoint = new Waypoint(settings.get(i), accessLog);
        waypoints.add(waypoint);
        if (identities != null) {
          waypoint.sourceIdentities(identities);
        }
        waypoint.start();
        Gateway gateway = i == 0 ? null : gateways.get(i - 1);
        running.add(
            new LocalWaypoints.Running(
                gateway == null ? defaultRef : gateway.ref(),
                gateway,
                waypoint.httpAddress(),
                waypoint.tlsAddress(),
                waypoint.metricsAddress(),
                waypoint.healthAddress()));
      }
      for (int i = 0; i < waypoints.size(); i++) {
        WaypointConfig s = settings.get(i);
        WaypointBinding binding = LocalWaypoints.binding(running.get(i).ref(), defaultRef, running);
        EgressPolicyBuilder builder =
            new EgressPolicyBuilder(
                () -> binding,
                new TlsContexts(s.trustedCaFile(), s.credentialsDir()),
                s.connectTimeout(),
                s.upstreamIdleTimeout());
        sources.add(
            new DirectoryPolicySource(config, namespace, builder, waypoints.get(i)::update)
                .start(s.configPollInterval()));
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      // a port that cannot be had, a transport that is not there, an unreadable identities file
      System.err.println("wayout run: " + e.getMessage());
      shutdown.run();
      return 2;
    }
    LocalWaypoints.print(out, resources, defaultRef, running);
    out.println("   access log: one JSON line per request below; Ctrl-C stops");
    out.flush();
    stopped.await();
    return 0;
  }
}
