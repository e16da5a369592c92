package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.api.v1alpha1.TlsCheck;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** tls checks against real JDK TLS servers on loopback, with certificates made by the test. */
class TlsProbeCheckTest {

  static final String CANARY = "CANARY-9b4e1f";
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Duration SHORT = Duration.ofMillis(500);
  static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  static CheckFactory factory;
  static TestPki.Identity ca;
  static TestPki.Identity otherCa;
  static final Map<String, String> secrets = new ConcurrentHashMap<>();

  final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    factory = new CheckFactory();
    ca = TestPki.authority("vigie tls CA");
    otherCa = TestPki.authority("someone else");
    secrets.put("ca/ca.crt", TestPki.pem(ca.certificate()));
    secrets.put("other/ca.crt", TestPki.pem(otherCa.certificate()));
    secrets.put("broken/ca.crt", "-----BEGIN CERTIFICATE-----\n" + CANARY + "\n");
  }

  @AfterAll
  static void stop() {
    factory.close();
  }

  @AfterEach
  void closeServers() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  /** A TLS server that handshakes with each client in turn and records the SNI it was sent. */
  static final class TlsServer implements AutoCloseable {
    final SSLServerSocket socket;
    final List<String> sni = new CopyOnWriteArrayList<>();
    final List<String> sessionIds = new CopyOnWriteArrayList<>();

    /** A server; with {@code protocols}, only those (set before it accepts anything). */
    TlsServer(SSLContext context, String... protocols) throws IOException {
      socket =
          (SSLServerSocket)
              context
                  .getServerSocketFactory()
                  .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setSNIMatchers(
          List.of(
              new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
                @Override
                public boolean matches(SNIServerName name) {
                  sni.add(new SNIHostName(name.getEncoded()).getAsciiName());
                  return true;
                }
              }));
      if (protocols.length > 0) {
        parameters.setProtocols(protocols);
      }
      socket.setSSLParameters(parameters);
      Thread thread = new Thread(this::serve, "tls-test-server");
      thread.setDaemon(true);
      thread.start();
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (SSLSocket client = (SSLSocket) socket.accept()) {
          client.setSoTimeout(5000);
          client.startHandshake();
          sessionIds.add(java.util.HexFormat.of().formatHex(client.getSession().getId()));
        } catch (IOException e) {
          // The client gave up on the handshake (as it should for a bad chain), or closed.
        }
      }
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  TlsServer serve(TestPki.Identity identity, String... protocols) throws Exception {
    TlsServer server = new TlsServer(identity.context(), protocols);
    opened.add(server);
    return server;
  }

  static HealthProbeSpec spec(String host, Integer port, Consumer<TlsCheck> settings) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.tls = new TlsCheck();
    spec.tls.host = host;
    spec.tls.port = port;
    spec.tls.caSecretRef = new SecretKeyRef("ca", "ca.crt");
    settings.accept(spec.tls);
    return spec;
  }

  static HealthProbeSpec spec(TlsServer server, Consumer<TlsCheck> settings) {
    return spec("127.0.0.1", server.port(), settings);
  }

  static CheckResult run(HealthProbeSpec spec) throws Exception {
    return run(spec, TIMEOUT);
  }

  static CheckResult run(HealthProbeSpec spec, Duration timeout) throws Exception {
    Check check = factory.create("test", spec, ref -> secrets.get(ref.name + "/" + ref.key));
    try {
      CheckResult result = check.run(timeout).get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
      assertThat(result.message()).doesNotContain(CANARY);
      return result;
    } finally {
      check.close();
    }
  }

  static String target(TlsServer server) {
    return "tls 127.0.0.1:" + server.port();
  }

  static TestPki.Identity leafUntil(Instant notAfter, String... names) throws Exception {
    return TestPki.leaf(ca, "localhost", NOW.minus(30, ChronoUnit.DAYS), notAfter, names);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> tlsData(CheckResult result) {
    return (Map<String, Object>) result.data().get("tls");
  }

  @Test
  void validChainSucceedsWithItsFacts() throws Exception {
    Instant notAfter = NOW.plus(40, ChronoUnit.DAYS).plus(1, ChronoUnit.HOURS);
    TlsServer server = serve(leafUntil(notAfter, "localhost", "127.0.0.1"));

    CheckResult result = run(spec(server, t -> {}));

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.reason()).isEqualTo(Reasons.SUCCEEDED);
    assertThat(result.message())
        .isEqualTo(target(server) + ": valid until " + notAfter + " (40 days left)");
    assertThat(result.certificateNotAfter()).isEqualTo(notAfter);
    assertThat(tlsData(result))
        .containsEntry("protocol", "TLSv1.3")
        .containsEntry("notAfter", notAfter.toString())
        .containsEntry("daysLeft", 40L)
        .containsEntry("subject", "CN=localhost")
        .containsEntry("issuer", "CN=vigie tls CA")
        .containsEntry("dnsNames", List.of("localhost"))
        .containsKey("cipherSuite");
    assertThat(server.sni).as("no SNI for an IP address").isEmpty();
  }

  @Test
  void hostNameIsSentAsSni() throws Exception {
    TlsServer server = serve(leafUntil(NOW.plus(40, ChronoUnit.DAYS), "localhost"));

    CheckResult result = run(spec("localhost", server.port(), t -> {}));

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.message()).startsWith("tls localhost:" + server.port() + ": valid until ");
    assertThat(server.sni).containsExactly("localhost");

    CheckResult same = run(spec("localhost", server.port(), t -> t.serverName = "LOCALHOST"));
    assertThat(same.message()).startsWith("tls localhost:" + server.port() + ": valid until ");
    CheckResult blank = run(spec("localhost", server.port(), t -> t.serverName = " "));
    assertThat(blank.message()).startsWith("tls localhost:" + server.port() + ": valid until ");
  }

  @Test
  void anIpv6HostIsBracketedAndNotSentAsSni() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }

    CheckResult result = run(spec("::1", port, t -> {}));

    assertThat(result.success()).isFalse();
    assertThat(result.message()).startsWith("tls [::1]:" + port + ": ");
  }

  @Test
  void serverNameIsSentAsSniAndVerified() throws Exception {
    TlsServer server = serve(leafUntil(NOW.plus(40, ChronoUnit.DAYS), "orders.shop.svc"));

    CheckResult result = run(spec(server, t -> t.serverName = "orders.shop.svc"));

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.message())
        .startsWith(target(server) + " (server name orders.shop.svc): valid until ");
    assertThat(server.sni).containsExactly("orders.shop.svc");

    CheckResult qualified = run(spec(server, t -> t.serverName = "orders.shop.svc."));
    assertThat(qualified.success()).as(qualified.message()).isTrue();
    assertThat(server.sni).containsExactly("orders.shop.svc", "orders.shop.svc");
  }

  @Test
  void wrongHostNameIsTlsErrorWithTheCertificateDate() throws Exception {
    Instant notAfter = NOW.plus(40, ChronoUnit.DAYS);
    TlsServer server = serve(leafUntil(notAfter, "orders.shop.svc"));

    CheckResult byAddress = run(spec(server, t -> {}));
    assertThat(byAddress.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(byAddress.message())
        .isEqualTo(
            target(server)
                + ": TLS handshake failed: server certificate does not match the host name");
    assertThat(byAddress.certificateNotAfter()).isEqualTo(notAfter);

    CheckResult byName = run(spec(server, t -> t.serverName = "billing.shop.svc"));
    assertThat(byName.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(byName.message()).endsWith("does not match the host name");
    assertThat(server.sni).contains("billing.shop.svc");
  }

  @Test
  void expiringWithinMinValidForIsCertificateExpiring() throws Exception {
    Instant notAfter = NOW.plus(3, ChronoUnit.DAYS).plus(1, ChronoUnit.HOURS);
    TlsServer server = serve(leafUntil(notAfter, "127.0.0.1"));

    CheckResult result = run(spec(server, t -> {}));

    assertThat(result.reason()).isEqualTo(Reasons.CERTIFICATE_EXPIRING);
    assertThat(result.message())
        .isEqualTo(
            target(server)
                + ": the server certificate expires on "
                + notAfter
                + ", in 3 days (minValidFor 14d)");
    assertThat(result.certificateNotAfter()).isEqualTo(notAfter);
    assertThat(tlsData(result)).containsEntry("daysLeft", 3L);

    assertThat(run(spec(server, t -> t.minValidFor = "2d")).success()).isTrue();
    CheckResult hours = run(spec(server, t -> t.minValidFor = "3d2h"));
    assertThat(hours.reason()).isEqualTo(Reasons.CERTIFICATE_EXPIRING);
    assertThat(hours.message()).endsWith("in 3 days (minValidFor 3d2h)");
  }

  @Test
  void lessThanADayLeftSaysSo() throws Exception {
    TlsServer server = serve(leafUntil(NOW.plus(5, ChronoUnit.HOURS), "127.0.0.1"));

    CheckResult result = run(spec(server, t -> t.minValidFor = null));

    assertThat(result.reason()).isEqualTo(Reasons.CERTIFICATE_EXPIRING);
    assertThat(result.message()).endsWith(", in less than a day (minValidFor 14d)");
  }

  @Test
  void intermediateExpiringFirstIsNamed() throws Exception {
    Instant interNotAfter = NOW.plus(1, ChronoUnit.DAYS).plus(1, ChronoUnit.HOURS);
    TestPki.Identity intermediate = TestPki.intermediate(ca, "vigie intermediate", interNotAfter);
    TestPki.Identity leaf =
        TestPki.leaf(
            intermediate,
            "localhost",
            NOW.minus(1, ChronoUnit.DAYS),
            NOW.plus(60, ChronoUnit.DAYS),
            "127.0.0.1");
    TlsServer server = serve(leaf);

    CheckResult result = run(spec(server, t -> {}));

    assertThat(result.reason()).isEqualTo(Reasons.CERTIFICATE_EXPIRING);
    assertThat(result.message())
        .isEqualTo(
            target(server)
                + ": the chain certificate \"CN=vigie intermediate\" expires on "
                + interNotAfter
                + ", in 1 day (minValidFor 14d)");
    assertThat(result.certificateNotAfter()).isEqualTo(interNotAfter);
    assertThat(tlsData(result))
        .as("the leaf's names, the chain's earliest date")
        .containsEntry("subject", "CN=localhost")
        .containsEntry("issuer", "CN=vigie intermediate")
        .containsEntry("notAfter", interNotAfter.toString());
  }

  @Test
  void expiredIsCertificateExpiredNotAHandshakeError() throws Exception {
    Instant notAfter = NOW.minus(2, ChronoUnit.DAYS).minus(1, ChronoUnit.HOURS);
    TlsServer server = serve(leafUntil(notAfter, "127.0.0.1"));

    CheckResult result = run(spec(server, t -> {}));

    assertThat(result.success()).isFalse();
    assertThat(result.reason()).isEqualTo(Reasons.CERTIFICATE_EXPIRED);
    assertThat(result.message())
        .isEqualTo(
            target(server) + ": the server certificate expired on " + notAfter + " (2 days ago)");
    assertThat(result.certificateNotAfter()).isEqualTo(notAfter);
    assertThat(tlsData(result))
        .as("built from the captured chain: the handshake has no session")
        .containsEntry("protocol", "TLSv1.3")
        .containsEntry("notAfter", notAfter.toString())
        .containsEntry("daysLeft", -3L)
        .containsEntry("subject", "CN=localhost")
        .containsEntry("dnsNames", List.of())
        .containsKey("cipherSuite");
  }

  @Test
  void expiredSelfSignedIsCertificateExpiredEvenWithoutVerification() throws Exception {
    Instant notAfter = NOW.minus(3, ChronoUnit.HOURS);
    TlsServer server =
        serve(
            TestPki.selfSigned(
                "legacy", NOW.minus(400, ChronoUnit.DAYS), notAfter, "legacy.internal"));

    CheckResult result =
        run(
            spec(
                server,
                t -> {
                  t.caSecretRef = null;
                  t.insecureSkipVerify = true;
                }));

    assertThat(result.reason()).isEqualTo(Reasons.CERTIFICATE_EXPIRED);
    assertThat(result.message())
        .isEqualTo(
            target(server)
                + ": the server certificate expired on "
                + notAfter
                + " (less than a day ago)");
    assertThat(result.certificateNotAfter()).isEqualTo(notAfter);
    assertThat(tlsData(result)).containsEntry("subject", "CN=legacy");
  }

  @Test
  void selfSignedWithoutVerificationSucceedsOnItsDatesAlone() throws Exception {
    Instant notAfter = NOW.plus(90, ChronoUnit.DAYS);
    TlsServer server =
        serve(TestPki.selfSigned("legacy", NOW.minus(1, ChronoUnit.DAYS), notAfter, "legacy"));

    CheckResult result =
        run(
            spec(
                server,
                t -> {
                  t.caSecretRef = null;
                  t.insecureSkipVerify = true;
                }));

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.certificateNotAfter()).isEqualTo(notAfter);
  }

  @Test
  void notYetValidIsTlsError() throws Exception {
    Instant notBefore = NOW.plus(2, ChronoUnit.DAYS);
    TlsServer server =
        serve(TestPki.leaf(ca, "localhost", notBefore, NOW.plus(90, ChronoUnit.DAYS), "127.0.0.1"));

    CheckResult result = run(spec(server, t -> {}));

    assertThat(result.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(result.message())
        .isEqualTo(target(server) + ": the server certificate is not valid before " + notBefore);
    assertThat(result.certificateNotAfter()).isEqualTo(NOW.plus(90, ChronoUnit.DAYS));
  }

  @Test
  void untrustedChainIsTlsErrorWithTheCertificateDate() throws Exception {
    Instant notAfter = NOW.plus(40, ChronoUnit.DAYS);
    TlsServer server = serve(leafUntil(notAfter, "127.0.0.1"));

    CheckResult other = run(spec(server, t -> t.caSecretRef = new SecretKeyRef("other", "ca.crt")));
    assertThat(other.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(other.message())
        .isEqualTo(target(server) + ": TLS handshake failed: server certificate not trusted");
    assertThat(other.certificateNotAfter()).isEqualTo(notAfter);
    assertThat(tlsData(other)).containsEntry("issuer", "CN=vigie tls CA");

    CheckResult jvmDefault = run(spec(server, t -> t.caSecretRef = null));
    assertThat(jvmDefault.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(jvmDefault.message()).endsWith("server certificate not trusted");
  }

  @Test
  void everyRunSeesTheCertificateAgain() throws Exception {
    // A resumed session carries no certificate: each run must make a full handshake. TLS 1.2,
    // where the JDK client resumes by session id as soon as a handshake ends.
    Instant notAfter = NOW.plus(40, ChronoUnit.DAYS);
    TlsServer server = serve(leafUntil(notAfter, "127.0.0.1"), "TLSv1.2");
    Check check =
        factory.create("test", spec(server, t -> {}), ref -> secrets.get(ref.name + "/" + ref.key));
    try {
      for (int i = 0; i < 3; i++) {
        CheckResult result = check.run(TIMEOUT).get(10, TimeUnit.SECONDS);
        assertThat(result.success()).as(result.message()).isTrue();
        assertThat(result.certificateNotAfter()).isEqualTo(notAfter);
        assertThat(tlsData(result)).containsEntry("protocol", "TLSv1.2");
      }
    } finally {
      check.close();
    }
    assertThat(server.sessionIds).hasSize(3).doesNotHaveDuplicates();
  }

  @Test
  void closedPortIsConnectionRefused() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }

    CheckResult result = run(spec("127.0.0.1", port, t -> {}));

    assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_REFUSED);
    assertThat(result.message()).isEqualTo("tls 127.0.0.1:" + port + ": connection refused");
    assertThat(result.certificateNotAfter()).isNull();
  }

  @Test
  void aServerThatNeverHandshakesTimesOut() throws Exception {
    ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    opened.add(silent);
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    Thread acceptor =
        new Thread(
            () -> {
              try {
                accepted.add(silent.accept());
              } catch (IOException e) {
                // closed
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();

    long started = System.nanoTime();
    CheckResult result = run(spec("127.0.0.1", silent.getLocalPort(), t -> {}), SHORT);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
    assertThat(result.message())
        .isEqualTo("tls 127.0.0.1:" + silent.getLocalPort() + ": no answer within 500ms");
    assertThat(tookMs).isBetween(450L, 2000L);
    for (Socket s : accepted) {
      s.close();
    }
  }

  @Test
  void unknownHostIsDnsFailure() throws Exception {
    CheckResult result = run(spec("does-not-exist.invalid", 443, t -> {}));

    assertThat(result.reason()).isEqualTo(Reasons.DNS_FAILURE);
    assertThat(result.message()).isEqualTo("tls does-not-exist.invalid:443: host name not found");
  }

  @Test
  void aPlaintextServerIsTlsError() throws Exception {
    ServerSocket plain = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    opened.add(plain);
    Thread thread =
        new Thread(
            () -> {
              try (Socket s = plain.accept()) {
                s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes());
                s.getInputStream().read(new byte[1024]);
              } catch (IOException e) {
                // closed
              }
            });
    thread.setDaemon(true);
    thread.start();

    CheckResult result = run(spec("127.0.0.1", plain.getLocalPort(), t -> {}));

    assertThat(result.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(result.certificateNotAfter()).isNull();
  }

  @Test
  void invalidSpecsAreRefusedWithTheField() {
    assertThat(refused(spec(" ", 443, t -> {}))).isEqualTo("spec.tls.host: required");
    assertThat(refused(spec(null, 443, t -> {}))).isEqualTo("spec.tls.host: required");
    assertThat(refused(spec("a", 0, t -> {}))).isEqualTo("spec.tls.port: must be 1 to 65535");
    assertThat(refused(spec("a", 70000, t -> {}))).isEqualTo("spec.tls.port: must be 1 to 65535");
    assertThat(refused(spec("a", null, t -> {}))).isEqualTo("spec.tls.port: must be 1 to 65535");
    assertThat(refused(spec("bad host", 443, t -> {})))
        .isEqualTo("spec.tls.host: not a valid host name");
    assertThat(refused(spec("a", 443, t -> t.serverName = "bad name")))
        .isEqualTo("spec.tls.serverName: not a valid host name");
    assertThat(refused(spec("a", 443, t -> t.minValidFor = "2 weeks")))
        .isEqualTo("spec.tls.minValidFor: not a duration such as 14d, 36h or 1h30m");
    assertThat(refused(spec("a", 443, t -> t.caSecretRef = new SecretKeyRef("broken", "ca.crt"))))
        .isEqualTo("spec.tls.caSecretRef: not a PEM certificate");
  }

  @Test
  void theCaptureKeepsTheChainWhateverTheVerifierSays() throws Exception {
    TestPki.Identity leaf = leafUntil(NOW.plus(40, ChronoUnit.DAYS), "localhost");
    X509Certificate[] chain = leaf.chain().toArray(new X509Certificate[0]);
    TlsProbeCheck.ChainCapture trusting =
        new TlsProbeCheck.ChainCapture(TlsProbeCheck.trustManager(List.of(ca.certificate())));
    trusting.checkServerTrusted(chain, "ECDHE_ECDSA");
    assertThat(trusting.chain).containsExactly(chain);
    // Without a socket or engine the JDK checks the chain alone.
    trusting.checkServerTrusted(chain, "ECDHE_ECDSA", (SSLEngine) null);
    trusting.checkServerTrusted(chain, "ECDHE_ECDSA", (Socket) null);
    assertThat(trusting.getAcceptedIssuers()).containsExactly(ca.certificate());

    TlsProbeCheck.ChainCapture other =
        new TlsProbeCheck.ChainCapture(TlsProbeCheck.trustManager(List.of(otherCa.certificate())));
    assertThatThrownBy(() -> other.checkServerTrusted(chain, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("PKIX path");
    assertThat(other.chain).containsExactly(chain);

    TlsProbeCheck.ChainCapture skipping = new TlsProbeCheck.ChainCapture(null);
    skipping.checkServerTrusted(chain, "ECDHE_ECDSA", (SSLEngine) null);
    skipping.checkServerTrusted(chain, "ECDHE_ECDSA");
    assertThat(skipping.chain).containsExactly(chain);
    assertThat(skipping.getAcceptedIssuers()).isEmpty();
    assertThat(skipping.facts(NOW))
        .containsEntry("subject", "CN=localhost")
        .containsEntry("dnsNames", List.of("localhost"))
        .doesNotContainKey("protocol");
    skipping.checkServerTrusted(new X509Certificate[] {ca.certificate()}, "ECDHE_ECDSA");
    assertThat(skipping.facts(NOW))
        .as("an authority has no alternative names")
        .containsEntry("subject", "CN=vigie tls CA")
        .containsEntry("dnsNames", List.of());

    assertThatThrownBy(() -> skipping.checkClientTrusted(chain, "EC"))
        .isInstanceOf(CertificateException.class);
    assertThatThrownBy(() -> skipping.checkClientTrusted(chain, "EC", (Socket) null))
        .isInstanceOf(CertificateException.class);
    assertThatThrownBy(() -> skipping.checkClientTrusted(chain, "EC", (SSLEngine) null))
        .isInstanceOf(CertificateException.class);
  }

  static String refused(HealthProbeSpec spec) {
    try {
      factory.create("test", spec, ref -> secrets.get(ref.name + "/" + ref.key)).close();
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).doesNotContain(CANARY);
      return e.getMessage();
    }
    throw new AssertionError("the spec was accepted");
  }
}
