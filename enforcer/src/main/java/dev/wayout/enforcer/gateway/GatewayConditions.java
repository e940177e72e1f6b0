package dev.wayout.enforcer.gateway;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddressBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A waypoint Gateway's status as Istio writes it for its waypoints: {@code Accepted} ("Resource
 * accepted", or {@code InvalidParameters} naming what is wrong), {@code Programmed} once the
 * Deployment and Service exist and the Service has its cluster IP ("Resource programmed, assigned
 * to service(s) ..."; Istio checks the Service only, not that pods are ready, and so does Wayout),
 * and {@code status.addresses} with the cluster IPs. No per-listener status: the API requires each
 * to list the route kinds it supports, and a waypoint of Wayout's attaches no routes. Pure; a
 * condition whose status did not change keeps its {@code lastTransitionTime}, so an unchanged
 * Gateway needs no write.
 */
public final class GatewayConditions {

  private GatewayConditions() {}

  /**
   * @param invalidParameters why the parameters cannot be used, or null when they can
   * @param clusterIps the Service's cluster IPs, empty while it has none (or does not exist)
   * @param deployed whether the Deployment exists
   */
  public static GatewayStatus of(
      Gateway gateway,
      String invalidParameters,
      List<String> clusterIps,
      boolean deployed,
      Instant now) {
    long generation = generation(gateway);
    GatewayStatus old = gateway.getStatus();
    List<Condition> oldConditions = old == null ? List.of() : nullToEmpty(old.getConditions());
    String ns = gateway.getMetadata().getNamespace();
    String name = gateway.getMetadata().getName();
    List<Condition> conditions = new ArrayList<>();
    boolean accepted = invalidParameters == null;
    conditions.add(
        accepted
            ? condition("Accepted", "True", "Accepted", "Resource accepted", generation)
            : condition("Accepted", "False", "InvalidParameters", invalidParameters, generation));
    if (!accepted) {
      conditions.add(
          condition(
              "Programmed",
              "False",
              "Invalid",
              "Not programmed: the Gateway is not accepted (" + invalidParameters + ")",
              generation));
    } else if (!deployed || clusterIps.isEmpty()) {
      conditions.add(
          condition(
              "Programmed",
              "False",
              "AddressNotAssigned",
              "Waiting for the Deployment and the Service " + name + " and its cluster IP",
              generation));
    } else {
      String svc = name + "." + ns + ".svc.cluster.local";
      conditions.add(
          condition(
              "Programmed",
              "True",
              "Programmed",
              "Resource programmed, assigned to service(s) "
                  + svc
                  + ":"
                  + DesiredWaypoint.HTTP_PORT
                  + " and "
                  + svc
                  + ":"
                  + DesiredWaypoint.TLS_PORT,
              generation));
    }
    List<Condition> stamped = new ArrayList<>();
    for (Condition c : conditions) {
      stamped.add(stamp(c, oldConditions, now));
    }
    return new GatewayStatusBuilder()
        .withConditions(stamped)
        .withAddresses(
            accepted
                ? clusterIps.stream()
                    .map(
                        ip ->
                            new GatewayStatusAddressBuilder()
                                .withType("IPAddress")
                                .withValue(ip)
                                .build())
                    .toList()
                : List.of())
        .build();
  }

  /** Accepted, for a GatewayClass whose controllerName is Wayout's. */
  public static List<Condition> classAccepted(List<Condition> old, long generation, Instant now) {
    return List.of(
        stamp(
            condition(
                "Accepted",
                "True",
                "Accepted",
                "Handled by " + GatewayConfig.CONTROLLER_NAME,
                generation),
            old,
            now));
  }

  /** Whether two statuses say the same, ignoring when their conditions last changed. */
  public static boolean same(GatewayStatus a, GatewayStatus b) {
    if (a == null || b == null) {
      return a == b;
    }
    return sameConditions(a.getConditions(), b.getConditions())
        && Objects.equals(nullToEmpty(a.getAddresses()), nullToEmpty(b.getAddresses()))
        && nullToEmpty(a.getListeners()).isEmpty() == nullToEmpty(b.getListeners()).isEmpty();
  }

  public static boolean sameConditions(List<Condition> a, List<Condition> b) {
    List<Condition> x = nullToEmpty(a);
    List<Condition> y = nullToEmpty(b);
    if (x.size() != y.size()) {
      return false;
    }
    for (int i = 0; i < x.size(); i++) {
      Condition p = x.get(i);
      Condition q = y.get(i);
      if (!Objects.equals(p.getType(), q.getType())
          || !Objects.equals(p.getStatus(), q.getStatus())
          || !Objects.equals(p.getReason(), q.getReason())
          || !Objects.equals(p.getMessage(), q.getMessage())
          || !Objects.equals(p.getObservedGeneration(), q.getObservedGeneration())) {
        return false;
      }
    }
    return true;
  }

  private static Condition condition(
      String type, String status, String reason, String message, long generation) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .build();
  }

  private static Condition stamp(Condition c, List<Condition> old, Instant now) {
    String when = now.truncatedTo(ChronoUnit.SECONDS).toString();
    for (Condition o : old) {
      if (Objects.equals(o.getType(), c.getType())
          && Objects.equals(o.getStatus(), c.getStatus())
          && o.getLastTransitionTime() != null) {
        when = o.getLastTransitionTime();
      }
    }
    c.setLastTransitionTime(when);
    return c;
  }

  private static long generation(Gateway gateway) {
    Long g = gateway.getMetadata().getGeneration();
    return g == null ? 0 : g;
  }

  private static <T> List<T> nullToEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
