package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.ClientTls;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.RedisCheck;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.testing.LocalRedis;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * redis checks against real Redis servers (Debian's redis-server, started by {@link LocalRedis}):
 * without auth, with requirepass and ACL users, with TLS and with mutual TLS; and against TCP
 * servers that answer what Redis would not.
 */
class RedisProbeCheckTest {

  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final String PASSWORD = "redis-Pw-91d2-never-shown";
  static final String ALICE_PASSWORD = "alice-Pw-5e07-never-shown";

  static LocalRedis open;
  static LocalRedis secured;
  static LocalRedis tls;
  static LocalRedis mutualTls;
  static TestPki.Identity ca;
  static TestPki.Identity server;
  static TestPki.Identity client;
  static CheckFactory factory;

  final Map<String, String> secrets = new HashMap<>();
  ServerSocket fake;

  @BeforeAll
  static void startServers() throws Exception {
    open = LocalRedis.launch();
    secured =
        LocalRedis.launch(
            "requirepass " + PASSWORD,
            "user alice on >" + ALICE_PASSWORD + " ~* &* +@all",
            "user pingless on >" + ALICE_PASSWORD + " ~* &* -@all");
    ca = TestPki.authority("vigie test redis CA");
    server = TestPki.leaf(ca, "localhost", Instant.now().plus(Duration.ofDays(20)), "localhost");
    client = TestPki.leaf(ca, "probe", Instant.now().plus(Duration.ofDays(20)), "probe");
    String chain = server.certificatePem() + TestPki.pem(ca.certificate());
    tls = LocalRedis.launchWithTls(chain, server.keyPem(), null);
    mutualTls = LocalRedis.launchWithTls(chain, server.keyPem(), TestPki.pem(ca.certificate()));
    factory = new CheckFactory();
  }

  @AfterAll
  static void stopServers() {
    if (factory != null) {
      factory.close();
    }
    for (LocalRedis redis : new LocalRedis[] {open, secured, tls, mutualTls}) {
      if (redis != null) {
        redis.close();
      }
    }
  }

  @AfterEach
  void closeFake() throws IOException {
    if (fake != null) {
      fake.close();
    }
  }

  static SecretKeyRef ref(String key) {
    return new SecretKeyRef("redis", key);
  }

  static HealthProbeSpec spec(String host, int port, Consumer<RedisCheck> tweak) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.redis = new RedisCheck();
    spec.redis.host = host;
    spec.redis.port = port;
    tweak.accept(spec.redis);
    return spec;
  }

  static HealthProbeSpec spec(LocalRedis on, Consumer<RedisCheck> tweak) {
    return spec(on.host(), on.port(), tweak);
  }

  Check check(HealthProbeSpec spec) {
    return factory.create("test", spec, r -> secrets.get(r.key));
  }

  CheckResult run(HealthProbeSpec spec) throws Exception {
    return run(spec, TIMEOUT);
  }

  CheckResult run(HealthProbeSpec spec, Duration timeout) throws Exception {
    try (Check check = check(spec)) {
      return check.run(timeout).get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
    }
  }

  String refused(HealthProbeSpec spec) {
    try {
      check(spec);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("the spec was accepted");
  }

  static String target(int port) {
    return "redis 127.0.0.1:" + port;
  }

  void assertNoSecrets(CheckResult result) {
    for (String secret : secrets.values()) {
      assertThat(result.message()).doesNotContain(secret);
      assertThat(String.valueOf(result.data())).doesNotContain(secret);
    }
    assertThat(result.message()).doesNotContain(PASSWORD).doesNotContain(ALICE_PASSWORD);
  }

  static Map<?, ?> redisData(CheckResult result) {
    return (Map<?, ?>) result.data().get("redis");
  }

  @Test
  void healthyServerAnswersPong() throws Exception {
    CheckResult result = run(spec(open, r -> {}));

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.reason()).isEqualTo(Reasons.SUCCEEDED);
    assertThat(result.message()).isEqualTo(target(open.port()) + ": PING answered PONG");
    assertThat(result.certificateNotAfter()).isNull();
    Map<?, ?> data = redisData(result);
    assertThat(data.get("reply")).isEqualTo("PONG");
    assertThat((String) data.get("version")).matches("\\d+\\.\\d+\\.\\d+");
    assertThat(data.get("mode")).isEqualTo("standalone");
    assertThat(data.get("role")).isEqualTo("master");
    assertThat(result.data()).doesNotContainKey("tls");
  }

  @Test
  void requirepassWithTheRightPassword() throws Exception {
    secrets.put("password", PASSWORD);

    CheckResult result = run(spec(secured, r -> r.passwordSecretRef = ref("password")));

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(redisData(result).get("reply")).isEqualTo("PONG");
    assertNoSecrets(result);
  }

  @Test
  void requirepassWithAWrongPasswordIsAuthenticationFailed() throws Exception {
    secrets.put("password", "wrong-" + PASSWORD.substring(6));

    CheckResult result = run(spec(secured, r -> r.passwordSecretRef = ref("password")));

    assertThat(result.reason()).isEqualTo(Reasons.AUTHENTICATION_FAILED);
    assertThat(result.message())
        .isEqualTo(target(secured.port()) + ": the server rejected the user name or password");
    assertThat(result.data()).isEmpty();
    assertNoSecrets(result);
  }

  @Test
  void noPasswordAgainstRequirepassIsAuthenticationFailed() throws Exception {
    CheckResult result = run(spec(secured, r -> {}));

    assertThat(result.reason()).isEqualTo(Reasons.AUTHENTICATION_FAILED);
    assertThat(result.message())
        .isEqualTo(
            target(secured.port())
                + ": the server requires a password and passwordSecretRef is not set");
  }

  @Test
  void aclUserWithTheRightAndWrongCredentials() throws Exception {
    secrets.put("user", "alice");
    secrets.put("password", ALICE_PASSWORD);
    HealthProbeSpec alice =
        spec(
            secured,
            r -> {
              r.usernameSecretRef = ref("user");
              r.passwordSecretRef = ref("password");
            });

    CheckResult right = run(alice);
    assertThat(right.success()).as(right.message()).isTrue();
    assertNoSecrets(right);

    secrets.put("password", PASSWORD);
    CheckResult wrong = run(alice);
    assertThat(wrong.reason()).isEqualTo(Reasons.AUTHENTICATION_FAILED);
    assertThat(wrong.message())
        .isEqualTo(target(secured.port()) + ": the server rejected the user name or password");
    assertNoSecrets(wrong);

    secrets.put("user", "mallory-unknown");
    CheckResult unknown = run(alice);
    assertThat(unknown.message()).isEqualTo(wrong.message()).doesNotContain("mallory");
  }

  @Test
  void aclUserWithoutPingIsAuthenticationFailedNoPerm() throws Exception {
    secrets.put("user", "pingless");
    secrets.put("password", ALICE_PASSWORD);

    CheckResult result =
        run(
            spec(
                secured,
                r -> {
                  r.usernameSecretRef = ref("user");
                  r.passwordSecretRef = ref("password");
                }));

    assertThat(result.reason()).isEqualTo(Reasons.AUTHENTICATION_FAILED);
    assertThat(result.message())
        .isEqualTo(target(secured.port()) + ": the user is not allowed to run PING (NOPERM)");
  }

  @Test
  void aPasswordForAServerWithoutOneIsAuthenticationFailed() throws Exception {
    secrets.put("password", PASSWORD);

    CheckResult result = run(spec(open, r -> r.passwordSecretRef = ref("password")));

    assertThat(result.reason()).isEqualTo(Reasons.AUTHENTICATION_FAILED);
    assertThat(result.message())
        .isEqualTo(
            target(open.port()) + ": the server has no password set, but passwordSecretRef is set");
    assertNoSecrets(result);
  }

  @Test
  void stoppedServerIsConnectionRefused() throws Exception {
    open.stop();
    try {
      CheckResult result = run(spec(open, r -> {}));

      assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_REFUSED);
      assertThat(result.message()).isEqualTo(target(open.port()) + ": connection refused");
    } finally {
      open.start();
    }
    assertThat(run(spec(open, r -> {})).success()).isTrue();
  }

  @Test
  void pausedServerTimesOut() throws Exception {
    try (Jedis admin = new Jedis(open.host(), open.port())) {
      admin.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "PAUSE", "1500", "ALL");
      long start = System.nanoTime();

      CheckResult result = run(spec(open, r -> {}), Duration.ofMillis(500));

      assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
      assertThat(result.message()).isEqualTo(target(open.port()) + ": no answer within 500ms");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);
      // Let the pause end before the next test.
      Thread.sleep(Math.max(0, 1600 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
    }
  }

  /** A TCP server that reads what the check sends and then answers {@code answer}. */
  int fakeServer(String answer) throws IOException {
    fake = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    ServerSocket listening = fake;
    Thread thread =
        new Thread(
            () -> {
              while (!listening.isClosed()) {
                try (Socket socket = listening.accept()) {
                  InputStream in = socket.getInputStream();
                  in.read(new byte[1024]);
                  if (answer != null) {
                    OutputStream out = socket.getOutputStream();
                    out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                  }
                  while (in.read() != -1) {
                    // hold until the client closes
                  }
                } catch (IOException e) {
                  // next connection, or closed
                }
              }
            });
    thread.setDaemon(true);
    thread.start();
    return listening.getLocalPort();
  }

  @Test
  void aServerThatAnswersNothingTimesOut() throws Exception {
    int port = fakeServer(null);
    long start = System.nanoTime();

    CheckResult result = run(spec("127.0.0.1", port, r -> {}), Duration.ofMillis(500));

    assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
    assertThat(result.message()).isEqualTo(target(port) + ": no answer within 500ms");
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);
  }

  @Test
  void aNonRedisServerIsUnexpectedResponse() throws Exception {
    int port = fakeServer("HTTP/1.1 400 Bad Request\r\nX-Secret: abc\r\n\r\n");

    CheckResult result = run(spec("127.0.0.1", port, r -> {}));

    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_RESPONSE);
    assertThat(result.message()).isEqualTo(target(port) + ": the answer is not a Redis reply");
  }

  @Test
  void aHugeAnnouncedReplyIsRefusedBeforeJedisAllocatesIt() throws Exception {
    for (String answer : List.of("$2000000000\r\n", "*2000000000\r\n", "$-7\r\n", "$1x\r\n")) {
      int port = fakeServer(answer);

      CheckResult result = run(spec("127.0.0.1", port, r -> {}));

      assertThat(result.reason()).as(answer).isEqualTo(Reasons.UNEXPECTED_RESPONSE);
      assertThat(result.message()).isEqualTo(target(port) + ": the answer is not a Redis reply");
      fake.close();
    }
  }

  @Test
  void endlessLinesAndTooManyBytesAreRefused() throws Exception {
    int port = fakeServer("+" + "A".repeat(RedisReplyGuard.MAX_LINE + 10) + "\r\n");
    CheckResult line = run(spec("127.0.0.1", port, r -> {}));
    assertThat(line.reason()).isEqualTo(Reasons.UNEXPECTED_RESPONSE);
    assertThat(line.message()).isEqualTo(target(port) + ": the answer is not a Redis reply");
    fake.close();

    // Each part within the limits, the whole beyond them.
    String bulk = "$" + RedisReplyGuard.MAX_BULK + "\r\n" + "x".repeat(RedisReplyGuard.MAX_BULK);
    port = fakeServer("*1000\r\n" + (bulk + "\r\n").repeat(5));
    CheckResult total = run(spec("127.0.0.1", port, r -> {}));
    assertThat(total.reason()).isEqualTo(Reasons.UNEXPECTED_RESPONSE);
    assertThat(total.message()).isEqualTo(target(port) + ": the answer is not a Redis reply");
    fake.close();

    // RESP that the guard lets through but Jedis cannot parse.
    port = fakeServer("#x\r\n");
    CheckResult unparsable = run(spec("127.0.0.1", port, r -> {}));
    assertThat(unparsable.message()).isEqualTo(target(port) + ": the answer is not a Redis reply");
  }

  @Test
  void theGuardChecksSingleBytesAsWellAsBuffers() throws Exception {
    byte[] reply =
        "*3\r\n$4\r\nPONG\r\n:12\r\n$-1\r\n%1\r\n+a\r\n#t\r\n".getBytes(StandardCharsets.US_ASCII);
    try (RedisReplyGuard guard = new RedisReplyGuard(new java.io.ByteArrayInputStream(reply))) {
      for (int i = 0; i < reply.length; i++) {
        assertThat(guard.read()).isEqualTo(reply[i] & 0xff);
      }
      assertThat(guard.read()).isEqualTo(-1);
    }
    try (RedisReplyGuard guard =
        new RedisReplyGuard(
            new java.io.ByteArrayInputStream("$16385\r\n".getBytes(StandardCharsets.US_ASCII)))) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> {
                while (guard.read() != -1) {
                  // until refused
                }
              })
          .isInstanceOf(RedisReplyGuard.NotARedisReply.class);
    }
  }

  @Test
  void helloFactsAreCutAndOddFieldsIgnored() throws Exception {
    String longVersion = "9".repeat(100);
    int port =
        fakeServer(
            "*6\r\n$7\r\nversion\r\n$100\r\n"
                + longVersion
                + "\r\n$4\r\nrole\r\n:1\r\n$4\r\nmode\r\n$8\r\nsentinel\r\n+PONG\r\n");

    CheckResult result = run(spec("127.0.0.1", port, r -> {}));

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(redisData(result))
        .isEqualTo(Map.of("reply", "PONG", "version", "9".repeat(64), "mode", "sentinel"));
  }

  @Test
  void aLoadingServerIsUnexpectedResponseNamingTheCode() throws Exception {
    String loading = "-LOADING Redis is loading the dataset in memory\r\n";
    int port = fakeServer(loading + loading);

    CheckResult result = run(spec("127.0.0.1", port, r -> {}));

    assertThat(result.reason()).isEqualTo(Reasons.UNEXPECTED_RESPONSE);
    assertThat(result.message()).isEqualTo(target(port) + ": PING answered an error (LOADING)");
  }

  @Test
  void anotherAnswerToPingIsUnexpectedResponse() throws Exception {
    // An old server: no HELLO; then PING answers something else than PONG.
    int port = fakeServer("-ERR unknown command 'HELLO'\r\n+OK\r\n");
    CheckResult ok = run(spec("127.0.0.1", port, r -> {}));
    assertThat(ok.reason()).isEqualTo(Reasons.UNEXPECTED_RESPONSE);
    assertThat(ok.message()).isEqualTo(target(port) + ": PING did not answer PONG");
    fake.close();

    port = fakeServer("-ERR unknown command 'HELLO'\r\n-some lower-case error text\r\n");
    CheckResult error = run(spec("127.0.0.1", port, r -> {}));
    assertThat(error.message()).isEqualTo(target(port) + ": PING answered an error");
    fake.close();

    // An old server that answers PONG: no version, mode or role, still healthy.
    port = fakeServer("-ERR unknown command 'HELLO'\r\n+PONG\r\n");
    CheckResult old = run(spec("127.0.0.1", port, r -> {}));
    assertThat(old.success()).isTrue();
    assertThat(redisData(old)).isEqualTo(Map.of("reply", "PONG"));
  }

  @Test
  void anErrorToAuthIsAuthenticationFailed() throws Exception {
    secrets.put("password", PASSWORD);
    int port = fakeServer("-ERR invalid password\r\n");
    CheckResult old = run(spec("127.0.0.1", port, r -> r.passwordSecretRef = ref("password")));
    assertThat(old.message())
        .isEqualTo(target(port) + ": the server rejected the user name or password");
    fake.close();

    port = fakeServer("+OK\r\n-NOAUTH HELLO needs auth\r\n-NOAUTH Authentication required.\r\n");
    CheckResult noauth = run(spec("127.0.0.1", port, r -> r.passwordSecretRef = ref("password")));
    assertThat(noauth.message()).isEqualTo(target(port) + ": the server requires a password");
    fake.close();

    port = fakeServer("-ERR something else\r\n");
    CheckResult other = run(spec("127.0.0.1", port, r -> r.passwordSecretRef = ref("password")));
    assertThat(other.reason()).isEqualTo(Reasons.AUTHENTICATION_FAILED);
    assertThat(other.message()).isEqualTo(target(port) + ": AUTH answered an error (ERR)");
  }

  @Test
  void aServerThatClosesIsConnectionFailed() throws Exception {
    fake = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    ServerSocket listening = fake;
    Thread thread =
        new Thread(
            () -> {
              try (Socket socket = listening.accept()) {
                socket.getInputStream().read(new byte[64]);
              } catch (IOException e) {
                // closed
              }
            });
    thread.setDaemon(true);
    thread.start();

    CheckResult result = run(spec("127.0.0.1", listening.getLocalPort(), r -> {}));

    assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_FAILED);
  }

  static ClientTls tlsWith(Consumer<ClientTls> tweak) {
    ClientTls tls = new ClientTls();
    tweak.accept(tls);
    return tls;
  }

  @Test
  void tlsWithTheCaAndTheRightHostName() throws Exception {
    secrets.put("ca", TestPki.pem(ca.certificate()));

    CheckResult result =
        run(spec("localhost", tls.port(), r -> r.tls = tlsWith(t -> t.caSecretRef = ref("ca"))));

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.message())
        .isEqualTo("redis localhost:" + tls.port() + ": PING answered PONG");
    assertThat(result.certificateNotAfter())
        .isEqualTo(server.certificate().getNotAfter().toInstant());
    Map<?, ?> facts = (Map<?, ?>) result.data().get("tls");
    assertThat((String) facts.get("protocol")).startsWith("TLSv1.");
    assertThat(facts.get("dnsNames")).isEqualTo(List.of("localhost"));
    assertThat(redisData(result).get("reply")).isEqualTo("PONG");
  }

  @Test
  void tlsWithAnotherHostNameIsTlsErrorUnlessServerNameOrInsecure() throws Exception {
    secrets.put("ca", TestPki.pem(ca.certificate()));

    CheckResult mismatch = run(spec(tls, r -> r.tls = tlsWith(t -> t.caSecretRef = ref("ca"))));
    assertThat(mismatch.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(mismatch.message())
        .isEqualTo(
            target(tls.port())
                + ": TLS handshake failed: server certificate does not match the host name");

    CheckResult serverName =
        run(
            spec(
                tls,
                r ->
                    r.tls =
                        tlsWith(
                            t -> {
                              t.caSecretRef = ref("ca");
                              t.serverName = "localhost";
                            })));
    assertThat(serverName.success()).as(serverName.message()).isTrue();

    CheckResult insecure = run(spec(tls, r -> r.tls = tlsWith(t -> t.insecureSkipVerify = true)));
    assertThat(insecure.success()).as(insecure.message()).isTrue();
  }

  @Test
  void untrustedServerCertificateIsTlsError() throws Exception {
    secrets.put("ca", TestPki.pem(TestPki.authority("another CA").certificate()));

    CheckResult otherCa =
        run(spec("localhost", tls.port(), r -> r.tls = tlsWith(t -> t.caSecretRef = ref("ca"))));
    CheckResult jvmTrust = run(spec("localhost", tls.port(), r -> r.tls = new ClientTls()));

    for (CheckResult result : List.of(otherCa, jvmTrust)) {
      assertThat(result.reason()).isEqualTo(Reasons.TLS_ERROR);
      assertThat(result.message())
          .isEqualTo(
              "redis localhost:"
                  + tls.port()
                  + ": TLS handshake failed: server certificate not trusted");
    }
  }

  @Test
  void tlsAgainstPlaintextAndPlaintextAgainstTls() throws Exception {
    // Redis takes the ClientHello for the start of an inline command and waits for its end.
    CheckResult tlsToPlain =
        run(
            spec(open, r -> r.tls = tlsWith(t -> t.insecureSkipVerify = true)),
            Duration.ofMillis(700));
    assertThat(tlsToPlain.reason()).isEqualTo(Reasons.TIMEOUT);

    // A plaintext server that answers the ClientHello with a Redis error is no TLS server.
    int port = fakeServer("-ERR unknown command\r\n");
    CheckResult tlsToError =
        run(spec("127.0.0.1", port, r -> r.tls = tlsWith(t -> t.insecureSkipVerify = true)));
    assertThat(tlsToError.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(tlsToError.message())
        .isEqualTo(target(port) + ": TLS handshake failed: the server does not speak TLS");

    CheckResult plainToTls = run(spec(tls, r -> {}));
    assertThat(plainToTls.reason()).isEqualTo(Reasons.CONNECTION_FAILED);
  }

  @Test
  void mutualTlsWithAndWithoutTheClientCertificate() throws Exception {
    secrets.put("ca", TestPki.pem(ca.certificate()));
    secrets.put("cert", client.certificatePem());
    secrets.put("key", client.keyPem());

    CheckResult with =
        run(
            spec(
                "localhost",
                mutualTls.port(),
                r ->
                    r.tls =
                        tlsWith(
                            t -> {
                              t.caSecretRef = ref("ca");
                              t.certSecretRef = ref("cert");
                              t.keySecretRef = ref("key");
                            })));
    assertThat(with.success()).as(with.message()).isTrue();
    assertNoSecrets(with);

    CheckResult without =
        run(
            spec(
                "localhost",
                mutualTls.port(),
                r -> r.tls = tlsWith(t -> t.caSecretRef = ref("ca"))));
    // With TLS 1.3 the server checks the client's certificate after the client has finished
    // the handshake: its alert races with the reset of the connection it closes.
    assertThat(without.reason())
        .as(without.message())
        .isIn(Reasons.TLS_ERROR, Reasons.CONNECTION_FAILED);
    assertThat(without.success()).isFalse();
  }

  @Test
  void specProblemsNameTheFieldWithoutEchoingValues() {
    secrets.put("ca", "not a pem " + PASSWORD);
    secrets.put("empty", "");
    secrets.put("password", PASSWORD);
    assertThat(refused(spec(null, 6379, r -> {}))).isEqualTo("spec.redis.host: required");
    assertThat(refused(spec("redis://" + PASSWORD + "@host", 6379, r -> {})))
        .isEqualTo("spec.redis.host: not a host name or IP address");
    assertThat(refused(spec("h", 70000, r -> {}))).isEqualTo("spec.redis.port: must be 1 to 65535");
    assertThat(refused(spec("h", 6379, r -> r.usernameSecretRef = ref("password"))))
        .isEqualTo(
            "spec.redis.usernameSecretRef: needs passwordSecretRef (Redis ACL users log in with"
                + " both)");
    assertThat(refused(spec("h", 6379, r -> r.passwordSecretRef = ref("empty"))))
        .isEqualTo("spec.redis.passwordSecretRef: the value is empty");
    assertThat(refused(spec("h", 6379, r -> r.tls = tlsWith(t -> t.caSecretRef = ref("ca")))))
        .isEqualTo("spec.redis.tls.caSecretRef: not a PEM certificate");
    assertThat(refused(spec("h", 6379, r -> r.tls = tlsWith(t -> t.certSecretRef = ref("ca")))))
        .isEqualTo("spec.redis.tls: certSecretRef and keySecretRef must be set together");
    assertThat(refused(spec("h", 6379, r -> r.tls = tlsWith(t -> t.serverName = "bad name!"))))
        .isEqualTo("spec.redis.tls.serverName: not a valid host name");
    assertThat(check(spec("[::1]", 6379, r -> r.port = null))).isNotNull();
  }

  @Test
  void unknownHostIsDnsFailure() throws Exception {
    CheckResult result = run(spec("no-such-host.invalid", 6379, r -> {}));

    assertThat(result.reason()).isEqualTo(Reasons.DNS_FAILURE);
    assertThat(result.message()).isEqualTo("redis no-such-host.invalid:6379: host name not found");
  }

  @Test
  void ipv6TargetIsBracketedInTheMessage() throws Exception {
    CheckResult result = run(spec("::1", open.port(), r -> {}));

    // The server listens on 127.0.0.1 only.
    assertThat(result.reason()).isIn(Reasons.CONNECTION_REFUSED, Reasons.CONNECTION_FAILED);
    assertThat(result.message()).startsWith("redis [::1]:" + open.port() + ": ");
  }
}
