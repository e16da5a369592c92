package io.dihya.vigie.probe.check;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
 *
 * <p>The run also keeps its sockets, closed when it ends whatever pgjdbc did with them (after some
 * failures pgjdbc leaves its socket open, to the garbage collector: 20 in 10,000 runs against
 * hostile servers, in CheckFaultsTest), and counts the bytes they read against the run's limit:
 * pgjdbc buffers a whole message whatever length the server announces, so a server that announces
 * and sends a gigabyte would have it in memory.
 */
final class PostgresAttempt implements AutoCloseable {

  private static final Map<String, PostgresAttempt> RUNNING = new ConcurrentHashMap<>();
  private static final AtomicLong IDS = new AtomicLong();

  private final String id;
  private final long hardDeadlineNanos;
  private final TargetPolicy policy;
  private final SSLSocketFactory tls;
  private final boolean verifyHostName;
  private final long maxReadBytes;
  private final AtomicLong readBytes = new AtomicLong();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile SSLSocket tlsSocket;

  /** Thrown by a read that takes the run beyond its read limit. */
  static final class ReadLimitExceeded extends IOException {
    private static final long serialVersionUID = 1L;

    ReadLimitExceeded(long limit) {
      super("more than " + limit + " bytes read");
    }
  }

  private PostgresAttempt(
      long hardDeadlineNanos,
      TargetPolicy policy,
      SSLSocketFactory tls,
      boolean verifyHostName,
      long maxReadBytes) {
    this.id = "run-" + IDS.incrementAndGet();
    this.hardDeadlineNanos = hardDeadlineNanos;
    this.policy = policy;
    this.tls = tls;
    this.verifyHostName = verifyHostName;
    this.maxReadBytes = maxReadBytes;
  }

  /**
   * Registers a run.
   *
   * @param hardDeadlineNanos {@link System#nanoTime()} after which every socket of the run stops
   *     waiting (connect, reads), whatever timeouts pgjdbc asks for
   * @param policy where the run's sockets may connect
   * @param tls the factory for the TLS layer, null when the run never uses TLS
   * @param verifyHostName whether the TLS layer verifies the server certificate's host name
   * @param maxReadBytes the bytes the run's sockets may read in all (TLS records included)
   */
  static PostgresAttempt open(
      long hardDeadlineNanos,
      TargetPolicy policy,
      SSLSocketFactory tls,
      boolean verifyHostName,
      long maxReadBytes) {
    PostgresAttempt attempt =
        new PostgresAttempt(hardDeadlineNanos, policy, tls, verifyHostName, maxReadBytes);
    RUNNING.put(attempt.id, attempt);
    return attempt;
  }

  /** As {@link #open(long, TargetPolicy, SSLSocketFactory, boolean, long)}, reading 1 MiB. */
  static PostgresAttempt open(
      long hardDeadlineNanos, TargetPolicy policy, SSLSocketFactory tls, boolean verifyHostName) {
    return open(hardDeadlineNanos, policy, tls, verifyHostName, 1024 * 1024);
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

  /** A socket of the run, closed when the run ends. */
  void socket(Socket socket) {
    sockets.add(socket);
  }

  /**
   * Counts bytes a socket of the run has read.
   *
   * @throws ReadLimitExceeded once the run has read more than its limit
   */
  void read(int count) throws ReadLimitExceeded {
    if (count > 0 && readBytes.addAndGet(count) > maxReadBytes) {
      throw new ReadLimitExceeded(maxReadBytes);
    }
  }

  long maxReadBytes() {
    return maxReadBytes;
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

  /** Ends the run: unregisters it and closes its sockets. */
  @Override
  public void close() {
    RUNNING.remove(id);
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException e) {
        // Closing what the run no longer needs: nothing to report.
      }
    }
  }
}
