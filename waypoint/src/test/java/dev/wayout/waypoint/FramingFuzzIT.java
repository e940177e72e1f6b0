package dev.wayout.waypoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wayout.waypoint.testsupport.RawHttp;
import dev.wayout.waypoint.testsupport.TestUpstream;
import dev.wayout.waypoint.testsupport.WaypointFixture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request framing under random damage: a request with a body (Content-Length, chunked, both),
 * followed on the same connection by a plain one, with a few bytes of its head and body replaced,
 * inserted, deleted or repeated. Whatever the bytes, the waypoint answers each request it forwards
 * (the upstream's count and the client's 200s agree: no request is smuggled past the client's view
 * and no answer is lost), refuses the rest with a 4xx or 501/505, never fails inside (500, 502,
 * 503, 504) and keeps serving. The cases come from fixed seeds, so a failure names its bytes and
 * reproduces.
 */
class FramingFuzzIT {

  private static final int CASES = 600;
  private static final long SEED = 20261128L;
  private static final String HOST = "api.example.com";
  private static final String ALPHABET = " \t\r\n,:;0123fx-Ab\u0000\u000b\u00a0\"";
  private static final Pattern HEAD = Pattern.compile("^HTTP/1\\.[01] (\\d{3})[^\\r]*\\r\\n");
  private static final Pattern LENGTH =
      Pattern.compile("\\r\\ncontent-length: *(\\d+)\\r\\n", Pattern.CASE_INSENSITIVE);

  private TestUpstream upstream;
  private WaypointFixture fixture;

  @BeforeEach
  void start() throws Exception {
    upstream = TestUpstream.http();
    fixture = new WaypointFixture(Map.of("WAYOUT_WAYPOINT_REQUEST_HEADER_TIMEOUT", "2s"));
    fixture.apply(WaypointFixture.staticEntry("api", HOST, 80, upstream.port(), "HTTP"));
  }

  @AfterEach
  void stop() {
    fixture.close();
    upstream.close();
  }

  @Test
  void damagedFramingIsAnsweredOrRefusedAndNeverDesynchronises() throws Exception {
    Map<Integer, Integer> statuses = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    ExecutorService clients = Executors.newFixedThreadPool(6);
    try {
      List<Future<Outcome>> outcomes = new ArrayList<>();
      for (int i = 0; i < CASES; i++) {
        String request = damaged(i, new Random(SEED + i));
        int id = i;
        outcomes.add(clients.submit(() -> exchange(id, request)));
      }
      for (Future<Outcome> f : outcomes) {
        Outcome o = f.get();
        o.statuses.forEach(s -> statuses.merge(s, 1, Integer::sum));
        String problem = o.problem(forwardedCount(o.id));
        if (problem != null) {
          problems.add(problem);
        }
      }
    } finally {
      clients.shutdownNow();
    }

    assertThat(problems).as("statuses seen: %s", statuses).isEmpty();
    // With these seeds about a fifth of the cases get both answers and most of the rest a 400.
    assertThat(statuses).as("some cases must get through, some be refused").containsKeys(200, 400);
    try (RawHttp client = new RawHttp(fixture.waypoint.httpAddress())) {
      String get = "GET /echo/after HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";
      assertThat(client.send(get).read().status()).as("still serving").isEqualTo(200);
    }
  }

  /** A request with a body and a plain one after it; a few bytes of the first are damaged. */
  private static String damaged(int id, Random random) {
    String[] framings = {
      "Content-Length: 5\r\n\r\nhello",
      "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n",
      "Content-Length: 0\r\n\r\n",
    };
    String line = "POST /echo/" + id + "/a HTTP/1.1\r\n";
    StringBuilder rest =
        new StringBuilder("Host: " + HOST + "\r\n" + framings[random.nextInt(framings.length)]);
    int damage = 1 + random.nextInt(3);
    for (int d = 0; d < damage; d++) {
      int at = random.nextInt(rest.length());
      char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
      switch (random.nextInt(4)) {
        case 0 -> rest.setCharAt(at, c);
        case 1 -> rest.insert(at, c);
        case 2 -> rest.deleteCharAt(at);
        default -> {
          int end = rest.indexOf("\r\n", at);
          int start = rest.lastIndexOf("\r\n", at) + 2;
          if (end > start) {
            rest.insert(start, rest.substring(start, end + 2)); // a line twice
          }
        }
      }
    }
    return line + rest + "GET /echo/" + id + "/b HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n";
  }

  private int forwardedCount(int id) {
    String prefix = "/echo/" + id + "/";
    return (int) upstream.requests.stream().filter(r -> r.uri().startsWith(prefix)).count();
  }

  /**
   * Sends the bytes, then reads whole responses until two came, the waypoint closed, or silence.
   */
  private Outcome exchange(int id, String request) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(fixture.waypoint.httpAddress(), 2000);
      socket.setSoTimeout(400);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      List<Integer> statuses = new ArrayList<>();
      byte[] buf = new byte[8192];
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (statuses.size() < 2 && System.nanoTime() < deadline) {
        int n;
        try {
          n = in.read(buf);
        } catch (SocketTimeoutException silence) {
          break; // e.g. a body the waypoint still waits for
        } catch (IOException reset) {
          break;
        }
        if (n < 0) {
          break;
        }
        received.write(buf, 0, n);
        statuses = completeResponses(received.toString(StandardCharsets.ISO_8859_1));
      }
      return new Outcome(id, request, statuses, received.toString(StandardCharsets.ISO_8859_1));
    }
  }

  /** The statuses of the whole responses in {@code text} (heads and Content-Length bodies). */
  private static List<Integer> completeResponses(String text) {
    List<Integer> statuses = new ArrayList<>();
    int at = 0;
    while (true) {
      int headEnd = text.indexOf("\r\n\r\n", at);
      if (headEnd < 0) {
        return statuses;
      }
      String head = text.substring(at, headEnd + 2);
      Matcher status = HEAD.matcher(head);
      Matcher length = LENGTH.matcher(head);
      if (!status.find()) {
        statuses.add(-1); // not a response: reported as a problem
        return statuses;
      }
      int bodyLength = length.find() ? Integer.parseInt(length.group(1)) : 0;
      if (text.length() < headEnd + 4 + bodyLength) {
        return statuses;
      }
      statuses.add(Integer.parseInt(status.group(1)));
      at = headEnd + 4 + bodyLength;
    }
  }

  private record Outcome(int id, String request, List<Integer> statuses, String received) {

    /** What is wrong with this exchange, or null. */
    String problem(int forwarded) {
      long answered = statuses.stream().filter(s -> s == 200).count();
      for (int s : statuses) {
        if (s != 200 && !(s >= 400 && s < 500) && s != 501 && s != 505) {
          return describe("status " + s);
        }
      }
      if (answered != forwarded) {
        return describe(forwarded + " requests reached the upstream, " + answered + " answered");
      }
      return null;
    }

    private String describe(String what) {
      return String.format(
          Locale.ROOT,
          "case %d: %s%n  sent:     %s%n  received: %s",
          id,
          what,
          visible(request),
          visible(received.length() > 400 ? received.substring(0, 400) + "..." : received));
    }

    private static String visible(String s) {
      StringBuilder b = new StringBuilder();
      for (char c : s.toCharArray()) {
        b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
      }
      return b.toString();
    }
  }
}
