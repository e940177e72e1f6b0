package dev.wayout.waypoint.testsupport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server on 127.0.0.1 for the waypoint's resolver: answers A queries from a map (TTL 1 s),
 * empty for other types, NXDOMAIN for unknown names. Built on Netty's DNS codec.
 */
public final class TestDns implements AutoCloseable {

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;
  private final Map<String, List<String>> answers = new ConcurrentHashMap<>();
  public final AtomicInteger queries = new AtomicInteger();

  public TestDns() throws InterruptedException {
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioDatagramChannel.class)
            .handler(
                new ChannelInitializer<DatagramChannel>() {
                  @Override
                  protected void initChannel(DatagramChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new DatagramDnsQueryDecoder(),
                            new DatagramDnsResponseEncoder(),
                            new Answer());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  /** Makes {@code name} resolve to these IPv4 addresses. */
  public TestDns answer(String name, String... ipv4) {
    answers.put(name.toLowerCase(Locale.ROOT), List.of(ipv4));
    return this;
  }

  public String address() {
    InetSocketAddress a = (InetSocketAddress) channel.localAddress();
    return "127.0.0.1:" + a.getPort();
  }

  private final class Answer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      queries.incrementAndGet();
      DnsQuestion q = query.recordAt(DnsSection.QUESTION);
      String name =
          q.name().endsWith(".") ? q.name().substring(0, q.name().length() - 1) : q.name();
      List<String> ips = answers.get(name.toLowerCase(Locale.ROOT));
      DatagramDnsResponse r =
          new DatagramDnsResponse(
              query.recipient(),
              query.sender(),
              query.id(),
              query.opCode(),
              ips == null ? DnsResponseCode.NXDOMAIN : DnsResponseCode.NOERROR);
      r.setAuthoritativeAnswer(true).setRecursionAvailable(true);
      r.addRecord(DnsSection.QUESTION, q);
      if (ips != null && q.type() == DnsRecordType.A) {
        for (String ip : ips) {
          r.addRecord(
              DnsSection.ANSWER,
              new DefaultDnsRawRecord(
                  q.name(),
                  DnsRecordType.A,
                  1,
                  Unpooled.wrappedBuffer(NetUtil.createByteArrayFromIpAddressString(ip))));
        }
      }
      ctx.writeAndFlush(r);
    }
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
