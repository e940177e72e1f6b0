package dev.wayout.webhook.review;

import dev.wayout.webhook.admission.UserInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The identities allowed to exempt a namespace from egress enforcement: users by name, groups, and
 * service accounts as {@code namespace/name} (matched against the API server's {@code
 * system:serviceaccount:<namespace>:<name>} user names).
 */
public record EgressAdmins(Set<String> users, Set<String> groups, Set<String> serviceAccounts) {

  public EgressAdmins {
    users = Set.copyOf(users);
    groups = Set.copyOf(groups);
    serviceAccounts = Set.copyOf(serviceAccounts);
    for (String sa : serviceAccounts) {
      String[] parts = sa.split("/", -1);
      if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
        throw new IllegalArgumentException(
            "service account \"" + sa + "\" is not namespace/name, e.g. \"ops/gitops\"");
      }
    }
  }

  public boolean permits(UserInfo user) {
    if (users.contains(user.username())) {
      return true;
    }
    if (user.groups().stream().anyMatch(groups::contains)) {
      return true;
    }
    String prefix = "system:serviceaccount:";
    if (user.username().startsWith(prefix)) {
      String rest = user.username().substring(prefix.length());
      int colon = rest.indexOf(':');
      return colon > 0
          && serviceAccounts.contains(rest.substring(0, colon) + "/" + rest.substring(colon + 1));
    }
    return false;
  }

  /** Who may, in words: {@code users ["ops"], groups ["system:masters"]}. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    add(parts, "users", users);
    add(parts, "groups", groups);
    add(parts, "service accounts", serviceAccounts);
    return parts.isEmpty() ? "nobody (no identities are configured)" : String.join(", ", parts);
  }

  private static void add(List<String> parts, String what, Set<String> names) {
    if (!names.isEmpty()) {
      parts.add(
          what
              + " "
              + String.join(", ", new TreeSet<>(names).stream().map(n -> '"' + n + '"').toList()));
    }
  }
}
