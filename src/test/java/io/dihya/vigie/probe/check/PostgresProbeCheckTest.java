package io.dihya.vigie.probe.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.PostgresCheck;
import io.dihya.vigie.api.v1alpha1.PostgresCheck.SslMode;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.testing.LocalPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * postgres checks against a real PostgreSQL (Debian's package, started by {@link LocalPostgres}):
 * one server without TLS, and one with TLS for the TLS tests.
 */
class PostgresProbeCheckTest {

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  static LocalPostgres pg;
  static LocalPostgres tlsPg;
  static TestPki.Identity ca;
  static TestPki.Identity server;
  static TestPki.Identity client;
  static CheckFactory factory;

  final Map<String, String> secrets = new HashMap<>();

  @BeforeAll
  static void startServers() throws Exception {
    pg = LocalPostgres.launch();
    pg.execute(
        "CREATE TABLE services (id int, name text, healthy bool, ratio numeric, weight float8,"
            + " started timestamptz, notes text)",
        "INSERT INTO services VALUES (1, 'orders', true, 0.75, 1.5, '2024-01-02 03:04:05+00',"
            + " NULL), (2, 'billing', false, 1, 2, NULL, repeat('x', 5000))",
        "ALTER TABLE services OWNER TO " + LocalPostgres.USER,
        "CREATE ROLE vigie_limited LOGIN CONNECTION LIMIT 0 PASSWORD '"
            + LocalPostgres.PASSWORD
            + "'");
    ca = TestPki.authority("vigie test postgres CA");
    server = TestPki.leaf(ca, "localhost", Instant.now().plus(Duration.ofDays(30)), "localhost");
    client =
        TestPki.leaf(
            ca, LocalPostgres.CERT_USER, Instant.now().plus(Duration.ofDays(30)), "client");
    tlsPg =
        LocalPostgres.launchWithTls(
            server.certificatePem() + TestPki.pem(ca.certificate()),
            server.keyPem(),
            TestPki.pem(ca.certificate()));
    factory = new CheckFactory();
  }

  @AfterAll
  static void stopServers() {
    if (factory != null) {
      factory.close();
    }
    if (pg != null) {
      pg.close();
    }
    if (tlsPg != null) {
      tlsPg.close();
    }
  }

  @BeforeEach
  void credentials() {
    secrets.put("username", LocalPostgres.USER);
    secrets.put("password", LocalPostgres.PASSWORD);
  }

  static SecretKeyRef ref(String key) {
    return new SecretKeyRef("db", key);
  }

  HealthProbeSpec spec(LocalPostgres on, Consumer<PostgresCheck> tweak) {
    HealthProbeSpec spec = new HealthProbeSpec();
    spec.postgres = new PostgresCheck();
    spec.postgres.host = on.host();
    spec.postgres.port = on.port();
    spec.postgres.database = LocalPostgres.DATABASE;
    spec.postgres.usernameSecretRef = ref("username");
    spec.postgres.passwordSecretRef = ref("password");
    tweak.accept(spec.postgres);
    return spec;
  }

  HealthProbeSpec spec(Consumer<PostgresCheck> tweak) {
    return spec(pg, tweak);
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

  String target(LocalPostgres on) {
    return "postgres 127.0.0.1:" + on.port() + "/" + LocalPostgres.DATABASE;
  }

  String refused(HealthProbeSpec spec) {
    try {
      check(spec);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("the spec was accepted");
  }

  /** Neither the message nor the data holds a credential. */
  void assertNoSecrets(CheckResult result) {
    for (String secret : secrets.values()) {
      assertThat(result.message()).doesNotContain(secret);
      assertThat(String.valueOf(result.data())).doesNotContain(secret);
    }
  }

  @Test
  void healthyServerAnswersTheDefaultQuery() throws Exception {
    CheckResult result = run(spec(p -> {}));

    assertThat(result.success()).isTrue();
    assertThat(result.reason()).isEqualTo(Reasons.SUCCEEDED);
    assertThat(result.message()).isEqualTo(target(pg) + ": query returned 1 row");
    assertThat(result.certificateNotAfter()).isNull();
    Map<?, ?> data = (Map<?, ?>) result.data().get("postgres");
    assertThat(data.get("rows")).isEqualTo(List.of(Map.of("?column?", 1L)));
    assertThat(data.get("rowCount")).isEqualTo(1L);
    assertThat(data.get("columns")).isEqualTo(List.of("?column?"));
    assertThat((String) data.get("serverVersion")).matches("\\d+\\.\\d+.*");
    assertThat(data.get("ssl")).isEqualTo(false);
    assertThat(result.data()).doesNotContainKey("tls");
    assertNoSecrets(result);
    await().until(() -> PostgresAttempt.running() == 0);
  }

  @Test
  void rowsAreVisibleToAssertions() throws Exception {
    CheckResult result = run(spec(p -> p.query = "SELECT * FROM services ORDER BY id"), TIMEOUT);

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.message()).endsWith(": query returned 2 rows");
    Map<?, ?> data = (Map<?, ?>) result.data().get("postgres");
    List<?> rows = (List<?>) data.get("rows");
    assertThat(rows).hasSize(2);
    Map<?, ?> first = (Map<?, ?>) rows.get(0);
    assertThat(first.get("id")).isEqualTo(1L);
    assertThat(first.get("name")).isEqualTo("orders");
    assertThat(first.get("healthy")).isEqualTo(true);
    assertThat(first.get("ratio")).isEqualTo(0.75);
    assertThat(first.get("weight")).isEqualTo(1.5);
    assertThat((String) first.get("started")).startsWith("2024-01-02");
    assertThat(first.get("notes")).isEqualTo(com.google.protobuf.NullValue.NULL_VALUE);
    Map<?, ?> second = (Map<?, ?>) rows.get(1);
    assertThat(second.get("healthy")).isEqualTo(false);
    assertThat(second.get("ratio")).isEqualTo(1.0);
    assertThat(second.get("started")).isEqualTo(com.google.protobuf.NullValue.NULL_VALUE);
    assertThat((String) second.get("notes")).hasSize(PostgresProbeCheck.MAX_VALUE_CHARS);
    assertThat(data.get("columns"))
        .isEqualTo(List.of("id", "name", "healthy", "ratio", "weight", "started", "notes"));
  }

  @Test
  void onlyTheFirstRowsAreKeptButAllAreCounted() throws Exception {
    CheckResult result =
        run(spec(p -> p.query = "SELECT n, n::text AS label FROM generate_series(1, 250) n"));

    assertThat(result.success()).isTrue();
    assertThat(result.message()).endsWith(": query returned 250 rows");
    Map<?, ?> data = (Map<?, ?>) result.data().get("postgres");
    assertThat((List<?>) data.get("rows")).hasSize(PostgresProbeCheck.MAX_ROWS);
    assertThat(((List<?>) data.get("rows")).get(99)).isEqualTo(Map.of("n", 100L, "label", "100"));
    assertThat(data.get("rowCount")).isEqualTo(250L);
  }

  @Test
  void aStatementWithoutRowsSucceedsWithNone() throws Exception {
    CheckResult result = run(spec(p -> p.query = "SET LOCAL statement_timeout = 1000"));

    assertThat(result.success()).isTrue();
    assertThat(result.message()).endsWith(": query returned 0 rows");
    Map<?, ?> data = (Map<?, ?>) result.data().get("postgres");
    assertThat(data.get("rows")).isEqualTo(List.of());
    assertThat(data.get("rowCount")).isEqualTo(0L);
  }

  @Test
  void wrongPasswordIsAuthenticationFailedWithoutTheCredentials() throws Exception {
    secrets.put("password", "wrong-Pw-77a1");

    CheckResult result = run(spec(p -> {}));

    assertThat(result.success()).isFalse();
    assertThat(result.reason()).isEqualTo(Reasons.AUTHENTICATION_FAILED);
    assertThat(result.message()).isEqualTo(target(pg) + ": password authentication failed");
    assertThat(result.data()).isEmpty();
    assertNoSecrets(result);
  }

  @Test
  void unknownUserAndMissingPasswordAreAuthenticationFailed() throws Exception {
    secrets.put("username", "nobody_here_4c1");
    CheckResult unknown = run(spec(p -> {}));
    assertThat(unknown.reason()).isEqualTo(Reasons.AUTHENTICATION_FAILED);
    assertNoSecrets(unknown);

    secrets.put("username", LocalPostgres.USER);
    CheckResult none = run(spec(p -> p.passwordSecretRef = null));
    assertThat(none.reason()).isEqualTo(Reasons.AUTHENTICATION_FAILED);
    assertThat(none.message())
        .isEqualTo(
            target(pg) + ": the server asks for a password and passwordSecretRef is not set");

    secrets.put("password", "");
    CheckResult empty = run(spec(p -> {}));
    assertThat(empty.message()).isEqualTo(none.message());
  }

  @Test
  void missingDatabaseIsNotFound() throws Exception {
    CheckResult result = run(spec(p -> p.database = "no_such_db"));

    assertThat(result.reason()).isEqualTo(Reasons.NOT_FOUND);
    assertThat(result.message())
        .isEqualTo("postgres 127.0.0.1:" + pg.port() + "/no_such_db: the database does not exist");
  }

  @Test
  void missingDatabaseWithWrongPasswordIsStillAuthenticationFailed() throws Exception {
    secrets.put("password", "wrong-Pw-77a1");

    CheckResult result = run(spec(p -> p.database = "no_such_db"));

    assertThat(result.reason()).isEqualTo(Reasons.AUTHENTICATION_FAILED);
  }

  @Test
  void badQueryIsQueryFailedNamingTheSqlStateOnly() throws Exception {
    CheckResult syntax = run(spec(p -> p.query = "SELEC 1"));
    assertThat(syntax.reason()).isEqualTo(Reasons.QUERY_FAILED);
    assertThat(syntax.message()).isEqualTo(target(pg) + ": query failed (SQLState 42601)");

    // The server's text would quote the value: it must not reach the message.
    CheckResult cast = run(spec(p -> p.query = "SELECT 'card-4111-1111'::int"));
    assertThat(cast.reason()).isEqualTo(Reasons.QUERY_FAILED);
    assertThat(cast.message()).isEqualTo(target(pg) + ": query failed (SQLState 22P02)");

    CheckResult missing = run(spec(p -> p.query = "SELECT * FROM no_such_table"));
    assertThat(missing.message()).isEqualTo(target(pg) + ": query failed (SQLState 42P01)");
  }

  @Test
  void writesAreRefusedByTheReadOnlyTransaction() throws Exception {
    CheckResult insert =
        run(spec(p -> p.query = "INSERT INTO services (id, name) VALUES (99, 'intruder')"));
    CheckResult create = run(spec(p -> p.query = "CREATE TABLE intruder (id int)"));
    CheckResult returning =
        run(spec(p -> p.query = "DELETE FROM services WHERE id = 1 RETURNING id"));

    for (CheckResult result : List.of(insert, create, returning)) {
      assertThat(result.reason()).isEqualTo(Reasons.QUERY_FAILED);
      // read_only_sql_transaction
      assertThat(result.message()).isEqualTo(target(pg) + ": query failed (SQLState 25006)");
    }
    CheckResult count =
        run(spec(p -> p.query = "SELECT count(*) AS n FROM services WHERE id IN (1, 99)"));
    assertThat(((Map<?, ?>) count.data().get("postgres")).get("rows"))
        .isEqualTo(List.of(Map.of("n", 1L)));
  }

  @Test
  void aSecondStatementIsRefusedBeforeItCouldEscapeTheTransaction() {
    assertThat(refused(spec(p -> p.query = "COMMIT; INSERT INTO services (id) VALUES (98)")))
        .isEqualTo(
            "spec.postgres.query: must be a single statement (it runs in a read-only"
                + " transaction)");
    // One statement with a trailing semicolon, and semicolons inside literals, are one statement.
    assertThat(check(spec(p -> p.query = "SELECT 1;"))).isNotNull();
    assertThat(check(spec(p -> p.query = "SELECT ';' AS a, $$;$$ AS b"))).isNotNull();
  }

  @Test
  void stoppedServerIsConnectionRefused() throws Exception {
    pg.stop();
    try {
      CheckResult result = run(spec(p -> {}));

      assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_REFUSED);
      assertThat(result.message()).isEqualTo(target(pg) + ": connection refused");
    } finally {
      pg.start();
    }
    assertThat(run(spec(p -> {})).success()).isTrue();
  }

  @Test
  void slowQueryTimesOutAndIsCancelledOnTheServer() throws Exception {
    long start = System.nanoTime();
    CheckResult result =
        run(spec(p -> p.query = "SELECT pg_sleep(5) AS vigie_slow"), Duration.ofSeconds(1));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
    assertThat(result.message()).isEqualTo(target(pg) + ": no answer within 1s");
    assertThat(elapsedMs).isLessThan(2500);
    // The server stops the query (cancelled at the deadline), long before its 5 seconds.
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> activeQueries("vigie_slow") == 0 && PostgresAttempt.running() == 0);
    assertThat(pg.log()).contains("canceling statement due to user request");
    // Cancelled by the check's own deadline, not by pgjdbc's timer thread.
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("PostgreSQL-JDBC-SharedTimer"));
  }

  /** Queries still running on the server whose text contains {@code marker}. */
  static long activeQueries(String marker) throws Exception {
    Properties props = new Properties();
    props.setProperty("user", LocalPostgres.USER);
    props.setProperty("password", LocalPostgres.PASSWORD);
    props.setProperty("sslmode", "disable");
    String url = "jdbc:postgresql://127.0.0.1:" + pg.port() + "/" + LocalPostgres.DATABASE;
    try (Connection c = new org.postgresql.Driver().connect(url, props);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE"
                    + " '%"
                    + marker
                    + "%' AND pid <> pg_backend_pid()")) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void serverThatNeverAnswersTimesOutAndFreesTheThread() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread acceptor = acceptAndHold(silent);
      long start = System.nanoTime();
      CheckResult result =
          run(
              spec(
                  p -> {
                    p.port = silent.getLocalPort();
                    p.sslMode = SslMode.DISABLE;
                  }),
              Duration.ofMillis(700));

      assertThat(result.reason()).isEqualTo(Reasons.TIMEOUT);
      assertThat(result.message()).endsWith(": no answer within 700ms");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2200);
      // The socket stops waiting one grace second after the deadline.
      await().atMost(Duration.ofSeconds(3)).until(() -> PostgresAttempt.running() == 0);
      acceptor.interrupt();
    }
  }

  /** Accepts connections and reads them without ever answering. */
  static Thread acceptAndHold(ServerSocket server) {
    Thread thread =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try (Socket socket = server.accept()) {
                  InputStream in = socket.getInputStream();
                  while (in.read() != -1) {
                    // swallow
                  }
                } catch (IOException e) {
                  // closed
                }
              }
            });
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  @Test
  void nonPostgresServerIsAFailureWithoutItsText() throws Exception {
    try (ServerSocket http = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread thread =
          new Thread(
              () -> {
                try (Socket socket = http.accept()) {
                  socket.getInputStream().read(new byte[8]);
                  OutputStream out = socket.getOutputStream();
                  out.write("HTTP/1.1 400 Bad Request secret-body\r\n\r\n".getBytes());
                  out.flush();
                } catch (IOException e) {
                  // done
                }
              });
      thread.setDaemon(true);
      thread.start();

      CheckResult result =
          run(
              spec(
                  p -> {
                    p.port = http.getLocalPort();
                    p.sslMode = SslMode.DISABLE;
                  }),
              Duration.ofSeconds(3));

      assertThat(result.success()).isFalse();
      assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_FAILED);
      assertThat(result.message())
          .doesNotContain("secret-body")
          .startsWith(
              target(pg).replace(String.valueOf(pg.port()), String.valueOf(http.getLocalPort())));
    }
  }

  @Test
  void requiredTlsAgainstAServerWithoutTlsIsTlsError() throws Exception {
    for (SslMode mode : List.of(SslMode.REQUIRE, SslMode.VERIFY_CA, SslMode.VERIFY_FULL)) {
      CheckResult result = run(spec(p -> p.sslMode = mode));

      assertThat(result.reason()).as(mode.name()).isEqualTo(Reasons.TLS_ERROR);
      assertThat(result.message()).isEqualTo(target(pg) + ": the server does not offer TLS");
    }
    // TLS comes before the login: without a password it is still the missing TLS.
    CheckResult noPassword =
        run(
            spec(
                p -> {
                  p.sslMode = SslMode.REQUIRE;
                  p.passwordSecretRef = null;
                }));
    assertThat(noPassword.reason()).isEqualTo(Reasons.TLS_ERROR);
  }

  @Test
  void preferAndAllowFallBackToPlaintextWithoutTls() throws Exception {
    for (SslMode mode : List.of(SslMode.PREFER, SslMode.ALLOW, SslMode.DISABLE)) {
      CheckResult result = run(spec(p -> p.sslMode = mode));

      assertThat(result.success()).as(mode.name()).isTrue();
      assertThat(((Map<?, ?>) result.data().get("postgres")).get("ssl")).isEqualTo(false);
    }
  }

  @Test
  void requireEncryptsWithoutVerifying() throws Exception {
    CheckResult result =
        run(
            spec(
                tlsPg,
                p -> {
                  p.host = "127.0.0.1";
                  p.sslMode = SslMode.REQUIRE;
                }));

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(((Map<?, ?>) result.data().get("postgres")).get("ssl")).isEqualTo(true);
    assertThat(result.certificateNotAfter())
        .isEqualTo(server.certificate().getNotAfter().toInstant());
    Map<?, ?> tls = (Map<?, ?>) result.data().get("tls");
    assertThat((String) tls.get("protocol")).startsWith("TLSv1.");
    assertThat(tls.get("dnsNames")).isEqualTo(List.of("localhost"));
    assertNoSecrets(result);
  }

  @Test
  void verifyFullWithTheCaAndTheRightHostName() throws Exception {
    secrets.put("ca", TestPki.pem(ca.certificate()));

    CheckResult result =
        run(
            spec(
                tlsPg,
                p -> {
                  p.host = "localhost";
                  p.sslMode = SslMode.VERIFY_FULL;
                  p.caSecretRef = ref("ca");
                }));

    assertThat(result.success()).as(result.message()).isTrue();
    assertThat(result.message())
        .isEqualTo(
            "postgres localhost:"
                + tlsPg.port()
                + "/"
                + LocalPostgres.DATABASE
                + ": query returned 1 row");
    assertThat(((Map<?, ?>) result.data().get("postgres")).get("ssl")).isEqualTo(true);
  }

  @Test
  void verifyFullWithAnotherHostNameIsTlsErrorButVerifyCaPasses() throws Exception {
    secrets.put("ca", TestPki.pem(ca.certificate()));

    CheckResult full =
        run(
            spec(
                tlsPg,
                p -> {
                  p.sslMode = SslMode.VERIFY_FULL;
                  p.caSecretRef = ref("ca");
                }));
    assertThat(full.reason()).isEqualTo(Reasons.TLS_ERROR);
    assertThat(full.message())
        .isEqualTo(
            target(tlsPg)
                + ": TLS handshake failed: server certificate does not match the host name");

    CheckResult caOnly =
        run(
            spec(
                tlsPg,
                p -> {
                  p.sslMode = SslMode.VERIFY_CA;
                  p.caSecretRef = ref("ca");
                }));
    assertThat(caOnly.success()).as(caOnly.message()).isTrue();
  }

  @Test
  void untrustedServerCertificateIsTlsError() throws Exception {
    secrets.put("ca", TestPki.pem(TestPki.authority("another CA").certificate()));

    CheckResult otherCa =
        run(
            spec(
                tlsPg,
                p -> {
                  p.sslMode = SslMode.VERIFY_CA;
                  p.caSecretRef = ref("ca");
                }));
    // Without caSecretRef, the JVM's trust store: it does not know the test CA either.
    CheckResult jvmTrust = run(spec(tlsPg, p -> p.sslMode = SslMode.VERIFY_CA));
    // A CA makes require verify the chain too, as libpq does with a root certificate.
    CheckResult require =
        run(
            spec(
                tlsPg,
                p -> {
                  p.sslMode = SslMode.REQUIRE;
                  p.caSecretRef = ref("ca");
                }));

    for (CheckResult result : List.of(otherCa, jvmTrust, require)) {
      assertThat(result.reason()).isEqualTo(Reasons.TLS_ERROR);
      assertThat(result.message())
          .isEqualTo(target(tlsPg) + ": TLS handshake failed: server certificate not trusted");
    }
  }

  @Test
  void clientCertificateLogsInWithoutPassword() throws Exception {
    secrets.put("username", LocalPostgres.CERT_USER);
    secrets.put("ca", TestPki.pem(ca.certificate()));
    secrets.put("cert", client.certificatePem());
    secrets.put("key", client.keyPem());

    CheckResult result =
        run(
            spec(
                tlsPg,
                p -> {
                  p.host = "localhost";
                  p.sslMode = SslMode.VERIFY_FULL;
                  p.passwordSecretRef = null;
                  p.caSecretRef = ref("ca");
                  p.certSecretRef = ref("cert");
                  p.keySecretRef = ref("key");
                }));
    assertThat(result.success()).as(result.message()).isTrue();

    // Without the certificate, the cert line of pg_hba refuses the login.
    CheckResult without =
        run(
            spec(
                tlsPg,
                p -> {
                  p.sslMode = SslMode.REQUIRE;
                  p.passwordSecretRef = null;
                }));
    assertThat(without.reason()).isEqualTo(Reasons.AUTHENTICATION_FAILED);
    assertThat(without.message())
        .isEqualTo(target(tlsPg) + ": the server refused the login (SQLState 28000)");
  }

  @Test
  void specProblemsNameTheFieldWithoutEchoingValues() {
    secrets.put("ca", "not a pem " + LocalPostgres.PASSWORD);
    secrets.put("empty", "");
    assertThat(refused(spec(p -> p.host = null))).isEqualTo("spec.postgres.host: required");
    assertThat(refused(spec(p -> p.host = "db/1?x=" + LocalPostgres.PASSWORD)))
        .isEqualTo("spec.postgres.host: not a host name or IP address");
    assertThat(refused(spec(p -> p.host = "a,b")))
        .isEqualTo("spec.postgres.host: not a host name or IP address");
    assertThat(refused(spec(p -> p.port = 0))).isEqualTo("spec.postgres.port: must be 1 to 65535");
    assertThat(refused(spec(p -> p.database = " "))).isEqualTo("spec.postgres.database: required");
    assertThat(refused(spec(p -> p.usernameSecretRef = null)))
        .isEqualTo("spec.postgres.usernameSecretRef: required");
    assertThat(refused(spec(p -> p.usernameSecretRef = ref("empty"))))
        .isEqualTo("spec.postgres.usernameSecretRef: the value is empty");
    assertThat(refused(spec(p -> p.certSecretRef = ref("ca"))))
        .isEqualTo("spec.postgres: certSecretRef and keySecretRef must be set together");
    assertThat(
            refused(
                spec(
                    p -> {
                      p.sslMode = SslMode.DISABLE;
                      p.caSecretRef = ref("ca");
                    })))
        .isEqualTo("spec.postgres.caSecretRef: not used with sslMode disable");
    assertThat(refused(spec(p -> p.caSecretRef = ref("ca"))))
        .isEqualTo("spec.postgres.caSecretRef: not a PEM certificate");
    // IPv6 literals, bracketed or not, and a missing port or query take their defaults.
    assertThat(check(spec(p -> p.host = "::1"))).isNotNull();
    assertThat(check(spec(p -> p.host = "[::1]"))).isNotNull();
    assertThat(
            check(
                spec(
                    p -> {
                      p.port = null;
                      p.query = null;
                      p.sslMode = null;
                    })))
        .isNotNull();
  }

  @Test
  void nonPositiveTimeoutIsInvalidSpec() throws Exception {
    CheckResult result = run(spec(p -> {}), Duration.ZERO);
    assertThat(result.reason()).isEqualTo(Reasons.INVALID_SPEC);
  }

  @Test
  void unknownHostIsDnsFailure() throws Exception {
    CheckResult result = run(spec(p -> p.host = "no-such-host.invalid"));

    assertThat(result.reason()).isEqualTo(Reasons.DNS_FAILURE);
    assertThat(result.message())
        .isEqualTo(
            "postgres no-such-host.invalid:"
                + pg.port()
                + "/"
                + LocalPostgres.DATABASE
                + ": host name not found");
  }

  @Test
  void aServerThatRefusesNewConnectionsIsConnectionFailedNamingTheSqlState() throws Exception {
    secrets.put("username", "vigie_limited");

    CheckResult result = run(spec(p -> {}));

    // too_many_connections (the role's connection limit)
    assertThat(result.reason()).isEqualTo(Reasons.CONNECTION_FAILED);
    assertThat(result.message())
        .isEqualTo(target(pg) + ": the server refused the connection (SQLState 53300)");
    assertNoSecrets(result);
  }

  @Test
  void aBackendTerminatedDuringTheQueryIsQueryFailed() throws Exception {
    CheckResult result = run(spec(p -> p.query = "SELECT pg_terminate_backend(pg_backend_pid())"));

    assertThat(result.reason()).isEqualTo(Reasons.QUERY_FAILED);
    assertThat(result.message()).isEqualTo(target(pg) + ": query failed (SQLState 57P01)");
  }

  @Test
  void socketFactoriesBuiltByClassNameServeOnlyRunsInProgress() throws Exception {
    try (PostgresAttempt attempt =
        PostgresAttempt.open(
            System.nanoTime() + TimeUnit.SECONDS.toNanos(5),
            TargetPolicy.defaults(),
            javax.net.ssl.SSLContext.getDefault().getSocketFactory(),
            false)) {
      PostgresSocketFactory plain = new PostgresSocketFactory(attempt.id());
      try (Socket socket = plain.createSocket(pg.host(), pg.port())) {
        assertThat(socket.isConnected()).isTrue();
      }
      try (Socket socket = plain.createSocket(InetAddress.getLoopbackAddress(), pg.port())) {
        assertThat(socket.isConnected()).isTrue();
      }
      assertThatThrownBy(() -> plain.createSocket("127.0.0.1", pg.port(), null, 0))
          .isInstanceOf(java.net.SocketException.class);
      assertThatThrownBy(
              () -> plain.createSocket(InetAddress.getLoopbackAddress(), pg.port(), null, 0))
          .isInstanceOf(java.net.SocketException.class);
      int closed;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        closed = s.getLocalPort();
      }
      assertThatThrownBy(() -> plain.createSocket("127.0.0.1", closed))
          .isInstanceOf(java.net.ConnectException.class);

      PostgresSslSocketFactory tls = new PostgresSslSocketFactory(attempt.id());
      assertThat(tls.getDefaultCipherSuites()).isNotEmpty();
      assertThat(tls.getSupportedCipherSuites()).isNotEmpty();
      InetAddress loopback = InetAddress.getLoopbackAddress();
      for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call :
          List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
              () -> tls.createSocket("127.0.0.1", 1),
              () -> tls.createSocket("127.0.0.1", 1, loopback, 0),
              () -> tls.createSocket(loopback, 1),
              () -> tls.createSocket(loopback, 1, loopback, 0))) {
        assertThatThrownBy(call).isInstanceOf(java.net.SocketException.class);
      }
    }
    // A run without TLS settings has no TLS layer to give.
    try (PostgresAttempt attempt =
        PostgresAttempt.open(System.nanoTime(), TargetPolicy.defaults(), null, false)) {
      assertThatThrownBy(() -> new PostgresSslSocketFactory(attempt.id()))
          .isInstanceOf(IllegalStateException.class);
      // Its deadline has passed: no more waiting.
      assertThatThrownBy(() -> attempt.timeoutMillis(100))
          .isInstanceOf(java.net.SocketTimeoutException.class);
    }
  }

  @Test
  void factoriesRefuseRunsThatAreNotInProgress() {
    assertThatThrownBy(() -> new PostgresSocketFactory("run-unknown"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new PostgresSslSocketFactory(null))
        .isInstanceOf(IllegalStateException.class);
  }
}
