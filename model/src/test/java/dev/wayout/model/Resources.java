package dev.wayout.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test resources: objects from one-line YAML specs, and the seed's files. */
final class Resources {

  static final String NAMESPACE = "istio-egress";

  private Resources() {}

  /** A ServiceEntry in {@link #NAMESPACE} from a flow-style spec: {@code {hosts: [a.com]}}. */
  static ServiceEntry serviceEntry(String spec) {
    return serviceEntry(NAMESPACE, "test-entry", spec);
  }

  static ServiceEntry serviceEntry(String namespace, String name, String spec) {
    ResourceSet set = parse(object("ServiceEntry", namespace, name, spec), namespace);
    assertThat(set.serviceEntries()).hasSize(1);
    return set.serviceEntries().get(0);
  }

  static DestinationRule destinationRule(String spec) {
    return destinationRule(NAMESPACE, "test-rule", spec);
  }

  static DestinationRule destinationRule(String namespace, String name, String spec) {
    ResourceSet set = parse(object("DestinationRule", namespace, name, spec), namespace);
    assertThat(set.destinationRules()).hasSize(1);
    return set.destinationRules().get(0);
  }

  static VirtualService virtualService(String spec) {
    ResourceSet set = parse(object("VirtualService", NAMESPACE, "test-vs", spec), NAMESPACE);
    assertThat(set.virtualServices()).hasSize(1);
    return set.virtualServices().get(0);
  }

  static ServiceEntry seedServiceEntry(String file) {
    ResourceSet set = parse(seed(file), NAMESPACE);
    assertThat(set.serviceEntries()).hasSize(1);
    return set.serviceEntries().get(0);
  }

  static DestinationRule seedDestinationRule(String file) {
    ResourceSet set = parse(seed(file), NAMESPACE);
    assertThat(set.destinationRules()).hasSize(1);
    return set.destinationRules().get(0);
  }

  static String seed(String file) {
    try (InputStream in = Resources.class.getResourceAsStream("/seed/" + file)) {
      assertThat(in).as("test resource /seed/" + file).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String object(String kind, String namespace, String name, String spec) {
    return "apiVersion: networking.istio.io/v1\nkind: "
        + kind
        + "\nmetadata: {name: "
        + name
        + ", namespace: "
        + namespace
        + "}\nspec: "
        + spec
        + "\n";
  }

  private static ResourceSet parse(String yaml, String namespace) {
    ResourceSet set = IstioDocuments.parse(yaml, "test.yaml", namespace);
    assertThat(set.problems()).as("parse problems").isEmpty();
    return set;
  }
}
