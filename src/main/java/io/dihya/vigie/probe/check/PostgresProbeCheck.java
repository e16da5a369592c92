package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.PostgresCheck;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocketFactory;
import org.postgresql.Driver;
import org.postgresql.core.Parser;

/**
 * A PostgreSQL check: a new connection each run (it proves that a login works, which a pooled
 * connection would not), then the query in a read-only transaction that is rolled back.
 *
 * <ul>
 *   <li>pgjdbc's Driver is called directly with Properties: no DriverManager, no URL parameters, no
 *       files (no ~/.pgpass: the password is always set, empty without passwordSecretRef; no
 *       ~/.postgresql certificates: TLS goes through {@link PostgresSslSocketFactory}).
 *   <li>pgjdbc resolves the host itself; its socket factory ({@link PostgresSocketFactory}) judges
 *       the address it resolved by the {@link TargetPolicy} just before connecting there.
 *   <li>Timeouts: the sockets stop waiting shortly after the deadline ({@link
 *       PostgresSocketFactory}); at the deadline, a query still running is cancelled on the server
 *       (a cancel request, as pgjdbc's query timeout would send). pgjdbc's loginTimeout is not
 *       used: it would start a thread per connection, and give back no thread sooner than the
 *       sockets' deadline.
 *   <li>TLS (sslMode as libpq): disable sends no TLS request; allow, prefer and require encrypt
 *       without verifying the server, unless caSecretRef is set, which then verifies the chain in
 *       every mode (as libpq does when it finds a root certificate); verify-ca verifies the chain
 *       against caSecretRef, or the JVM's trust store without it; verify-full also the host name.
 *       certSecretRef + keySecretRef: a client certificate, for pg_hba's cert method.
 *   <li>The query must be one statement: a second one after a COMMIT would run outside the
 *       read-only transaction.
 *   <li>A run reads at most the factory's read limit from the server (vigie.checks.max-body-bytes,
 *       1 MiB by default), login, TLS and every row included: pgjdbc holds a whole message in
 *       memory whatever length the server announces. A health query returns a few rows.
 * </ul>
 *
 * <p>Reasons: Succeeded; AuthenticationFailed (SQLState 28P01, 28000); NotFound (3D000: the
 * credentials were accepted but the database does not exist); QueryFailed (any SQLState of the
 * query, named, never the server's text, which can quote data); UnexpectedResponse (the server sent
 * more than the read limit); TlsError (handshake, or TLS required and the server does not offer
 * it); Timeout; ConnectionRefused, DnsFailure, TargetForbidden and ConnectionFailed as classified
 * by {@link Failures} (also ConnectionFailed for a server that refuses new connections with an
 * SQLState, e.g. 57P03 while starting up, 53300 too many).
 *
 * <p>{@code result.postgres}: {@code rows} (the first {@value #MAX_ROWS} rows, each a map of column
 * label to value: integers as int, float and numeric as double, bool as bool, SQL NULL as null,
 * anything else as PostgreSQL's text form cut to {@value #MAX_VALUE_CHARS} characters), {@code
 * rowCount} (all the rows the query returned), {@code columns} (the column labels in order), {@code
 * serverVersion} (the server's server_version, e.g. "15.13 (Debian ...)"), {@code ssl} (whether the
 * connection is encrypted). With TLS, also {@code result.tls} ({@link TlsFacts}).
 */
final class PostgresProbeCheck implements Check {

  static final int MAX_ROWS = 100;
  static final int MAX_VALUE_CHARS = 1024;

  private static final String FIELD = "spec.postgres";

  /**
   * After the deadline, the time the sockets still wait: for the server's answer to the cancel
   * request sent at the deadline, so that the query stops on the server rather than run on.
   */
  private static final long GRACE_NANOS = 1_000_000_000L;

  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  /** One driver for every check: it holds only the defaults it read from its own jar. */
  private static final Driver DRIVER = new Driver();

  private final String url;
  private final String target;
  private final Properties base;
  private final SSLSocketFactory tls;
  private final boolean verifyHostName;
  private final boolean requireTls;
  private final boolean noPassword;
  private final String query;
  private final TargetPolicy policy;
  private final int maxReadBytes;
  private final Executor executor;
  private final Executor callbacks;

  private PostgresProbeCheck(
      String url,
      String target,
      Properties base,
      SSLSocketFactory tls,
      boolean verifyHostName,
      boolean requireTls,
      boolean noPassword,
      String query,
      TargetPolicy policy,
      int maxReadBytes,
      Executor executor,
      Executor callbacks) {
    this.url = url;
    this.target = target;
    this.base = base;
    this.tls = tls;
    this.verifyHostName = verifyHostName;
    this.requireTls = requireTls;
    this.noPassword = noPassword;
    this.query = query;
    this.policy = policy;
    this.maxReadBytes = maxReadBytes;
    this.executor = executor;
    this.callbacks = callbacks;
  }

  /**
   * Builds the check of a spec's postgres block.
   *
   * @param maxReadBytes what a run may read from the server in all, login, TLS and rows included
   * @throws IllegalArgumentException with a field-naming message for anything it cannot build
   */
  static Check create(
      PostgresCheck spec,
      SecretValues secrets,
      TargetPolicy policy,
      int maxReadBytes,
      Executor executor,
      Executor callbacks) {
    String host = host(spec.host);
    int port = spec.port == null ? 5432 : spec.port;
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(FIELD + ".port: must be 1 to 65535");
    }
    if (spec.database == null || spec.database.isBlank()) {
      throw new IllegalArgumentException(FIELD + ".database: required");
    }
    if (spec.usernameSecretRef == null) {
      throw new IllegalArgumentException(FIELD + ".usernameSecretRef: required");
    }
    String user = secrets.get(spec.usernameSecretRef);
    if (user == null || user.isEmpty()) {
      throw new IllegalArgumentException(FIELD + ".usernameSecretRef: the value is empty");
    }
    String password = spec.passwordSecretRef == null ? null : secrets.get(spec.passwordSecretRef);
    PostgresCheck.SslMode mode = spec.sslMode == null ? PostgresCheck.SslMode.PREFER : spec.sslMode;
    String query = query(spec.query);

    Properties base = new Properties();
    base.setProperty("user", user);
    // Never null: pgjdbc would look for a password in ~/.pgpass. An empty one fails a password
    // login as a wrong one does.
    base.setProperty("password", password == null ? "" : password);
    base.setProperty("PGDBNAME", spec.database);
    base.setProperty("ApplicationName", "vigie");
    base.setProperty("sslmode", mode.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    base.setProperty("gssEncMode", "disable");
    base.setProperty("loginTimeout", "0");
    base.setProperty("socketFactory", PostgresSocketFactory.class.getName());
    SSLSocketFactory tls = null;
    if (mode == PostgresCheck.SslMode.DISABLE) {
      for (String ref : new String[] {"caSecretRef", "certSecretRef", "keySecretRef"}) {
        if (ref(spec, ref) != null) {
          throw new IllegalArgumentException(FIELD + "." + ref + ": not used with sslMode disable");
        }
      }
    } else {
      tls = tlsFactory(spec, secrets, mode);
      base.setProperty("sslfactory", PostgresSslSocketFactory.class.getName());
    }
    String hostPort = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    return new PostgresProbeCheck(
        "jdbc:postgresql://" + hostPort + "/",
        "postgres " + hostPort + "/" + spec.database,
        base,
        tls,
        mode == PostgresCheck.SslMode.VERIFY_FULL,
        mode == PostgresCheck.SslMode.REQUIRE
            || mode == PostgresCheck.SslMode.VERIFY_CA
            || mode == PostgresCheck.SslMode.VERIFY_FULL,
        password == null || password.isEmpty(),
        query,
        policy,
        maxReadBytes,
        executor,
        callbacks);
  }

  private static String host(String host) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException(FIELD + ".host: required");
    }
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    boolean ipv6 = bare.contains(":") && IPV6.matcher(bare).matches();
    if (!ipv6 && !HOST_NAME.matcher(bare).matches()) {
      throw new IllegalArgumentException(FIELD + ".host: not a host name or IP address");
    }
    return bare;
  }

  private static String query(String query) {
    if (query == null || query.isBlank()) {
      return "SELECT 1";
    }
    try {
      if (Parser.parseJdbcSql(query, true, false, true, false, false).size() > 1) {
        throw new IllegalArgumentException(
            FIELD + ".query: must be a single statement (it runs in a read-only transaction)");
      }
    } catch (SQLException e) {
      throw new IllegalArgumentException(FIELD + ".query: cannot be parsed");
    }
    return query;
  }

  private static io.dihya.vigie.api.v1alpha1.SecretKeyRef ref(PostgresCheck spec, String name) {
    return switch (name) {
      case "caSecretRef" -> spec.caSecretRef;
      case "certSecretRef" -> spec.certSecretRef;
      default -> spec.keySecretRef;
    };
  }

  /** The TLS layer's socket factory, built once: see the class comment for each mode. */
  private static SSLSocketFactory tlsFactory(
      PostgresCheck spec, SecretValues secrets, PostgresCheck.SslMode mode) {
    if ((spec.certSecretRef == null) != (spec.keySecretRef == null)) {
      throw new IllegalArgumentException(
          FIELD + ": certSecretRef and keySecretRef must be set together");
    }
    String ca = spec.caSecretRef == null ? null : secrets.get(spec.caSecretRef);
    String cert = spec.certSecretRef == null ? null : secrets.get(spec.certSecretRef);
    String key = spec.keySecretRef == null ? null : secrets.get(spec.keySecretRef);
    boolean verify =
        ca != null
            || mode == PostgresCheck.SslMode.VERIFY_CA
            || mode == PostgresCheck.SslMode.VERIFY_FULL;
    SSLContext context =
        SslContexts.build(new ClientTlsSettings(ca, cert, key, null, !verify), FIELD);
    try {
      return (context == null ? SSLContext.getDefault() : context).getSocketFactory();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no default TLS context", e);
    }
  }

  @Override
  public CompletableFuture<CheckResult> run(Duration timeout) {
    return Blocking.run(
        executor, callbacks, timeout, target, (start, deadline) -> check(timeout, start, deadline));
  }

  private CheckResult check(Duration timeout, long start, long deadline) {
    Properties props = new Properties();
    props.putAll(base);
    String seconds = String.valueOf((Blocking.millisLeft(deadline) + 999) / 1000);
    props.setProperty("connectTimeout", seconds);
    props.setProperty("socketTimeout", seconds);
    props.setProperty("cancelSignalTimeout", seconds);
    try (PostgresAttempt attempt =
        PostgresAttempt.open(deadline + GRACE_NANOS, policy, tls, verifyHostName, maxReadBytes)) {
      props.setProperty("socketFactoryArg", attempt.id());
      if (tls != null) {
        props.setProperty("sslfactoryarg", attempt.id());
      }
      Connection connection;
      try {
        connection = DRIVER.connect(url, props);
      } catch (SQLException e) {
        return loginFailure(e, attempt, timeout, start);
      }
      try (connection) {
        // Read now: a cancel request during the query opens another connection.
        SSLSession session = attempt.tlsSession();
        CheckResult result = query(connection, session != null, timeout, start, deadline);
        if (session != null) {
          result =
              result
                  .withCertificateNotAfter(TlsFacts.earliestNotAfter(TlsFacts.peerChain(session)))
                  .withData("tls", TlsFacts.of(session, Instant.now()));
        }
        return result;
      } catch (SQLException e) {
        return queryFailure(e, timeout, start);
      }
    }
  }

  private CheckResult query(
      Connection connection, boolean ssl, Duration timeout, long start, long deadline)
      throws SQLException {
    connection.setAutoCommit(false);
    connection.setReadOnly(true);
    String serverVersion = connection.getMetaData().getDatabaseProductVersion();
    List<Map<String, Object>> rows = new ArrayList<>();
    List<String> columns = new ArrayList<>();
    long rowCount = 0;
    try (Statement statement = connection.createStatement()) {
      // Fetched a batch at a time (autocommit is off): rows beyond the first batch are counted,
      // not kept.
      statement.setFetchSize(MAX_ROWS);
      CompletableFuture<Void> running = cancelAtDeadline(statement, deadline);
      try {
        if (statement.execute(query)) {
          try (ResultSet resultSet = statement.getResultSet()) {
            ResultSetMetaData meta = resultSet.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
              columns.add(meta.getColumnLabel(i));
            }
            while (resultSet.next()) {
              if (System.nanoTime() - deadline > 0) {
                return timedOut(timeout, start);
              }
              if (rowCount < MAX_ROWS) {
                rows.add(row(resultSet, meta));
              }
              rowCount++;
            }
          }
        }
      } finally {
        running.complete(null);
      }
    }
    connection.rollback();
    Map<String, Object> data =
        ResultData.create()
            .put("rows", rows)
            .put("rowCount", rowCount)
            .put("columns", columns)
            .put("serverVersion", serverVersion)
            .put("ssl", ssl)
            .build();
    String text = rowCount == 1 ? "query returned 1 row" : "query returned " + rowCount + " rows";
    return CheckResult.success(Blocking.millisSince(start), target + ": " + text)
        .withData("postgres", data);
  }

  /**
   * Asks the server to cancel the statement if it still runs at the deadline (pgjdbc sends the
   * cancel request on a connection of its own), so that the query stops on the server too. The
   * JDK's delay scheduler times it, the one Blocking uses, and forgets it once the query ends:
   * pgjdbc's own query timeout would start and stop its timer thread for each run whenever no other
   * connection holds it.
   */
  private CompletableFuture<Void> cancelAtDeadline(Statement statement, long deadline) {
    CompletableFuture<Void> running = new CompletableFuture<>();
    running
        .orTimeout(Blocking.millisLeft(deadline), TimeUnit.MILLISECONDS)
        .whenCompleteAsync(
            (done, error) -> {
              if (error != null) {
                try {
                  statement.cancel();
                } catch (SQLException e) {
                  // The statement has ended meanwhile: nothing left to cancel.
                }
              }
            },
            callbacks);
    return running;
  }

  private static Map<String, Object> row(ResultSet resultSet, ResultSetMetaData meta)
      throws SQLException {
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      row.put(meta.getColumnLabel(i), value(resultSet, i, meta.getColumnTypeName(i)));
    }
    return row;
  }

  /** A column's value in the types CEL compares: see the class comment. */
  private static Object value(ResultSet resultSet, int column, String type) throws SQLException {
    Object value =
        switch (type) {
          case "int2", "int4", "int8", "oid" -> resultSet.getLong(column);
          case "float4", "float8", "numeric" -> resultSet.getObject(column);
          case "bool" -> resultSet.getBoolean(column);
          default -> {
            String text = resultSet.getString(column);
            yield text == null || text.length() <= MAX_VALUE_CHARS
                ? text
                : text.substring(0, MAX_VALUE_CHARS);
          }
        };
    return resultSet.wasNull() ? null : value;
  }

  /** A failure before the connection was ready: refused, TLS, credentials, database. */
  private CheckResult loginFailure(
      SQLException e, PostgresAttempt attempt, Duration timeout, long start) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.equals("28P01")) {
      return failure(Reasons.AUTHENTICATION_FAILED, "password authentication failed", start);
    }
    if (state.startsWith("28")) {
      return failure(
          Reasons.AUTHENTICATION_FAILED,
          "the server refused the login (SQLState " + state + ")",
          start);
    }
    if (state.equals("3D000")) {
      return failure(Reasons.NOT_FOUND, "the database does not exist", start);
    }
    if (state.equals("08004") && e.getCause() == null) {
      // pgjdbc's own rejections: TLS required and refused by the server (before any handshake),
      // or, later, a password asked for that the probe does not have.
      if (requireTls && !attempt.startedTls()) {
        return failure(Reasons.TLS_ERROR, "the server does not offer TLS", start);
      }
      if (noPassword) {
        return failure(
            Reasons.AUTHENTICATION_FAILED,
            "the server asks for a password and passwordSecretRef is not set",
            start);
      }
      return failure(Reasons.CONNECTION_FAILED, "connection rejected (SQLState 08004)", start);
    }
    if (e.getCause() == null && isServerError(e)) {
      return failure(
          Reasons.CONNECTION_FAILED,
          "the server refused the connection (SQLState " + state + ")",
          start);
    }
    return classified(e, timeout, start);
  }

  /** A failure once logged in: the query, or the connection lost on the way. */
  private CheckResult queryFailure(SQLException e, Duration timeout, long start) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.equals("57014")) {
      // query_canceled: pgjdbc asked the server to cancel it at the deadline.
      return timedOut(timeout, start);
    }
    if (e.getCause() == null && isServerError(e)) {
      return failure(Reasons.QUERY_FAILED, "query failed (SQLState " + state + ")", start);
    }
    return classified(e, timeout, start);
  }

  /** Errors the server sent (an SQLState outside pgjdbc's own connection class 08). */
  private static boolean isServerError(SQLException e) {
    return e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null;
  }

  private CheckResult classified(SQLException e, Duration timeout, long start) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof PostgresAttempt.ReadLimitExceeded) {
        return failure(
            Reasons.UNEXPECTED_RESPONSE,
            "the server sent more than the " + maxReadBytes + " bytes a check reads",
            start);
      }
    }
    if (e.getCause() != null) {
      Failures.Failure f = Failures.classify(e.getCause(), timeout);
      return failure(f.reason(), f.text(), start);
    }
    String state = e.getSQLState() == null ? "none" : e.getSQLState();
    return failure(Reasons.CONNECTION_FAILED, "connection failed (SQLState " + state + ")", start);
  }

  private CheckResult timedOut(Duration timeout, long start) {
    return failure(Reasons.TIMEOUT, "no answer within " + Failures.format(timeout), start);
  }

  private CheckResult failure(String reason, String text, long start) {
    return CheckResult.failure(reason, target + ": " + text, Blocking.millisSince(start));
  }
}
