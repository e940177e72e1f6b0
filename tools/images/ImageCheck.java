import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.net.InetAddress;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Run inside the wayout image by tools/images/verify.sh, on the image's jlinked runtime with the
 * jar on the class path: checks that the runtime has what the parts need at run time, which jdeps
 * cannot see. ECDSA P-256 (SunEC, jdk.crypto.ec), the JDK's CA certificates, name lookups, Netty's
 * native transports and OpenSSL, and a TLS 1.3 handshake over loopback with each SSL provider,
 * using the certificates `wayout certs` wrote to args[0]. Exits non-zero on the first failure.
 */
public final class ImageCheck {

  public static void main(String[] args) throws Exception {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    ec.generateKeyPair();
    System.out.println("ok EC P-256 from " + ec.getProvider().getName());

    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init((KeyStore) null);
    int cas = ((X509TrustManager) tmf.getTrustManagers()[0]).getAcceptedIssuers().length;
    check(cas > 50, "the JDK's trust store holds " + cas + " CA certificates");

    check(InetAddress.getByName("localhost").isLoopbackAddress(), "localhost resolves to loopback");

    check(Epoll.isAvailable(), "epoll: " + Epoll.unavailabilityCause());
    System.out.println(
        (IoUring.isAvailable() ? "ok" : "--") + " io_uring: " + IoUring.unavailabilityCause());
    check(OpenSsl.isAvailable(), "OpenSSL " + OpenSsl.versionString());

    File dir = new File(args[0]);
    for (SslProvider provider : new SslProvider[] {SslProvider.JDK, SslProvider.OPENSSL}) {
      handshake(dir, provider);
    }
  }

  private static void handshake(File dir, SslProvider provider) throws Exception {
    SslContext server =
        SslContextBuilder.forServer(new File(dir, "tls.crt"), new File(dir, "tls.key"))
            .sslProvider(provider)
            .protocols("TLSv1.3")
            .build();
    SslContext client =
        SslContextBuilder.forClient()
            .trustManager(new File(dir, "ca.crt"))
            .sslProvider(provider)
            .protocols("TLSv1.3")
            .build();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel listener =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(server.newHandler(ch.alloc()));
                    }
                  })
              .bind(InetAddress.getLoopbackAddress(), 0)
              .sync()
              .channel();
      int port = ((java.net.InetSocketAddress) listener.localAddress()).getPort();
      SslHandler[] tls = new SslHandler[1];
      new Bootstrap()
          .group(group)
          .channel(NioSocketChannel.class)
          .handler(
              new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                  SSLEngine engine = client.newEngine(ch.alloc(), "127.0.0.1", port);
                  SSLParameters p = engine.getSSLParameters();
                  p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate's IP SAN
                  engine.setSSLParameters(p);
                  tls[0] = new SslHandler(engine);
                  ch.pipeline().addLast(tls[0]);
                }
              })
          .connect(InetAddress.getLoopbackAddress(), port)
          .sync();
      tls[0].handshakeFuture().await(10, TimeUnit.SECONDS);
      check(
          tls[0].handshakeFuture().isSuccess(),
          "TLS handshake with "
              + provider
              + ": "
              + tls[0].engine().getSession().getProtocol()
              + " "
              + tls[0].engine().getSession().getCipherSuite()
              + (tls[0].handshakeFuture().cause() == null
                  ? ""
                  : " " + tls[0].handshakeFuture().cause()));
      listener.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private static void check(boolean ok, String what) {
    System.out.println((ok ? "ok " : "FAILED ") + what);
    if (!ok) {
      System.exit(1);
    }
  }
}
