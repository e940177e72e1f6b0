package dev.wayout.waypoint.http;

import dev.wayout.model.SourceIdentity;
import dev.wayout.waypoint.WaypointConfig;
import dev.wayout.waypoint.access.AccessLogWriter;
import dev.wayout.waypoint.policy.EgressPolicy;
import dev.wayout.waypoint.trace.Tracing;
import dev.wayout.waypoint.tunnel.Tunnels;
import dev.wayout.waypoint.upstream.Upstreams;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.net.InetAddress;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The pipeline of a client connection on 15001:
 *
 * <pre>
 * codec -> MessagePerRead -> HttpServerKeepAliveHandler -> 100-continue -> ClientTimeoutHandler
 *   -> AccessLogHandler -> RequestGuard -> EgressPolicyHandler -> VirtualRouteHandler
 *   [-> TraceHandler] -> UpstreamHandler
 * </pre>
 *
 * MessagePerRead hands on one message per read, so that pipelined requests wait their turn and a
 * body is read only as fast as the upstream takes it. TraceHandler is there only when tracing is
 * on.
 */
public final class HttpListenerInitializer extends ChannelInitializer<SocketChannel> {

  private final WaypointConfig config;
  private final Supplier<EgressPolicy> policy;
  private final Upstreams upstreams;
  private final Tunnels tunnels;
  private final AccessLogWriter accessLog;
  private final Function<InetAddress, SourceIdentity> sourceIdentities;
  private final TraceHandler trace;

  /**
   * @param tracing null when tracing is off
   */
  public HttpListenerInitializer(
      WaypointConfig config,
      Supplier<EgressPolicy> policy,
      Upstreams upstreams,
      Tunnels tunnels,
      AccessLogWriter accessLog,
      Function<InetAddress, SourceIdentity> sourceIdentities,
      Tracing tracing) {
    this.config = config;
    this.policy = policy;
    this.upstreams = upstreams;
    this.tunnels = tunnels;
    this.accessLog = accessLog;
    this.sourceIdentities = sourceIdentities;
    this.trace = tracing == null ? null : new TraceHandler(tracing);
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    SourceIdentity source = sourceIdentities.apply(ch.remoteAddress().getAddress());
    WaypointServerCodec codec = new WaypointServerCodec(config.maxHeaderBytes());
    ChannelPipeline p = ch.pipeline();
    p.addLast("codec", codec);
    p.addLast(new MessagePerRead());
    p.addLast(new HttpServerKeepAliveHandler());
    p.addLast(new HttpServerExpectContinueHandler());
    p.addLast(
        new ClientTimeoutHandler(codec, config.requestHeaderTimeout(), config.clientIdleTimeout()));
    p.addLast(new AccessLogHandler(accessLog, source));
    p.addLast(new RequestGuard(config.maxHeaders()));
    p.addLast(new EgressPolicyHandler(policy, config.name()));
    p.addLast(new VirtualRouteHandler());
    if (trace != null) {
      p.addLast(trace);
    }
    p.addLast(new UpstreamHandler(upstreams, tunnels, config.requestTimeout()));
  }
}
