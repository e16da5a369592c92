package io.dihya.vigie.probe.check;

import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * What one run of a postgres check hands to the socket factories that pgjdbc builds by class name
 * ({@link PostgresSocketFactory}, {@link PostgresSslSocketFactory}): pgjdbc passes them only a
 * string, so they look the run up here by its id. Registered for the length of the run, removed
 * when it ends: the registry holds only the runs in progress.
 */
final class PostgresAttempt implements AutoCloseable {

  private static final Map<String, PostgresAttempt> RUNNING = new ConcurrentHashMap<>();
  private static final AtomicLong IDS = new AtomicLong();

  private final String id;
  private final long hardDeadlineNanos;
  private final TargetPolicy policy;
  private final SSLSocketFactory tls;
  private final boolean verifyHostName;
  private volatile SSLSocket tlsSocket;

  private PostgresAttempt(
      long hardDeadlineNanos, TargetPolicy policy, SSLSocketFactory tls, boolean verifyHostName) {
    this.id = "run-" + IDS.incrementAndGet();
    this.hardDeadlineNanos = hardDeadlineNanos;
    this.policy = policy;
    this.tls = tls;
    this.verifyHostName = verifyHostName;
  }

  /**
   * Registers a run.
   *
   * @param hardDeadlineNanos {@link System#nanoTime()} after which every socket of the run stops
   *     waiting (connect, reads), whatever timeouts pgjdbc asks for
   * @param policy where the run's sockets may connect
   * @param tls the factory for the TLS layer, null when the run never uses TLS
   * @param verifyHostName whether the TLS layer verifies the server certificate's host name
   */
  static PostgresAttempt open(
      long hardDeadlineNanos, TargetPolicy policy, SSLSocketFactory tls, boolean verifyHostName) {
    PostgresAttempt attempt = new PostgresAttempt(hardDeadlineNanos, policy, tls, verifyHostName);
    RUNNING.put(attempt.id, attempt);
    return attempt;
  }

  /** The run in progress with this id. */
  static PostgresAttempt lookup(String id) {
    PostgresAttempt attempt = id == null ? null : RUNNING.get(id);
    if (attempt == null) {
      throw new IllegalStateException("no postgres check run in progress with this id");
    }
    return attempt;
  }

  /** Runs in progress, for tests. */
  static int running() {
    return RUNNING.size();
  }

  String id() {
    return id;
  }

  TargetPolicy policy() {
    return policy;
  }

  SSLSocketFactory tls() {
    return tls;
  }

  boolean verifyHostName() {
    return verifyHostName;
  }

  void tlsSocket(SSLSocket socket) {
    this.tlsSocket = socket;
  }

  /**
   * A new connection of the run begins: what TLS an earlier one made no longer counts (pgjdbc's
   * prefer mode retries without TLS when the server refuses the login over TLS).
   */
  void newConnection() {
    this.tlsSocket = null;
  }

  /** Whether the run's current connection has begun TLS (asked for it and got a yes). */
  boolean startedTls() {
    return tlsSocket != null;
  }

  /** The TLS session of the run's established connection, null if it made none. */
  SSLSession tlsSession() {
    SSLSocket socket = tlsSocket;
    return socket == null ? null : socket.getSession();
  }

  /**
   * A socket timeout that ends by the hard deadline: {@code requested} (0 meaning none) or less.
   *
   * @throws SocketTimeoutException once the hard deadline has passed
   */
  int timeoutMillis(int requested) throws SocketTimeoutException {
    long left = TimeUnit.NANOSECONDS.toMillis(hardDeadlineNanos - System.nanoTime());
    if (left <= 0) {
      throw new SocketTimeoutException("the check's deadline has passed");
    }
    int bounded = (int) Math.min(Integer.MAX_VALUE, left);
    return requested > 0 ? Math.min(requested, bounded) : bounded;
  }

  @Override
  public void close() {
    RUNNING.remove(id);
  }
}
