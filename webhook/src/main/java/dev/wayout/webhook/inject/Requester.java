package dev.wayout.webhook.inject;

import java.util.List;

/** Who sent the admission request ({@code request.userInfo}). */
public record Requester(String username, List<String> groups) {

  public Requester {
    username = username == null ? "" : username;
    groups = groups == null ? List.of() : List.copyOf(groups);
  }
}
