package dev.wayout.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReloadableKeyManagerTest {

  private static final Clock CLOCK = Clock.systemUTC();
  private static final List<String> NAMES = List.of("wayout-webhook.wayout-system.svc");
  private static final CertificateAuthority OLD_CA =
      CertificateAuthority.create(CLOCK, "wayout-webhook-ca", Duration.ofDays(1));
  private static final CertificateAuthority NEW_CA =
      CertificateAuthority.create(CLOCK, "wayout-webhook-ca", Duration.ofDays(1));

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private SSLServerSocket server;

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    threads.shutdownNow();
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void newHandshakesGetTheNewPairWhileNoRequestFails(String protocol) throws Exception {
    ServingCertificate first = issue(OLD_CA);
    ReloadableKeyManager keyManager = new ReloadableKeyManager(new AtomicReference<>(first));
    int port = serve(keyManager, protocol);
    SSLContext client = trusting(OLD_CA, NEW_CA);

    // a connection opened before any rotation, used again after all of them
    SSLSocket early = connect(client, port, protocol);
    assertThat(exchange(early, "before")).isEqualTo("ok before");

    Set<BigInteger> served = ConcurrentHashMap.newKeySet();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicInteger requests = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    Future<?> load =
        threads.submit(
            () -> {
              while (running.get()) {
                try (SSLSocket socket = connect(client, port, protocol)) {
                  served.add(
                      ((X509Certificate) socket.getSession().getPeerCertificates()[0])
                          .getSerialNumber());
                  assertThat(exchange(socket, "ping")).isEqualTo("ok ping");
                  requests.incrementAndGet();
                  // no resumption: each connection is a full handshake against the current pair
                  socket.getSession().invalidate();
                } catch (Throwable e) {
                  failures.add(e);
                }
              }
            });

    List<ServingCertificate> pairs =
        List.of(issue(OLD_CA), issue(OLD_CA), issue(NEW_CA), issue(NEW_CA), issue(NEW_CA));
    for (ServingCertificate next : pairs) {
      int before = requests.get();
      keyManager.onKeyMaterial(next);
      BigInteger serial = next.leaf().getSerialNumber();
      await().atMost(Duration.ofSeconds(10)).until(() -> served.contains(serial));
      await().atMost(Duration.ofSeconds(10)).until(() -> requests.get() > before + 5);
    }
    running.set(false);
    load.get();

    assertThat(failures).isEmpty();
    assertThat(served)
        .contains(first.leaf().getSerialNumber())
        .containsAll(pairs.stream().map(p -> p.leaf().getSerialNumber()).toList());
    // the early connection still works and still holds the certificate it negotiated
    assertThat(exchange(early, "after")).isEqualTo("ok after");
    assertThat(early.getSession().getPeerCertificates()[0]).isEqualTo(first.leaf());
    early.close();
  }

  @Test
  void anAliasKeepsNamingThePairItWasChosenFor() {
    ServingCertificate a = issue(OLD_CA);
    ServingCertificate b = issue(NEW_CA);
    ReloadableKeyManager keyManager = new ReloadableKeyManager(a);

    String aliasA = keyManager.chooseServerAlias("EC", null, null);
    keyManager.onKeyMaterial(b);
    String aliasB = keyManager.chooseEngineServerAlias("EC", null, null);

    assertThat(aliasA).isNotEqualTo(aliasB);
    assertThat(keyManager.getCertificateChain(aliasA)).containsExactlyElementsOf(a.chain());
    assertThat(keyManager.getPrivateKey(aliasA)).isEqualTo(a.privateKey());
    assertThat(keyManager.getCertificateChain(aliasB)).containsExactlyElementsOf(b.chain());
    assertThat(keyManager.getPrivateKey(aliasB)).isEqualTo(b.privateKey());
    assertThat(keyManager.getServerAliases("EC", null)).containsExactly(aliasB);
  }

  @Test
  void offersNothingForAnotherKeyTypeOrBeforeTheFirstPair() {
    ReloadableKeyManager keyManager = new ReloadableKeyManager(new AtomicReference<>());
    assertThat(keyManager.chooseServerAlias("EC", null, null)).isNull();
    keyManager.onKeyMaterial(issue(OLD_CA));
    assertThat(keyManager.chooseServerAlias("RSA", null, null)).isNull();
    assertThat(keyManager.chooseServerAlias("EC", null, null)).startsWith("wayout-serving-");
    assertThat(keyManager.getCertificateChain("unknown")).isNull();
    assertThat(keyManager.chooseClientAlias(new String[] {"EC"}, null, null)).isNull();
  }

  private static ServingCertificate issue(CertificateAuthority ca) {
    return ca.issueServing(CLOCK, NAMES, List.of("127.0.0.1"), Duration.ofHours(1));
  }

  /** A line-echo TLS server on an ephemeral loopback port. */
  private int serve(ReloadableKeyManager keyManager, String protocol) throws IOException {
    server =
        (SSLServerSocket)
            keyManager
                .sslContext()
                .getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    server.setEnabledProtocols(new String[] {protocol});
    threads.submit(
        () -> {
          while (!server.isClosed()) {
            try {
              Socket socket = server.accept();
              threads.submit(() -> echo(socket));
            } catch (IOException closed) {
              return;
            }
          }
        });
    return server.getLocalPort();
  }

  private static void echo(Socket socket) {
    try (socket;
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
      OutputStream out = socket.getOutputStream();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        out.write(("ok " + line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static SSLSocket connect(SSLContext context, int port, String protocol)
      throws IOException {
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setEnabledProtocols(new String[] {protocol});
    javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS"); // checks the IP SAN like a real client
    socket.setSSLParameters(parameters);
    socket.startHandshake();
    return socket;
  }

  private static String exchange(SSLSocket socket, String line) {
    try {
      socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      StringBuilder reply = new StringBuilder();
      for (int c = socket.getInputStream().read();
          c != '\n' && c >= 0;
          c = socket.getInputStream().read()) {
        reply.append((char) c);
      }
      return reply.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static SSLContext trusting(CertificateAuthority... cas) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    for (int i = 0; i < cas.length; i++) {
      trust.setCertificateEntry("ca-" + i, cas[i].certificate());
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
