package dev.wayout.model;

import java.util.Map;
import java.util.regex.Pattern;

/** Kubernetes label key and value syntax, as Istio checks subset and endpoint labels. */
final class KubeLabels {

  /** A DNS-1123 subdomain: Kubernetes object names, and the prefix of a label key. */
  static final String DNS_SUBDOMAIN =
      "[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*";

  private static final String NAME = "(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  private static final Pattern KEY = Pattern.compile("((?:" + DNS_SUBDOMAIN + ")/)?(" + NAME + ")");
  private static final Pattern VALUE = Pattern.compile("(" + NAME + ")?");

  private KubeLabels() {}

  /** Adds an error for each key or value Kubernetes would refuse; {@code path} is the map's. */
  static void check(Map<String, String> labels, String path, Findings findings) {
    for (Map.Entry<String, String> label : labels.entrySet()) {
      String key = label.getKey();
      var m = KEY.matcher(key);
      if (!m.matches()
          || (m.group(1) != null && m.group(1).length() - 1 > 253)
          || m.group(2).length() > 63) {
        findings.error(
            path,
            "the label key " + Findings.quote(key) + " is not a valid Kubernetes label key",
            "use an optional DNS prefix and a name of at most 63 letters, digits, '-', '_' or '.',"
                + " e.g. \"app\" or \"example.com/tier\"");
      }
      String value = label.getValue();
      if (value.length() > 63 || !VALUE.matcher(value).matches()) {
        findings.error(
            path + "." + key,
            Findings.quote(value) + " is not a valid Kubernetes label value",
            "use at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric");
      }
    }
  }
}
