package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.RedisCheck;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocketFactory;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A Redis check with Jedis: a new connection each run (no pool: the point is to prove that a client
 * can connect and log in now), AUTH with the user and password or the password alone (sent by Jedis
 * while connecting), then HELLO 2 and PING sent together: PING must answer PONG. HELLO (Redis 6+)
 * only adds the server's version, mode and role to the data; an error to it (older servers, an ACL
 * user without it) is ignored. Jedis's CLIENT SETINFO is switched off: it is two more commands each
 * run, and an error on servers before 7.2.
 *
 * <p>The connection is made by {@link RedisConnector}: to the address the {@link TargetPolicy}
 * judged, connect and reads ending by the deadline, TLS through an SSLContext built once from the
 * spec's PEM material, and the answers pass {@link RedisReplyGuard}, so that a non-Redis server
 * cannot make Jedis allocate what it announces.
 *
 * <p>Reasons: Succeeded; AuthenticationFailed (WRONGPASS, NOAUTH, NOPERM, or any other error to
 * AUTH, each with a fixed text); UnexpectedResponse (PING answered another reply or an error, whose
 * code is named, e.g. LOADING; or the answer is not RESP); TlsError, Timeout, ConnectionRefused,
 * DnsFailure, TargetForbidden, ConnectionFailed as classified by {@link Failures}.
 *
 * <p>{@code result.redis}: {@code reply} ("PONG"), and from HELLO when the server answers it:
 * {@code version} ("7.0.15"), {@code mode} ("standalone", "cluster", "sentinel"), {@code role}
 * ("master", "replica"). With TLS, also {@code result.tls} ({@link TlsFacts}).
 */
final class RedisProbeCheck implements Check {

  private static final String FIELD = "spec.redis";
  private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final Pattern ERROR_CODE =
      Pattern.compile("([A-Z][A-Z_]{1,31})\\b.*", Pattern.DOTALL);
  private static final int MAX_FACT_CHARS = 64;

  private final String host;
  private final int port;
  private final String target;
  private final JedisClientConfig config;
  private final boolean authenticates;
  private final SSLSocketFactory tls;
  private final String serverName;
  private final boolean verifyHostName;
  private final TargetPolicy policy;
  private final Executor executor;
  private final Executor callbacks;

  private RedisProbeCheck(
      String host,
      int port,
      JedisClientConfig config,
      boolean authenticates,
      SSLSocketFactory tls,
      String serverName,
      boolean verifyHostName,
      TargetPolicy policy,
      Executor executor,
      Executor callbacks) {
    this.host = host;
    this.port = port;
    this.target = "redis " + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    this.config = config;
    this.authenticates = authenticates;
    this.tls = tls;
    this.serverName = serverName;
    this.verifyHostName = verifyHostName;
    this.policy = policy;
    this.executor = executor;
    this.callbacks = callbacks;
  }

  /**
   * Builds the check of a spec's redis block.
   *
   * @throws IllegalArgumentException with a field-naming message for anything it cannot build
   */
  static Check create(
      RedisCheck spec,
      SecretValues secrets,
      TargetPolicy policy,
      Executor executor,
      Executor callbacks) {
    String host = host(spec.host);
    int port = spec.port == null ? 6379 : spec.port;
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(FIELD + ".port: must be 1 to 65535");
    }
    if (spec.usernameSecretRef != null && spec.passwordSecretRef == null) {
      throw new IllegalArgumentException(
          FIELD + ".usernameSecretRef: needs passwordSecretRef (Redis ACL users log in with both)");
    }
    String user = value(spec.usernameSecretRef, secrets, "usernameSecretRef");
    String password = value(spec.passwordSecretRef, secrets, "passwordSecretRef");
    JedisClientConfig config =
        DefaultJedisClientConfig.builder()
            .user(user)
            .password(password)
            .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
            .build();

    SSLSocketFactory tls = null;
    String serverName = null;
    boolean verifyHostName = false;
    if (spec.tls != null) {
      ClientTlsSettings settings = ClientTlsSettings.resolve(spec.tls, secrets, FIELD + ".tls");
      serverName = settings.serverName();
      if (serverName != null) {
        try {
          new SNIHostName(serverName);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(FIELD + ".tls.serverName: not a valid host name");
        }
      }
      // The server name is applied per socket (RedisConnector): SslContexts' server-name
      // context serves engines only.
      SSLContext context =
          SslContexts.build(
              new ClientTlsSettings(
                  settings.caPem(),
                  settings.certPem(),
                  settings.keyPem(),
                  null,
                  settings.insecureSkipVerify()),
              FIELD + ".tls");
      try {
        tls = (context == null ? SSLContext.getDefault() : context).getSocketFactory();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JDK has no default TLS context", e);
      }
      verifyHostName = !settings.insecureSkipVerify();
    }
    return new RedisProbeCheck(
        host,
        port,
        config,
        password != null,
        tls,
        serverName,
        verifyHostName,
        policy,
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

  private static String value(
      io.dihya.vigie.api.v1alpha1.SecretKeyRef ref, SecretValues secrets, String field) {
    if (ref == null) {
      return null;
    }
    String value = secrets.get(ref);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(FIELD + "." + field + ": the value is empty");
    }
    return value;
  }

  @Override
  public CompletableFuture<CheckResult> run(Duration timeout) {
    return Blocking.run(
        executor, callbacks, timeout, target, (start, deadline) -> check(timeout, start, deadline));
  }

  private CheckResult check(Duration timeout, long start, long deadline) {
    RedisConnector connector =
        new RedisConnector(host, port, policy, tls, serverName, verifyHostName, deadline);
    Connection connection;
    try {
      // Connects, and sends AUTH when the spec has a password.
      connection = new Connection(connector, config);
    } catch (JedisDataException e) {
      return authFailure(e, start);
    } catch (JedisConnectionException e) {
      return connectionFailure(e, timeout, start);
    }
    try {
      connection.sendCommand(Protocol.Command.HELLO, "2");
      connection.sendCommand(Protocol.Command.PING);
      Object hello;
      try {
        hello = connection.getOne();
      } catch (JedisDataException e) {
        hello = null;
      }
      Object pong = connection.getOne();
      CheckResult result = evaluate(pong, hello, start);
      SSLSession session = connector.session();
      if (session != null) {
        result =
            result
                .withCertificateNotAfter(TlsFacts.earliestNotAfter(TlsFacts.peerChain(session)))
                .withData("tls", TlsFacts.of(session, Instant.now()));
      }
      return result;
    } catch (JedisAccessControlException e) {
      return authFailure(e, start);
    } catch (JedisDataException e) {
      return failure(Reasons.UNEXPECTED_RESPONSE, "PING answered an error" + code(e), start);
    } catch (JedisConnectionException e) {
      return connectionFailure(e, timeout, start);
    } finally {
      try {
        connection.close();
      } catch (RuntimeException e) {
        // The check is decided; the socket is closed whatever close() reports.
      }
    }
  }

  private CheckResult evaluate(Object pong, Object hello, long start) {
    if (!(pong instanceof byte[] bytes) || !"PONG".equals(text(bytes))) {
      return failure(Reasons.UNEXPECTED_RESPONSE, "PING did not answer PONG", start);
    }
    ResultData data = ResultData.create().put("reply", "PONG");
    if (hello instanceof List<?> fields) {
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if (fields.get(i) instanceof byte[] name
            && fields.get(i + 1) instanceof byte[] value
            && List.of("version", "mode", "role").contains(text(name))) {
          String fact = text(value);
          data.put(
              text(name),
              fact.length() > MAX_FACT_CHARS ? fact.substring(0, MAX_FACT_CHARS) : fact);
        }
      }
    }
    return CheckResult.success(Blocking.millisSince(start), target + ": PING answered PONG")
        .withData("redis", data.build());
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * An error to AUTH, or NOAUTH/NOPERM to PING. Redis's own error texts are read to choose between
   * fixed texts, never copied: they can name the user.
   */
  private CheckResult authFailure(JedisDataException e, long start) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    String text;
    if (message.startsWith("NOAUTH")) {
      text =
          "the server requires a password"
              + (authenticates ? "" : " and passwordSecretRef is not set");
    } else if (message.startsWith("NOPERM")) {
      text = "the user is not allowed to run PING (NOPERM)";
    } else if (message.startsWith("WRONGPASS")
        || message.toLowerCase(Locale.ROOT).contains("invalid password")) {
      text = "the server rejected the user name or password";
    } else if (message.contains("without any password configured")) {
      text = "the server has no password set, but passwordSecretRef is set";
    } else {
      text = "AUTH answered an error" + code(e);
    }
    return failure(Reasons.AUTHENTICATION_FAILED, text, start);
  }

  /** " (LOADING)" for an error reply that starts with an upper-case code, else "". */
  private static String code(JedisDataException e) {
    Matcher m = ERROR_CODE.matcher(e.getMessage() == null ? "" : e.getMessage());
    return m.matches() ? " (" + m.group(1) + ")" : "";
  }

  private CheckResult connectionFailure(JedisConnectionException e, Duration timeout, long start) {
    Throwable cause = e.getCause();
    if (cause instanceof RedisReplyGuard.NotARedisReply) {
      return failure(Reasons.UNEXPECTED_RESPONSE, "the answer is not a Redis reply", start);
    }
    if (cause != null) {
      Failures.Failure f = Failures.classify(cause, timeout);
      return failure(f.reason(), f.text(), start);
    }
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (message.startsWith("Unexpected end of stream")
        || message.contains("server has closed the connection")) {
      return failure(
          Reasons.CONNECTION_FAILED, "connection closed before a complete answer", start);
    }
    return failure(Reasons.UNEXPECTED_RESPONSE, "the answer is not a Redis reply", start);
  }

  private CheckResult failure(String reason, String text, long start) {
    return CheckResult.failure(reason, target + ": " + text, Blocking.millisSince(start));
  }
}
