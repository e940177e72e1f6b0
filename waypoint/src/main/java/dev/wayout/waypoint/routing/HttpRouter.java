package dev.wayout.waypoint.routing;

import dev.wayout.model.SourceIdentity;
import java.util.List;

/**
 * The http routes of one VirtualService for one registered host and port, in order: the first rule
 * with a match that holds takes the request, as Envoy's route table does. No match: the request
 * answers 404 with flag {@code NR}, as Envoy does when a VirtualService routes the host.
 */
public final class HttpRouter {

  private final HttpRule[] rules;

  /** The VirtualService as the access log names it, "namespace/name". */
  public final String virtualService;

  HttpRouter(String virtualService, List<HttpRule> rules) {
    this.virtualService = virtualService;
    this.rules = rules.toArray(new HttpRule[0]);
  }

  /** A rule that took a request, and which of its matches did. */
  public record Selected(HttpRule rule, int match) {
    public String routeName() {
      return rule.names().get(match);
    }

    public int matchedPrefix(String path) {
      return rule.matches().get(match).matchedPrefixLength(path);
    }
  }

  /** The rule for a request on {@code port} from {@code source}, or null when none matches. */
  public Selected select(HttpRequestView request, int port, SourceIdentity source) {
    for (HttpRule rule : rules) {
      List<RequestMatch> matches = rule.matches();
      for (int i = 0; i < matches.size(); i++) {
        if (matches.get(i).matches(request, port, source)) {
          return new Selected(rule, i);
        }
      }
    }
    return null;
  }
}
