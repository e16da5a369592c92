package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.TcpCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TCP checks against real sockets on loopback. */
class TcpProbeCheckTest {

  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Duration SHORT = Duration.ofMillis(400);

  static CheckFactory factory;
  ServerSocket server;

  @BeforeAll
  static void start() {
    factory = new CheckFactory(4096);
  }

  @AfterAll
  static void stop() {
    factory.close();
  }

  @AfterEach
  void closeServer() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  /** A server that handles one connection after another with {@code handler}. */
  int serve(Handler handler) throws IOException {
    server = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
    ServerSocket listening = server;
    Thread thread =
        new Thread(
            () -> {
              while (!listening.isClosed()) {
                try (Socket socket = listening.accept()) {
                  handler.handle(socket.getInputStream(), socket.getOutputStream());
                } catch (IOException | InterruptedException e) {
                  // next connection, or closed
                }
              }
            });
    thread.setDaemon(true);
    thread.start();
    return listening.getLocalPort();
  }

  interface Handler {
    void handle(InputStream in, OutputStream out) throws IOException, InterruptedException;
  }

  static HealthProbeSpec spec(String host, int port, String send, String expect) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.tcp = new TcpCheck();
    spec.tcp.host = host;
    spec.tcp.port = port;
    spec.tcp.send = send;
    spec.tcp.expect = expect;
    return spec;
  }

  static CheckResult run(HealthProbeSpec spec, Duration timeout) throws Exception {
    return factory
        .create("test", spec, ref -> null)
        .run(timeout)
        .get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      line.append((char) c);
    }
    return line.toString();
  }

  @Test
  void connectSucceeds() throws Exception {
    int port = serve((in, out) -> in.read());

    CheckResult result = run(spec("127.0.0.1", port, null, null), TIMEOUT);

    assertThat(result.success()).isTrue();
    assertThat(result.message()).isEqualTo("tcp 127.0.0.1:" + port + ": connected");
    assertThat(result.certificateNotAfter()).isNull();
  }

  @Test
  void closedPortIsConnectionRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }

    CheckResult result = run(spec("localhost", port, "", ""), TIMEOUT);

    assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_REFUSED);
    assertThat(result.message()).isEqualTo("tcp localhost:" + port + ": connection refused");
  }

  @Test
  void sendAndExpect() throws Exception {
    java.util.concurrent.atomic.AtomicReference<String> received =
        new java.util.concurrent.atomic.AtomicReference<>();
    int port =
        serve(
            (in, out) -> {
              received.set(readLine(in));
              out.write("+PO".getBytes(StandardCharsets.UTF_8));
              out.flush();
              Thread.sleep(50); // the expected text arrives in two reads
              out.write("NG\r\n".getBytes(StandardCharsets.UTF_8));
              out.flush();
              in.read();
            });

    CheckResult result = run(spec("127.0.0.1", port, "PING\r\n", "PONG"), TIMEOUT);

    assertThat(result.success()).isTrue();
    assertThat(result.message()).endsWith(": answered with the expected text");
    assertThat(received.get()).isEqualTo("PING\r");
    assertThat(result.data())
        .isEqualTo(Map.of("tcp", Map.of("connected", true, "response", "+PONG\r\n")));
  }

  @Test
  void assertionsSeeTheResponse() throws Exception {
    int port =
        serve(
            (in, out) -> {
              out.write("220 mail.example.org ESMTP ready\r\n".getBytes(StandardCharsets.UTF_8));
              out.flush();
              in.read();
            });
    HealthProbeSpec spec = spec("127.0.0.1", port, null, "\r\n");
    spec.assertions = List.of("result.tcp.response.startsWith('220 ')");
    assertThat(run(spec, TIMEOUT).success()).isTrue();
    spec.assertions = List.of("result.tcp.response.contains('Postfix')");
    assertThat(run(spec, TIMEOUT).reason()).isEqualTo(Reasons.ASSERTION_FAILED);
  }

  @Test
  void sendWithoutExpectation() throws Exception {
    int port = serve((in, out) -> readLine(in));

    CheckResult result = run(spec("127.0.0.1", port, "hello\n", null), TIMEOUT);

    assertThat(result.success()).isTrue();
    assertThat(result.message()).endsWith(": connected and sent 6 bytes");
  }

  @Test
  void largeSendIsWrittenInFull() throws Exception {
    String big = "x".repeat(8 * 1024 * 1024) + "\n";
    java.util.concurrent.atomic.AtomicInteger count =
        new java.util.concurrent.atomic.AtomicInteger();
    int port =
        serve(
            (in, out) -> {
              count.set(readLine(new java.io.BufferedInputStream(in)).length());
              out.write("OK\n".getBytes(StandardCharsets.UTF_8));
              out.flush();
            });

    CheckResult result = run(spec("127.0.0.1", port, big, "OK"), TIMEOUT);

    assertThat(result.success()).isTrue();
    assertThat(count.get()).isEqualTo(8 * 1024 * 1024);
  }

  @Test
  void otherAnswerThenCloseIsUnexpectedResponse() throws Exception {
    int port =
        serve(
            (in, out) -> {
              readLine(in);
              out.write("-ERR unknown command\r\n".getBytes(StandardCharsets.UTF_8));
            });

    CheckResult result = run(spec("127.0.0.1", port, "PING\r\n", "PONG"), TIMEOUT);

    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_RESPONSE);
    assertThat(result.message())
        .isEqualTo(
            "tcp 127.0.0.1:" + port + ": closed the connection without sending the expected text");
  }

  @Test
  void answerBeyondTheReadLimitIsUnexpectedResponse() throws Exception {
    int port =
        serve(
            (in, out) -> {
              out.write(new byte[10_000]);
              out.flush();
              in.read();
            });

    CheckResult result = run(spec("127.0.0.1", port, null, "READY"), TIMEOUT);

    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_RESPONSE);
    assertThat(result.message())
        .endsWith(": did not send the expected text in its first 4096 bytes");
  }

  @Test
  void expectedTextAfterManyReadsIsFound() throws Exception {
    int port =
        serve(
            (in, out) -> {
              for (int i = 0; i < 10; i++) {
                out.write(new byte[3000]);
                out.flush();
              }
              out.write("READY".getBytes(StandardCharsets.UTF_8));
              out.flush();
              in.read();
            });
    try (CheckFactory roomy = new CheckFactory()) {
      CheckResult result =
          roomy
              .create("test", spec("127.0.0.1", port, null, "READY"), ref -> null)
              .run(TIMEOUT)
              .get(10, TimeUnit.SECONDS);

      assertThat(result.success()).isTrue();
    }
  }

  @Test
  void invalidTimeoutIsReportedNotThrown() throws Exception {
    Check check = factory.create("test", spec("127.0.0.1", 1, null, null), ref -> null);

    assertThat(check.run(Duration.ZERO).get(1, TimeUnit.SECONDS).reason())
        .isEqualTo(Reasons.INVALID_SPEC);
    assertThat(check.run(null).get(1, TimeUnit.SECONDS).message())
        .isEqualTo("the timeout must be positive");
  }

  @Test
  void silentServerTimesOutOnTime() throws Exception {
    int port = serve((in, out) -> in.read());
    long start = System.nanoTime();

    CheckResult result = run(spec("127.0.0.1", port, null, "220 "), SHORT);

    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
    assertThat(result.message()).isEqualTo("tcp 127.0.0.1:" + port + ": no answer within 400ms");
    assertThat(elapsed).isLessThan(SHORT.toMillis() + 500);
  }

  @Test
  void unknownHostIsDnsFailure() throws Exception {
    CheckResult result = run(spec("does-not-exist.invalid", 25, null, null), TIMEOUT);

    assertThat(result.reason()).isEqualTo(Reasons.DNS_FAILURE);
    assertThat(result.message()).isEqualTo("tcp does-not-exist.invalid:25: host name not found");
  }

  @Test
  void ipv6HostsAreBracketed() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }

    CheckResult result = run(spec("::1", port, null, null), TIMEOUT);

    assertThat(result.success()).isFalse();
    assertThat(result.message()).startsWith("tcp [::1]:" + port + ": ");
  }

  @Test
  void manyConcurrentChecksComplete() throws Exception {
    int port = serve((in, out) -> {});
    Check check = factory.create("test", spec("127.0.0.1", port, null, null), ref -> null);
    CompletableFuture<?>[] runs = new CompletableFuture<?>[200];
    for (int i = 0; i < runs.length; i++) {
      runs[i] = check.run(TIMEOUT);
    }
    for (CompletableFuture<?> run : runs) {
      assertThat(((CheckResult) run.get(10, TimeUnit.SECONDS)).success()).isTrue();
    }
  }
}
