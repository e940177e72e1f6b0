package dev.wayout.model;

import java.util.ArrayList;
import java.util.List;

/**
 * What a set of documents held: the ServiceEntries, DestinationRules and VirtualServices that could
 * be read, the Gateways, GatewayClasses and Namespaces that say which waypoints exist and what is
 * bound to them, and a problem for each document that could not (wrong types, not YAML, unknown
 * kind is skipped silently since a directory may hold other manifests).
 */
public record ResourceSet(
    List<ServiceEntry> serviceEntries,
    List<DestinationRule> destinationRules,
    List<LoadProblem> problems,
    List<VirtualService> virtualServices,
    List<Gateway> gateways,
    List<GatewayClass> gatewayClasses,
    List<KubeNamespace> namespaces) {

  public static final ResourceSet EMPTY = new ResourceSet(List.of(), List.of(), List.of());

  public ResourceSet {
    serviceEntries = List.copyOf(serviceEntries);
    destinationRules = List.copyOf(destinationRules);
    problems = List.copyOf(problems);
    virtualServices = List.copyOf(virtualServices);
    gateways = List.copyOf(gateways);
    gatewayClasses = List.copyOf(gatewayClasses);
    namespaces = List.copyOf(namespaces);
  }

  public ResourceSet(
      List<ServiceEntry> serviceEntries,
      List<DestinationRule> destinationRules,
      List<LoadProblem> problems,
      List<VirtualService> virtualServices) {
    this(
        serviceEntries,
        destinationRules,
        problems,
        virtualServices,
        List.of(),
        List.of(),
        List.of());
  }

  public ResourceSet(
      List<ServiceEntry> serviceEntries,
      List<DestinationRule> destinationRules,
      List<LoadProblem> problems) {
    this(serviceEntries, destinationRules, problems, List.of());
  }

  /** This set with the VirtualServices replaced. */
  public ResourceSet withVirtualServices(List<VirtualService> virtualServices) {
    return new ResourceSet(
        serviceEntries,
        destinationRules,
        problems,
        virtualServices,
        gateways,
        gatewayClasses,
        namespaces);
  }

  /** A set holding only these Gateway API and Namespace objects. */
  public static ResourceSet ofWaypointObjects(
      List<Gateway> gateways, List<GatewayClass> gatewayClasses, List<KubeNamespace> namespaces) {
    return new ResourceSet(
        List.of(), List.of(), List.of(), List.of(), gateways, gatewayClasses, namespaces);
  }

  public ResourceSet plus(ResourceSet other) {
    List<ServiceEntry> se = new ArrayList<>(serviceEntries);
    se.addAll(other.serviceEntries);
    List<DestinationRule> dr = new ArrayList<>(destinationRules);
    dr.addAll(other.destinationRules);
    List<LoadProblem> p = new ArrayList<>(problems);
    p.addAll(other.problems);
    List<VirtualService> vs = new ArrayList<>(virtualServices);
    vs.addAll(other.virtualServices);
    List<Gateway> gw = new ArrayList<>(gateways);
    gw.addAll(other.gateways);
    List<GatewayClass> gc = new ArrayList<>(gatewayClasses);
    gc.addAll(other.gatewayClasses);
    List<KubeNamespace> ns = new ArrayList<>(namespaces);
    ns.addAll(other.namespaces);
    return new ResourceSet(se, dr, p, vs, gw, gc, ns);
  }

  /** A document that could not be turned into a resource. */
  public record LoadProblem(String source, String kind, String name, List<FieldError> errors) {

    public LoadProblem {
      errors = List.copyOf(errors);
    }

    public String message() {
      String what = kind == null || kind.isEmpty() ? "document" : kind + " " + name;
      return source + ": " + what + ": " + new InvalidResourceException(errors).getMessage();
    }
  }
}
