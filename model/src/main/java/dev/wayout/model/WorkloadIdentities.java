package dev.wayout.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Client addresses to {@link SourceIdentity}, for a waypoint without a cluster to ask ({@code
 * --config}): read from a YAML file that lists, for each workload, its addresses (IPs or CIDR
 * blocks) and who it is. Exact addresses are a map lookup; blocks are tried in file order after.
 *
 * <pre>
 * identities:
 *   - addresses: ["192.0.2.10", "198.51.100.0/28"]
 *     namespace: shop
 *     serviceAccount: checkout      # default: "default"
 *     workload: checkout            # default: none
 *     labels: {app: checkout}
 * </pre>
 */
public final class WorkloadIdentities {

  public static final WorkloadIdentities NONE = new WorkloadIdentities(Map.of(), List.of());

  private static final ObjectMapper YAML = new YAMLMapper(new YAMLFactory());

  private final Map<String, SourceIdentity> exact;
  private final List<Map.Entry<Cidr, SourceIdentity>> blocks;

  private WorkloadIdentities(
      Map<String, SourceIdentity> exact, List<Map.Entry<Cidr, SourceIdentity>> blocks) {
    this.exact = Map.copyOf(exact);
    this.blocks = List.copyOf(blocks);
  }

  /** The identity of the client at this address, or {@link SourceIdentity#UNKNOWN}. */
  public SourceIdentity of(InetAddress address) {
    if (address == null) {
      return SourceIdentity.UNKNOWN;
    }
    SourceIdentity id = exact.get(Cidr.format(address));
    if (id != null) {
      return id;
    }
    for (int i = 0; i < blocks.size(); i++) {
      if (blocks.get(i).getKey().contains(address)) {
        return blocks.get(i).getValue();
      }
    }
    return SourceIdentity.UNKNOWN;
  }

  public int size() {
    return exact.size() + blocks.size();
  }

  /**
   * Parses the file's text.
   *
   * @throws InvalidResourceException naming every wrong entry (field path, value, fix)
   */
  public static WorkloadIdentities parse(String text) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (IOException e) {
      throw new InvalidResourceException(
          List.of(
              FieldError.of(
                  "file",
                  "is not valid YAML (" + e.getMessage().lines().findFirst().orElse("") + ")",
                  "fix the syntax")));
    }
    SpecReader r = SpecReader.collecting();
    Map<String, SourceIdentity> exact = new HashMap<>();
    List<Map.Entry<Cidr, SourceIdentity>> blocks = new ArrayList<>();
    if (root == null || root.isNull() || root.isMissingNode()) {
      return NONE;
    }
    if (!root.isObject()) {
      r.errors()
          .add(
              FieldError.of(
                  "file",
                  "is not a map",
                  "write identities: [{addresses: [...], namespace: ...}]"));
      r.throwIfErrors();
    }
    List<JsonNode> items = r.list(root, "identities", "identities", (n, p) -> n);
    for (int i = 0; items != null && i < items.size(); i++) {
      JsonNode n = items.get(i);
      String path = "identities[" + i + "]";
      if (!n.isObject()) {
        r.errors()
            .add(FieldError.of(path, n + " is not an identity", "write {addresses, namespace}"));
        continue;
      }
      String namespace = r.string(n, "namespace", path + ".namespace");
      if (namespace == null || !HostNames.isDnsLabel(namespace)) {
        r.errors()
            .add(
                FieldError.of(
                    path + ".namespace",
                    namespace == null
                        ? "is missing"
                        : Findings.quote(namespace) + " is not a namespace name",
                    "name the workload's namespace, e.g. \"shop\""));
      }
      SourceIdentity id =
          SourceIdentity.of(
              namespace,
              r.string(n, "serviceAccount", path + ".serviceAccount"),
              r.string(n, "workload", path + ".workload"),
              r.stringMap(n, "labels", path + ".labels"));
      List<String> addresses = r.strings(n, "addresses", path + ".addresses");
      if (addresses == null || addresses.isEmpty()) {
        r.errors()
            .add(
                FieldError.of(
                    path + ".addresses",
                    "is missing",
                    "list the workload's IPs or CIDR blocks, e.g. [\"192.0.2.10\"]"));
        continue;
      }
      for (int j = 0; j < addresses.size(); j++) {
        String a = addresses.get(j).trim();
        String at = path + ".addresses[" + j + "]";
        try {
          Cidr block = Cidr.parse(a);
          boolean host = block.prefix() == block.address().getAddress().length * 8;
          if (host) {
            exact.put(Cidr.format(block.address()), id);
          } else {
            blocks.add(Map.entry(block, id));
          }
        } catch (IllegalArgumentException e) {
          r.errors().add(FieldError.of(at, e.getMessage(), "write an IP or a CIDR block"));
        }
      }
    }
    r.throwIfErrors();
    return new WorkloadIdentities(exact, blocks);
  }
}
