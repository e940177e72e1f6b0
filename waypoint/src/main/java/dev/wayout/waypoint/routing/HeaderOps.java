package dev.wayout.waypoint.routing;

import dev.wayout.model.HttpRoute.HeaderOperations;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Header operations compiled to arrays of names and values: {@code set} replaces, {@code add}
 * appends, {@code remove} deletes. The authority ({@code :authority}, {@code host}) is not a header
 * here: Istio turns it into an authority rewrite, and so does {@link HttpRule}.
 */
public final class HeaderOps {

  static final HeaderOps NONE =
      new HeaderOps(List.of(), List.of(), List.of(), List.of(), List.of());

  private final AsciiString[] setNames;
  private final String[] setValues;
  private final AsciiString[] addNames;
  private final String[] addValues;
  private final AsciiString[] removeNames;

  private HeaderOps(
      List<AsciiString> setNames,
      List<String> setValues,
      List<AsciiString> addNames,
      List<String> addValues,
      List<AsciiString> removeNames) {
    this.setNames = setNames.toArray(new AsciiString[0]);
    this.setValues = setValues.toArray(new String[0]);
    this.addNames = addNames.toArray(new AsciiString[0]);
    this.addValues = addValues.toArray(new String[0]);
    this.removeNames = removeNames.toArray(new AsciiString[0]);
  }

  static HeaderOps of(HeaderOperations ops) {
    if (ops == null) {
      return NONE;
    }
    List<AsciiString> sn = new ArrayList<>();
    List<String> sv = new ArrayList<>();
    for (Map.Entry<String, String> e : sorted(ops.set())) {
      if (!internal(e.getKey())) {
        sn.add(AsciiString.cached(e.getKey().toLowerCase(java.util.Locale.ROOT)));
        sv.add(e.getValue().replace("%%", "%"));
      }
    }
    List<AsciiString> an = new ArrayList<>();
    List<String> av = new ArrayList<>();
    for (Map.Entry<String, String> e : sorted(ops.add())) {
      if (!internal(e.getKey())) {
        an.add(AsciiString.cached(e.getKey().toLowerCase(java.util.Locale.ROOT)));
        av.add(e.getValue().replace("%%", "%"));
      }
    }
    List<AsciiString> rn = new ArrayList<>();
    for (String name : ops.remove()) {
      if (!internal(name)) {
        rn.add(AsciiString.cached(name.toLowerCase(java.util.Locale.ROOT)));
      }
    }
    HeaderOps h = new HeaderOps(sn, sv, an, av, rn);
    return h.isEmpty() ? NONE : h;
  }

  /** Istio sorts the operations by name, so their order is stable. */
  private static List<Map.Entry<String, String>> sorted(Map<String, String> m) {
    return m.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList();
  }

  private static boolean internal(String name) {
    return name.startsWith(":") || name.equalsIgnoreCase("host");
  }

  /**
   * The authority a {@code set} (else an {@code add}) of {@code :authority}/{@code host} asks for.
   */
  static String authority(HeaderOperations ops) {
    if (ops == null) {
      return null;
    }
    String set = authorityIn(ops.set());
    return set != null ? set : authorityIn(ops.add());
  }

  private static String authorityIn(Map<String, String> m) {
    for (Map.Entry<String, String> e : m.entrySet()) {
      if (e.getKey().equalsIgnoreCase(":authority") || e.getKey().equalsIgnoreCase("host")) {
        return e.getValue();
      }
    }
    return null;
  }

  boolean isEmpty() {
    return setNames.length == 0 && addNames.length == 0 && removeNames.length == 0;
  }

  /** Applies the operations: removals first, then sets, then additions (as Envoy orders them). */
  public void apply(HttpHeaders headers) {
    for (AsciiString name : removeNames) {
      headers.remove(name);
    }
    for (int i = 0; i < setNames.length; i++) {
      headers.set(setNames[i], setValues[i]);
    }
    for (int i = 0; i < addNames.length; i++) {
      headers.add(addNames[i], addValues[i]);
    }
  }
}
