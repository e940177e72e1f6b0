package dev.wayout.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one {@link RealNode} per test run (shared by every test class of the JVM, stopped when the
 * run ends) and hands it to the tests that ask for one.
 */
public final class RealNodeExtension implements ParameterResolver {

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RealNode.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.create(RealNodeExtension.class))
        .getOrComputeIfAbsent(Running.class, k -> new Running(RealNode.start()), Running.class)
        .node();
  }

  @SuppressWarnings(
      "deprecation") // CloseableResource still works; AutoCloseable is the newer contract
  private record Running(RealNode node)
      implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    @Override
    public void close() {
      node.close();
    }
  }
}
