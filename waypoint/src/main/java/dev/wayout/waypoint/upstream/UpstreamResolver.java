package dev.wayout.waypoint.upstream;

import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DefaultDnsCache;
import io.netty.resolver.dns.DefaultDnsCnameCache;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseNotifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Asynchronous DNS for upstream names: one Netty resolver per event loop, sharing one cache that
 * keeps answers for their TTL (capped) and failures briefly. Never the JDK's blocking lookup.
 */
public final class UpstreamResolver implements AutoCloseable {

  private final DefaultDnsCache cache;
  private final DefaultDnsCnameCache cnameCache = new DefaultDnsCnameCache();
  private final DnsServerAddressStreamProvider servers;
  private final Class<? extends DatagramChannel> datagramType;
  private final Duration queryTimeout;
  private final List<DnsNameResolver> created = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final FastThreadLocal<DnsNameResolver> perLoop = new FastThreadLocal<>();

  public UpstreamResolver(
      List<InetSocketAddress> nameServers,
      Duration maxTtl,
      Duration negativeTtl,
      Duration queryTimeout,
      Class<? extends DatagramChannel> datagramType) {
    this.cache =
        new DefaultDnsCache(
            0, (int) Math.max(1, maxTtl.toSeconds()), (int) negativeTtl.toSeconds());
    this.servers =
        nameServers.isEmpty()
            ? DnsServerAddressStreamProviders.platformDefault()
            : new SequentialDnsServerAddressStreamProvider(
                nameServers.toArray(new InetSocketAddress[0]));
    this.queryTimeout = queryTimeout;
    this.datagramType = datagramType;
  }

  /** All addresses of a name, resolved on (and completing on) the given event loop. */
  public Future<List<InetAddress>> resolveAll(EventLoop loop, String host) {
    if (!loop.inEventLoop()) {
      Promise<List<InetAddress>> promise = loop.newPromise();
      loop.execute(() -> resolveAll(loop, host).addListener(new PromiseNotifier<>(promise)));
      return promise;
    }
    DnsNameResolver r = perLoop.get();
    if (r == null) {
      r = build(loop);
      perLoop.set(r);
    }
    return r.resolveAll(host);
  }

  private DnsNameResolver build(EventLoop loop) {
    DnsNameResolver r =
        new DnsNameResolverBuilder(loop)
            .datagramChannelType(datagramType)
            .nameServerProvider(servers)
            .resolveCache(cache)
            .cnameCache(cnameCache)
            .queryTimeoutMillis(queryTimeout.toMillis())
            .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
            .build();
    created.add(r);
    return r;
  }

  @Override
  public void close() {
    created.forEach(DnsNameResolver::close);
  }
}
