package dev.wayout.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses YAML (one or many documents, or a {@code kind: List}) or JSON text into a {@link
 * ResourceSet}. Only {@code networking.istio.io} ServiceEntries, DestinationRules and
 * VirtualServices are kept, and the objects that decide waypoints: Gateway API Gateways and
 * GatewayClasses, and Namespaces (their labels); other kinds are skipped. Pure: the caller reads
 * the files.
 */
public final class IstioDocuments {

  public static final String GROUP = "networking.istio.io";
  public static final Set<String> VERSIONS = Set.of("v1", "v1beta1", "v1alpha3");

  private static final ObjectMapper YAML = new YAMLMapper(new YAMLFactory());

  private IstioDocuments() {}

  /**
   * @param source where the text came from, for messages (a file name)
   * @param defaultNamespace the namespace for objects that name none, as kubectl's {@code -n}
   */
  public static ResourceSet parse(String text, String source, String defaultNamespace) {
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          documents.add(doc);
        }
      }
    } catch (JsonProcessingException e) {
      return problem(source, "not valid YAML or JSON" + location(e) + ": " + reason(e));
    } catch (IOException | RuntimeException e) {
      return problem(source, "not valid YAML or JSON: " + e.getMessage());
    }
    ResourceSet set = ResourceSet.EMPTY;
    for (int i = 0; i < documents.size(); i++) {
      String where = documents.size() == 1 ? source : source + "#" + (i + 1);
      set = set.plus(document(documents.get(i), where, defaultNamespace));
    }
    return set;
  }

  private static String location(JsonProcessingException e) {
    var at = e.getLocation();
    return at == null || at.getLineNr() < 1
        ? ""
        : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /**
   * The parser's explanation on one line: SnakeYAML adds source snippets and position lines, which
   * {@link #location} already gives.
   */
  private static String reason(JsonProcessingException e) {
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    List<String> kept = new ArrayList<>();
    for (String line : original.split("\\R")) {
      if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
        kept.add(line.trim());
      }
    }
    return kept.isEmpty() ? original.strip() : String.join(" ", kept);
  }

  private static ResourceSet document(JsonNode doc, String source, String defaultNamespace) {
    if (!doc.isObject()) {
      return problem(source, "expected a Kubernetes object with apiVersion and kind");
    }
    String kind = doc.path("kind").asText("");
    if (kind.equals("List") && doc.path("items").isArray()) {
      ResourceSet set = ResourceSet.EMPTY;
      for (int i = 0; i < doc.get("items").size(); i++) {
        set =
            set.plus(
                document(doc.get("items").get(i), source + ".items[" + i + "]", defaultNamespace));
      }
      return set;
    }
    String apiVersion = doc.path("apiVersion").asText("");
    boolean gatewayApi = isGatewayApi(apiVersion);
    boolean namespace = apiVersion.equals("v1") && kind.equals(KubeNamespace.KIND);
    if (!isIstioNetworking(apiVersion) && !gatewayApi && !namespace) {
      return ResourceSet.EMPTY;
    }
    String name = doc.path("metadata").path("name").asText("");
    // Namespaces and GatewayClasses are cluster-scoped: no namespace is filled in for them
    JsonNode withNamespace =
        namespace || kind.equals(GatewayClass.KIND)
            ? doc
            : withDefaultNamespace(doc, defaultNamespace);
    try {
      if (namespace) {
        return ResourceSet.ofWaypointObjects(
            List.of(), List.of(), List.of(KubeNamespace.from(withNamespace)));
      }
      if (gatewayApi) {
        return switch (kind) {
          case Gateway.KIND ->
              ResourceSet.ofWaypointObjects(
                  List.of(Gateway.from(withNamespace)), List.of(), List.of());
          case GatewayClass.KIND ->
              ResourceSet.ofWaypointObjects(
                  List.of(), List.of(GatewayClass.from(withNamespace)), List.of());
          default -> ResourceSet.EMPTY;
        };
      }
      return switch (kind) {
        case ServiceEntry.KIND ->
            new ResourceSet(List.of(ServiceEntry.from(withNamespace)), List.of(), List.of());
        case DestinationRule.KIND ->
            new ResourceSet(List.of(), List.of(DestinationRule.from(withNamespace)), List.of());
        case VirtualService.KIND ->
            ResourceSet.EMPTY.withVirtualServices(List.of(VirtualService.from(withNamespace)));
        default -> ResourceSet.EMPTY;
      };
    } catch (InvalidResourceException e) {
      return new ResourceSet(
          List.of(),
          List.of(),
          List.of(
              new ResourceSet.LoadProblem(
                  source,
                  kind,
                  // namespace/name, as every other message names an object
                  new ObjectRef(withNamespace.path("metadata").path("namespace").asText(""), name)
                      .toString(),
                  e.errors())));
    }
  }

  /** True for {@code networking.istio.io/v1}, {@code v1beta1} and {@code v1alpha3}. */
  public static boolean isIstioNetworking(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    return slash > 0
        && apiVersion.substring(0, slash).equals(GROUP)
        && VERSIONS.contains(apiVersion.substring(slash + 1));
  }

  /** True for {@code gateway.networking.k8s.io/v1} and {@code v1beta1}. */
  public static boolean isGatewayApi(String apiVersion) {
    return apiVersion.equals(Gateway.GROUP + "/v1")
        || apiVersion.equals(Gateway.GROUP + "/v1beta1");
  }

  private static JsonNode withDefaultNamespace(JsonNode doc, String defaultNamespace) {
    if (defaultNamespace == null || !doc.path("metadata").isObject()) {
      return doc;
    }
    if (!doc.path("metadata").path("namespace").asText("").isEmpty()) {
      return doc;
    }
    JsonNode copy = doc.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) copy.get("metadata"))
        .put("namespace", defaultNamespace);
    return copy;
  }

  private static ResourceSet problem(String source, String text) {
    return new ResourceSet(
        List.of(),
        List.of(),
        List.of(
            new ResourceSet.LoadProblem(
                source, "", "", List.of(FieldError.of("document", text, "fix the syntax")))));
  }
}
