package dev.wayout.webhook.admission;

import java.util.List;

/** {@code request.userInfo} of an AdmissionReview: who is asking. */
public record UserInfo(String username, List<String> groups) {

  public static final UserInfo ANONYMOUS = new UserInfo("", List.of());

  public UserInfo {
    username = username == null ? "" : username;
    groups = groups == null ? List.of() : List.copyOf(groups);
  }

  @Override
  public String toString() {
    return groups.isEmpty()
        ? '"' + username + '"'
        : '"' + username + "\" (groups " + String.join(", ", groups) + ")";
  }
}
