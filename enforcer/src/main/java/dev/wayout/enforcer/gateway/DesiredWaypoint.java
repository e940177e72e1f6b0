package dev.wayout.enforcer.gateway;

import dev.wayout.model.Labels;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects one waypoint Gateway should have, as a pure function of the Gateway, its parameters
 * and the configuration: in the Gateway's namespace a ServiceAccount, a RoleBinding (its Secrets),
 * a Service and a Deployment named after the Gateway, and a PodDisruptionBudget, all owned by the
 * Gateway; and one ClusterRoleBinding (the registry, cluster-wide), which a namespaced owner cannot
 * own, so it carries the Gateway's namespace and name as labels and the controller deletes it. The
 * pod template is that of manifests/waypoint/050-Deployment-wayout-waypoint.yaml.
 */
public final class DesiredWaypoint {

  /** Gateway API's well-known label on what a Gateway's controller creates (GEP-1762). */
  public static final String GATEWAY_NAME = "gateway.networking.k8s.io/gateway-name";

  public static final String GATEWAY_CLASS = "gateway.networking.k8s.io/gateway-class-name";

  /** On cluster-scoped objects: the namespace of the Gateway they belong to. */
  public static final String GATEWAY_NAMESPACE = "wayout.dev/gateway-namespace";

  /** On every waypoint Service and pod, the fixed one too: the waypoint's name. */
  public static final String WAYPOINT = Labels.WAYPOINT;

  public static final int HTTP_PORT = 15001;
  public static final int TLS_PORT = 15443;
  public static final int METRICS_PORT = 15020;
  public static final int HEALTH_PORT = 15021;

  private DesiredWaypoint() {}

  /** The namespaced objects, in the order they are applied (ServiceAccount before Deployment). */
  public static List<HasMetadata> namespaced(
      Gateway gateway, WaypointParameters parameters, GatewayConfig config) {
    String ns = gateway.getMetadata().getNamespace();
    String name = gateway.getMetadata().getName();
    Map<String, String> selector = Map.of(GATEWAY_NAME, name);
    Map<String, String> podLabels = new LinkedHashMap<>(infrastructure(gateway, true));
    podLabels.putAll(ownLabels(gateway));
    return List.of(
        new ServiceAccountBuilder().withMetadata(meta(gateway, name)).build(),
        new RoleBindingBuilder()
            .withMetadata(meta(gateway, name))
            .withNewRoleRef()
            .withApiGroup("rbac.authorization.k8s.io")
            .withKind("ClusterRole")
            .withName(config.secretsClusterRole())
            .endRoleRef()
            .withSubjects(serviceAccount(ns, name))
            .build(),
        new ServiceBuilder()
            .withMetadata(meta(gateway, name))
            .withNewSpec()
            .withSelector(selector)
            .withPorts(
                servicePort("http", HTTP_PORT, "http"),
                servicePort("tls", TLS_PORT, "tls"),
                servicePort("http-metrics", METRICS_PORT, "metrics"))
            .endSpec()
            .build(),
        new DeploymentBuilder()
            .withMetadata(meta(gateway, name))
            .withNewSpec()
            .withReplicas(parameters.replicas())
            .withNewSelector()
            .withMatchLabels(selector)
            .endSelector()
            .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withMaxUnavailable(new IntOrString(0))
            .withMaxSurge(new IntOrString(1))
            .endRollingUpdate()
            .endStrategy()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(podLabels)
            .withAnnotations(podAnnotations(gateway))
            .endMetadata()
            .withNewSpec()
            .withServiceAccountName(name)
            // longer than WAYOUT_WAYPOINT_DRAIN_TIMEOUT: requests in flight finish before the kill
            .withTerminationGracePeriodSeconds(30L)
            .addNewTopologySpreadConstraint()
            .withMaxSkew(1)
            .withTopologyKey("kubernetes.io/hostname")
            .withWhenUnsatisfiable("ScheduleAnyway")
            .withNewLabelSelector()
            .withMatchLabels(selector)
            .endLabelSelector()
            .endTopologySpreadConstraint()
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(65532L)
            .withRunAsGroup(65532L)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .withVolumes(volumes(config))
            .withContainers(container(gateway, parameters, config))
            .endSpec()
            .endTemplate()
            .endSpec()
            .build(),
        pdb(gateway, parameters, selector));
  }

  /** The cluster-scoped binding that lets the waypoint read the registry. */
  public static HasMetadata clusterRoleBinding(Gateway gateway, GatewayConfig config) {
    String ns = gateway.getMetadata().getNamespace();
    String name = gateway.getMetadata().getName();
    Map<String, String> labels = new LinkedHashMap<>(clusterLabels(ns, name));
    return new ClusterRoleBindingBuilder()
        .withNewMetadata()
        .withName(clusterRoleBindingName(ns, name))
        .withLabels(labels)
        .endMetadata()
        .withNewRoleRef()
        .withApiGroup("rbac.authorization.k8s.io")
        .withKind("ClusterRole")
        .withName(config.waypointClusterRole())
        .endRoleRef()
        .withSubjects(serviceAccount(ns, name))
        .build();
  }

  /** Labels that find a Gateway's ClusterRoleBinding again (names can be shortened, labels not). */
  public static Map<String, String> clusterLabels(String namespace, String name) {
    return Map.of(
        Labels.MANAGED_BY,
        Labels.MANAGED_BY_WAYOUT,
        GATEWAY_NAMESPACE,
        namespace,
        GATEWAY_NAME,
        name);
  }

  /**
   * {@code wayout-waypoint-<namespace>-<name>}; past 253 characters, shortened and ended by a hash
   * of both, so two Gateways never share one.
   */
  public static String clusterRoleBindingName(String namespace, String name) {
    String full = "wayout-waypoint-" + namespace + "-" + name;
    if (full.length() <= 253) {
      return full;
    }
    return full.substring(0, 240) + "-" + hash(namespace + "/" + name).substring(0, 12);
  }

  static String hash(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Container container(
      Gateway gateway, WaypointParameters parameters, GatewayConfig config) {
    Map<String, Quantity> requests = new HashMap<>();
    parameters.requests().forEach((k, v) -> requests.put(k, new Quantity(v)));
    Map<String, Quantity> limits = new HashMap<>();
    parameters.limits().forEach((k, v) -> limits.put(k, new Quantity(v)));
    return new ContainerBuilder()
        .withName("waypoint")
        .withImage(config.image())
        .withImagePullPolicy("IfNotPresent")
        .withArgs("waypoint")
        .withEnv(env(gateway, config))
        .addNewPort()
        .withName("http")
        .withContainerPort(HTTP_PORT)
        .withProtocol("TCP")
        .endPort()
        .addNewPort()
        .withName("tls")
        .withContainerPort(TLS_PORT)
        .withProtocol("TCP")
        .endPort()
        .addNewPort()
        .withName("metrics")
        .withContainerPort(METRICS_PORT)
        .withProtocol("TCP")
        .endPort()
        .addNewPort()
        .withName("health")
        .withContainerPort(HEALTH_PORT)
        .withProtocol("TCP")
        .endPort()
        .withNewReadinessProbe()
        .withNewHttpGet()
        .withPath("/healthz/ready")
        .withPort(new IntOrString("health"))
        .endHttpGet()
        .withPeriodSeconds(5)
        .withFailureThreshold(2)
        .endReadinessProbe()
        // a JVM on a busy node can take a minute to start: liveness waits for startup
        .withNewStartupProbe()
        .withNewTcpSocket()
        .withPort(new IntOrString("health"))
        .endTcpSocket()
        .withPeriodSeconds(5)
        .withFailureThreshold(60)
        .endStartupProbe()
        .withNewLivenessProbe()
        .withNewTcpSocket()
        .withPort(new IntOrString("health"))
        .endTcpSocket()
        .withInitialDelaySeconds(10)
        .withPeriodSeconds(10)
        .endLivenessProbe()
        .withNewResources()
        .withRequests(requests)
        .withLimits(limits)
        .endResources()
        .withVolumeMounts(volumeMounts(config))
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .build();
  }

  /** Where the trusted-CA ConfigMap is mounted (read-only). */
  static final String TRUSTED_CA_DIR = "/etc/wayout/trusted-ca";

  private static List<Volume> volumes(GatewayConfig config) {
    List<Volume> volumes = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName("tmp")
            .withNewEmptyDir()
            .withMedium("Memory")
            .withSizeLimit(new Quantity("16Mi"))
            .endEmptyDir()
            .build());
    if (!config.trustedCaConfigMap().isEmpty()) {
      // not optional: without it the pod waits (an event names the ConfigMap) rather than serving
      // TLS origination with trust it was not meant to have
      volumes.add(
          new VolumeBuilder()
              .withName("trusted-ca")
              .withNewConfigMap()
              .withName(config.trustedCaConfigMap())
              .endConfigMap()
              .build());
    }
    return volumes;
  }

  private static List<VolumeMount> volumeMounts(GatewayConfig config) {
    List<VolumeMount> mounts = new ArrayList<>();
    // credentialName Secrets are copied here (0700)
    mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
    if (!config.trustedCaConfigMap().isEmpty()) {
      mounts.add(
          new VolumeMountBuilder()
              .withName("trusted-ca")
              .withMountPath(TRUSTED_CA_DIR)
              .withReadOnly(true)
              .build());
    }
    return mounts;
  }

  private static List<EnvVar> env(Gateway gateway, GatewayConfig config) {
    List<EnvVar> env = new ArrayList<>(baseEnv(gateway, config));
    if (!config.trustedCaConfigMap().isEmpty()) {
      env.add(
          plain(
              "WAYOUT_WAYPOINT_TRUSTED_CA_FILE",
              TRUSTED_CA_DIR + "/" + GatewayConfig.TRUSTED_CA_KEY));
    }
    return env;
  }

  private static List<EnvVar> baseEnv(Gateway gateway, GatewayConfig config) {
    return List.of(
        plain("WAYOUT_WAYPOINT_NAME", gateway.getMetadata().getName()),
        new EnvVarBuilder()
            .withName("WAYOUT_WAYPOINT_NAMESPACE")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.namespace")
            .endFieldRef()
            .endValueFrom()
            .build(),
        // a Gateway's waypoint serves what is bound to it by name and namespace, nothing more
        plain("WAYOUT_WAYPOINT_DEFAULT", "false"),
        plain("WAYOUT_WAYPOINT_CLUSTER_CIDRS", config.clusterCidrsValue()),
        plain("WAYOUT_WAYPOINT_DRAIN_TIMEOUT", "20s"),
        plain("WAYOUT_WAYPOINT_EVENT_LOOP_THREADS", "2"),
        plain(
            "JAVA_TOOL_OPTIONS",
            "-XX:+UseParallelGC -XX:ParallelGCThreads=2 -Xmx192m -Xmn64m"
                + " -XX:+UseTransparentHugePages"));
  }

  private static EnvVar plain(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static HasMetadata pdb(
      Gateway gateway, WaypointParameters parameters, Map<String, String> selector) {
    var spec =
        new PodDisruptionBudgetBuilder()
            .withMetadata(meta(gateway, gateway.getMetadata().getName()))
            .withNewSpec()
            .withNewSelector()
            .withMatchLabels(selector)
            .endSelector();
    // Egress fails closed without a waypoint: keep one serving through voluntary disruptions;
    // a single replica could then never be evicted, so it may be (a node drain must finish).
    if (parameters.replicas() >= 2) {
      spec.withMinAvailable(new IntOrString(1));
    } else {
      spec.withMaxUnavailable(new IntOrString(1));
    }
    return spec.endSpec().build();
  }

  private static io.fabric8.kubernetes.api.model.rbac.Subject serviceAccount(
      String ns, String name) {
    return new SubjectBuilder().withKind("ServiceAccount").withName(name).withNamespace(ns).build();
  }

  private static io.fabric8.kubernetes.api.model.ServicePort servicePort(
      String name, int port, String target) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(port)
        .withTargetPort(new IntOrString(target))
        .withProtocol("TCP")
        .build();
  }

  /** Ours win over the Gateway's infrastructure labels: selectors and cleanup depend on them. */
  static Map<String, String> ownLabels(Gateway gateway) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_WAYOUT);
    labels.put(GATEWAY_NAME, gateway.getMetadata().getName());
    labels.put(WAYPOINT, gateway.getMetadata().getName());
    labels.put(GATEWAY_CLASS, gateway.getSpec().getGatewayClassName());
    return labels;
  }

  private static ObjectMeta meta(Gateway gateway, String name) {
    Map<String, String> labels = new LinkedHashMap<>(infrastructure(gateway, true));
    labels.putAll(ownLabels(gateway));
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(gateway.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(infrastructure(gateway, false))
        .withOwnerReferences(owner(gateway))
        .build();
  }

  private static Map<String, String> podAnnotations(Gateway gateway) {
    Map<String, String> annotations = new LinkedHashMap<>(infrastructure(gateway, false));
    annotations.put("prometheus.io/scrape", "true");
    annotations.put("prometheus.io/port", String.valueOf(METRICS_PORT));
    annotations.put("prometheus.io/path", "/metrics");
    return annotations;
  }

  /** {@code spec.infrastructure.labels} or {@code .annotations}: for every object created. */
  static Map<String, String> infrastructure(Gateway gateway, boolean labels) {
    var infra = gateway.getSpec().getInfrastructure();
    if (infra == null) {
      return Map.of();
    }
    Map<String, String> values = labels ? infra.getLabels() : infra.getAnnotations();
    return values == null ? Map.of() : values;
  }

  /** Owned by the Gateway: the garbage collector removes them with it. */
  static OwnerReference owner(Gateway gateway) {
    return new OwnerReferenceBuilder()
        .withApiVersion("gateway.networking.k8s.io/v1")
        .withKind("Gateway")
        .withName(gateway.getMetadata().getName())
        .withUid(gateway.getMetadata().getUid())
        .withController(true)
        .build();
  }
}
