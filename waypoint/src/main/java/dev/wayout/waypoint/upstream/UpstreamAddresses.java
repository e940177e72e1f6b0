package dev.wayout.waypoint.upstream;

import dev.wayout.waypoint.policy.Route;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The addresses the waypoint may dial for a route's host: its static endpoints or a DNS answer,
 * each passed through the {@link AddressGuard}. HTTP exchanges and tunnels both get their addresses
 * here, so neither can be pointed inside the cluster.
 */
public final class UpstreamAddresses {

  private final UpstreamResolver resolver;
  private final AddressGuard guard;

  public UpstreamAddresses(UpstreamResolver resolver, AddressGuard guard) {
    this.resolver = resolver;
    this.guard = guard;
  }

  /**
   * The checked addresses of {@code host} on the route's upstream port. Completes on {@code loop};
   * fails with an {@link UpstreamFailure}: DF when DNS fails, UH when there are none, and 403 UF
   * when every address was refused.
   */
  public Future<List<InetSocketAddress>> resolve(EventLoop loop, Route route, String host) {
    Promise<List<InetSocketAddress>> promise = loop.newPromise();
    if (route.toPeer()) {
      // A peer waypoint's Service, known from its labels: the only cluster address ever dialled.
      if (route.staticEndpoints().isEmpty()) {
        promise.tryFailure(
            new UpstreamFailure(
                HttpResponseStatus.SERVICE_UNAVAILABLE,
                "UH",
                Route.peerMissing(host, route.port().number(), route.peer())));
      } else {
        promise.trySuccess(route.staticEndpoints());
      }
      return promise;
    }
    if (route.isStatic()) {
      checked(route.staticEndpoints(), host, promise);
      return promise;
    }
    resolveChecked(loop, host, route.upstreamPort(), host, promise);
    return promise;
  }

  /**
   * The checked addresses of one cluster endpoint: its IP, its own name resolved, or (for an entry
   * without endpoints) the requested {@code host} resolved, on the endpoint's port. Fails as {@link
   * #resolve} does.
   */
  public Future<List<InetSocketAddress>> resolve(
      EventLoop loop, ClusterEndpoint endpoint, String host) {
    Promise<List<InetSocketAddress>> promise = loop.newPromise();
    if (endpoint.trusted) {
      promise.trySuccess(List.of(endpoint.socket));
      return promise;
    }
    if (endpoint.socket != null) {
      checked(List.of(endpoint.socket), host, promise);
      return promise;
    }
    String name = endpoint.hostName != null ? endpoint.hostName : host;
    resolveChecked(loop, name, endpoint.port, host, promise);
    return promise;
  }

  /** Resolves {@code name} with Netty's resolver, then checks the addresses on {@code port}. */
  private void resolveChecked(
      EventLoop loop,
      String name,
      int port,
      String host,
      Promise<List<InetSocketAddress>> promise) {
    resolver
        .resolveAll(loop, name)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                promise.tryFailure(
                    new UpstreamFailure(
                        HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "DF",
                        "DNS lookup of " + name + " failed: " + f.cause().getMessage()));
                return;
              }
              @SuppressWarnings("unchecked")
              List<InetAddress> found = (List<InetAddress>) f.getNow();
              List<InetSocketAddress> targets = new ArrayList<>(found.size());
              for (InetAddress a : found) {
                targets.add(new InetSocketAddress(a, port));
              }
              checked(targets, host, promise);
            });
  }

  /**
   * Resolves as {@link #resolve} does, then hands the checked addresses to {@code dial} on {@code
   * loop}; when resolving fails, {@code promise} fails with its {@link UpstreamFailure} instead.
   */
  public void resolveThen(
      EventLoop loop,
      Route route,
      String host,
      Promise<?> promise,
      Consumer<List<InetSocketAddress>> dial) {
    GenericFutureListener<Future<List<InetSocketAddress>>> then =
        f -> {
          if (f.isSuccess()) {
            dial.accept(f.getNow());
          } else {
            promise.tryFailure(f.cause());
          }
        };
    resolve(loop, route, host).addListener(then);
  }

  private void checked(
      List<InetSocketAddress> targets, String host, Promise<List<InetSocketAddress>> promise) {
    List<InetSocketAddress> allowed = new ArrayList<>(targets.size());
    List<String> refused = new ArrayList<>();
    for (InetSocketAddress t : targets) {
      Optional<String> why = guard.check(t.getAddress());
      if (why.isPresent()) {
        refused.add(why.get());
      } else {
        allowed.add(t);
      }
    }
    if (!allowed.isEmpty()) {
      promise.trySuccess(allowed);
    } else if (refused.isEmpty()) {
      promise.tryFailure(
          new UpstreamFailure(
              HttpResponseStatus.SERVICE_UNAVAILABLE, "UH", "no endpoints for " + host));
    } else {
      promise.tryFailure(
          new UpstreamFailure(
              HttpResponseStatus.FORBIDDEN,
              "UF",
              "refused to connect to "
                  + host
                  + ": "
                  + String.join(", ", refused)
                  + "; the waypoint never dials internal addresses for an external host"));
    }
  }
}
