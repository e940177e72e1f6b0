package dev.wayout.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link KubeApiServer} per test run (shared by every test class of the JVM, stopped
 * when the run ends) and hands it, or its admin {@link KubernetesClient}, to test methods,
 * constructors and lifecycle methods that ask for one.
 *
 * <pre>{@code
 * @ExtendWith(KubeApiServerExtension.class)
 * class FooIT {
 *   @Test void appliesSeed(KubeApiServer api) { api.kubectl("apply", "-f", "seed.yaml"); }
 * }
 * }</pre>
 */
public final class KubeApiServerExtension implements ParameterResolver {

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KubeApiServer.class || type == KubernetesClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    KubeApiServer server = server(context);
    return parameter.getParameter().getType() == KubeApiServer.class ? server : server.client();
  }

  /** The run's server, started on first use. */
  public static KubeApiServer server(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.create(KubeApiServerExtension.class))
        .getOrComputeIfAbsent(Running.class, k -> new Running(KubeApiServer.start()), Running.class)
        .server();
  }

  /** Lets JUnit stop the server when the root context closes, at the end of the run. */
  @SuppressWarnings(
      "deprecation") // CloseableResource still works; AutoCloseable is the newer contract
  private record Running(KubeApiServer server)
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() {
      server.close();
    }
  }
}
