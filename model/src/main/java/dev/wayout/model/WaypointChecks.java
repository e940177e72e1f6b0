package dev.wayout.model;

import static dev.wayout.model.Findings.quote;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Warnings about waypoints that will not be there: a ServiceEntry or a Namespace bound by {@code
 * istio.io/use-waypoint} (see {@link WaypointBindings}) to a Gateway that does not exist or that no
 * Wayout waypoint runs for, and a Gateway that looks meant for Wayout but has a class Wayout does
 * not serve. Pure: where Gateways and GatewayClasses are looked up (the cluster for the webhook,
 * the files for {@code wayout validate}) is a {@link Place}.
 */
public final class WaypointChecks {

  public static final String ISTIO_CLASS = "istio-waypoint";
  public static final String WAYOUT_CLASS = "wayout-waypoint";

  /** The classes Wayout's Gateway controller serves by default. */
  public static final Set<String> SERVED_CLASSES = Set.of(ISTIO_CLASS, WAYOUT_CLASS);

  /** The controllerName of Wayout's own GatewayClass (manifests/gateway). */
  public static final String WAYOUT_CONTROLLER = "wayout.dev/waypoint-controller";

  /** The fixed default waypoint of manifests/waypoint, as it is installed. */
  public static final WaypointRef DEFAULT_WAYPOINT = new WaypointRef("wayout-system", "waypoint");

  private static final String USE_WAYPOINT_FIELD =
      "metadata.labels[\"" + Labels.USE_WAYPOINT + "\"]";

  private WaypointChecks() {}

  /** What a lookup found: the object, that there is none, or that it could not be told. */
  public record Lookup<T>(T found, boolean known, String reason) {

    public static <T> Lookup<T> of(T found) {
      return new Lookup<>(found, true, "");
    }

    public static <T> Lookup<T> missing() {
      return new Lookup<>(null, true, "");
    }

    /**
     * There is none and there cannot be: {@code reason} says why (e.g. the Gateway API is not
     * installed), completing a sentence.
     */
    public static <T> Lookup<T> impossible(String reason) {
      return new Lookup<>(null, true, reason);
    }

    /** The lookup could not be made; {@code reason} says why (it completes a sentence). */
    public static <T> Lookup<T> unknown(String reason) {
      return new Lookup<>(null, false, reason);
    }

    public boolean isMissing() {
      return known && found == null;
    }
  }

  /** Where Gateways and GatewayClasses are looked up. */
  public interface Place {
    Lookup<Gateway> gateway(WaypointRef ref);

    Lookup<GatewayClass> gatewayClass(String name);

    /** Where, for messages: "in the cluster", "in the files given". */
    String where();
  }

  /**
   * Warnings, and the checks that could not be made (where nothing can be looked up): {@code wayout
   * validate} prints those as notes, the webhook as warnings.
   */
  public record Result(List<FieldError> warnings, List<FieldError> unchecked) {

    public static final Result NONE = new Result(List.of(), List.of());

    public Result {
      warnings = List.copyOf(warnings);
      unchecked = List.copyOf(unchecked);
    }

    /** Everything as warnings, as the admission webhook answers them. */
    public List<FieldError> all() {
      List<FieldError> out = new ArrayList<>(warnings);
      out.addAll(unchecked);
      return out;
    }
  }

  /**
   * The waypoint a ServiceEntry is bound to, by its own label or its namespace's.
   *
   * @param namespaceLabels the labels of the entry's namespace (empty when unknown)
   */
  public static Result serviceEntry(
      ServiceEntry entry,
      Map<String, String> namespaceLabels,
      Place place,
      WaypointRef defaultWaypoint) {
    Map<String, String> ns = namespaceLabels == null ? Map.of() : namespaceLabels;
    Optional<WaypointRef> requested =
        WaypointBindings.requested(entry.namespace(), entry.labels(), ns);
    if (requested.isEmpty()) {
      return Result.NONE;
    }
    boolean own = entry.labels().containsKey(Labels.USE_WAYPOINT);
    String path = own ? USE_WAYPOINT_FIELD : "metadata.namespace";
    String what =
        own
            ? quote(entry.labels().get(Labels.USE_WAYPOINT)) + " names waypoint " + requested.get()
            : "namespace "
                + quote(entry.namespace())
                + " is labelled "
                + Labels.USE_WAYPOINT
                + "="
                + ns.get(Labels.USE_WAYPOINT)
                + ", which binds this ServiceEntry to waypoint "
                + requested.get();
    return check(path, what, "this ServiceEntry's hosts", requested.get(), place, defaultWaypoint);
  }

  /** The waypoint a Namespace's label binds its ServiceEntries to. */
  public static Result namespace(
      KubeNamespace namespace, Place place, WaypointRef defaultWaypoint) {
    Optional<WaypointRef> requested =
        WaypointBindings.requested(namespace.name(), namespace.labels(), namespace.labels());
    if (requested.isEmpty()) {
      return Result.NONE;
    }
    String what =
        quote(namespace.labels().get(Labels.USE_WAYPOINT)) + " names waypoint " + requested.get();
    return check(
        USE_WAYPOINT_FIELD,
        what,
        "the hosts of this namespace's ServiceEntries",
        requested.get(),
        place,
        defaultWaypoint);
  }

  private static Result check(
      String path,
      String what,
      String hosts,
      WaypointRef ref,
      Place place,
      WaypointRef defaultWaypoint) {
    if (ref.equals(defaultWaypoint)) {
      return Result.NONE;
    }
    // without a waypoint of its own, the default's name is served by the default (WaypointBindings)
    boolean defaultServes = defaultWaypoint != null && defaultWaypoint.name().equals(ref.name());
    Lookup<Gateway> found = place.gateway(ref);
    String create =
        "create the Gateway (name: "
            + ref.name()
            + ", namespace: "
            + ref.namespace()
            + ", gatewayClassName: "
            + ISTIO_CLASS
            + ") or correct the label";
    if (found.found() != null) {
      String cls = found.found().gatewayClassName();
      if (SERVED_CLASSES.contains(cls) || defaultServes) {
        return Result.NONE;
      }
      return warning(
          path,
          what
              + ", but Gateway "
              + ref
              + " has gatewayClassName "
              + quote(cls)
              + ", which Wayout does not serve, so no waypoint runs for it and the waypoints refuse"
              + " traffic to "
              + hosts,
          "set its gatewayClassName to "
              + ISTIO_CLASS
              + " or "
              + WAYOUT_CLASS
              + ", or correct the"
              + " label");
    }
    if (defaultServes) {
      return Result.NONE;
    }
    if (!found.known()) {
      return new Result(
          List.of(),
          List.of(
              FieldError.of(
                  path,
                  what + ", which could not be checked: " + found.reason(),
                  "make sure Gateway " + ref + " exists, or correct the label")));
    }
    if (!found.reason().isEmpty()) {
      return warning(
          path,
          what
              + ", but no Gateway "
              + ref
              + " can exist: "
              + found.reason()
              + ", so the waypoints refuse traffic to "
              + hosts,
          "install the Gateway API CRDs (gateway.networking.k8s.io v1), then " + create);
    }
    return warning(
        path,
        what
            + ", but no Gateway "
            + ref
            + " exists (looked for "
            + place.where()
            + "), so the waypoints refuse traffic to "
            + hosts,
        create);
  }

  /**
   * A Gateway whose class Wayout does not serve, when it looks meant for Wayout: something binds to
   * it by {@code istio.io/use-waypoint}, its class has no GatewayClass, or its GatewayClass names
   * Wayout's controller. Another project's Gateway (a class that exists, nothing bound) is never
   * warned about. For Wayout's own class, a missing or foreign GatewayClass is warned about too.
   *
   * @param boundBy what binds to the Gateway, e.g. "ServiceEntry shop/api" (see {@link #boundTo})
   */
  public static Result gateway(Gateway gateway, List<String> boundBy, Place place) {
    String cls = gateway.gatewayClassName();
    if (cls.isEmpty()) {
      return Result.NONE; // the API server refuses a Gateway without a class
    }
    Lookup<GatewayClass> lookup = place.gatewayClass(cls);
    String path = "spec.gatewayClassName";
    if (cls.equals(ISTIO_CLASS)) {
      return Result.NONE; // built in; where Istio installs the class, Istio serves it
    }
    if (cls.equals(WAYOUT_CLASS)) {
      if (lookup.isMissing()) {
        return warning(
            path,
            quote(cls)
                + " has no GatewayClass (looked for "
                + place.where()
                + "), and Wayout serves its own class only once that is installed, so no waypoint"
                + " is deployed for this Gateway",
            "install it (kubectl apply -k manifests/gateway/), or use gatewayClassName: "
                + ISTIO_CLASS);
      }
      if (lookup.found() != null && !lookup.found().controllerName().equals(WAYOUT_CONTROLLER)) {
        return warning(
            path,
            "GatewayClass "
                + quote(cls)
                + " names controller "
                + quote(lookup.found().controllerName())
                + ", not "
                + quote(WAYOUT_CONTROLLER)
                + ", so Wayout does not serve this Gateway",
            "set the GatewayClass's controllerName to " + WAYOUT_CONTROLLER);
      }
      return Result.NONE;
    }
    List<String> reasons = new ArrayList<>();
    if (!boundBy.isEmpty()) {
      reasons.add(
          String.join(", ", boundBy)
              + " "
              + (boundBy.size() == 1 ? "is" : "are")
              + " bound to it by "
              + Labels.USE_WAYPOINT);
    }
    if (lookup.isMissing()) {
      reasons.add("no GatewayClass " + quote(cls) + " exists (looked for " + place.where() + ")");
    }
    if (lookup.found() != null && lookup.found().controllerName().equals(WAYOUT_CONTROLLER)) {
      reasons.add("its GatewayClass names Wayout's controller " + WAYOUT_CONTROLLER);
    }
    if (reasons.isEmpty()) {
      return Result.NONE;
    }
    return warning(
        path,
        quote(cls)
            + " is not a class Wayout serves ("
            + ISTIO_CLASS
            + ", "
            + WAYOUT_CLASS
            + "), yet this Gateway looks meant for a Wayout waypoint: "
            + String.join("; ", reasons)
            + "; no Wayout waypoint is deployed for it",
        "use gatewayClassName: " + ISTIO_CLASS + " (or " + WAYOUT_CLASS + ")");
  }

  /**
   * What binds to a Gateway by {@code istio.io/use-waypoint}, for {@link #gateway}: the Namespaces
   * labelled for it and the ServiceEntries bound to it, as "namespace NS" and "ServiceEntry
   * NS/NAME".
   *
   * @param namespaceLabels the labels of a namespace by name (empty when unknown)
   */
  public static List<String> boundTo(
      Gateway gateway,
      List<KubeNamespace> namespaces,
      List<ServiceEntry> entries,
      Function<String, Map<String, String>> namespaceLabels) {
    WaypointRef ref = gateway.ref();
    List<String> out = new ArrayList<>();
    for (KubeNamespace ns : namespaces) {
      if (WaypointBindings.requested(ns.name(), ns.labels(), ns.labels())
          .filter(ref::equals)
          .isPresent()) {
        out.add("namespace " + ns.name());
      }
    }
    for (ServiceEntry e : entries) {
      if (WaypointBindings.requested(
              e.namespace(), e.labels(), namespaceLabels.apply(e.namespace()))
          .filter(ref::equals)
          .isPresent()) {
        out.add("ServiceEntry " + e.ref());
      }
    }
    return out;
  }

  /**
   * The Gateways and GatewayClasses of a set of files ({@code wayout validate}). A Gateway not in
   * them is missing when they hold other Gateways of its namespace (the namespace's Gateways are
   * declared there), else it is not known (it may exist in the cluster). A GatewayClass not in them
   * is not known: classes are usually installed apart from what uses them.
   */
  public static Place files(List<Gateway> gateways, List<GatewayClass> classes) {
    return new Place() {
      @Override
      public Lookup<Gateway> gateway(WaypointRef ref) {
        for (Gateway g : gateways) {
          if (g.ref().equals(ref)) {
            return Lookup.of(g);
          }
        }
        if (gateways.stream().anyMatch(g -> g.namespace().equals(ref.namespace()))) {
          return Lookup.missing();
        }
        return Lookup.unknown(
            "the files hold no Gateway of namespace "
                + quote(ref.namespace())
                + ", so whether it exists in the cluster is not known");
      }

      @Override
      public Lookup<GatewayClass> gatewayClass(String name) {
        for (GatewayClass c : classes) {
          if (c.name().equals(name)) {
            return Lookup.of(c);
          }
        }
        return Lookup.unknown("not in the files");
      }

      @Override
      public String where() {
        return "in the files given";
      }
    };
  }

  private static Result warning(String path, String problem, String fix) {
    return new Result(List.of(FieldError.of(path, problem, fix)), List.of());
  }
}
