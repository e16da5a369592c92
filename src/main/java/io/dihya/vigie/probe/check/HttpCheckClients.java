package io.dihya.vigie.probe.check;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.spi.tls.SslContextFactory;
import java.lang.ref.WeakReference;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The http checks' HTTP clients: Vert.x's (Netty), on an event loop of their own, one client per
 * distinct TLS material and connection handling. 10,000 http probes without a tls block share one
 * client and two threads.
 *
 * <p>Why Vert.x and not the JDK client: per check, the JDK client hands the exchange across its
 * selector thread, the executor and the callbacks, and pools a connection after a {@code
 * Connection: close} request unless the answer says {@code close} too. Measured with {@code
 * bench/http-clients.sh} at 1,000 new connections a second on 2 cores: 0.72 CPU-seconds per 1,000
 * requests for the JDK client, 0.24 for Vert.x. Vert.x also lets a request connect to a given
 * address while naming another host, for the Host header and for TLS ({@code
 * RequestOptions.setServer}): the address the target policy judged.
 *
 * <p>Server names are not part of a client's settings: each request's peer host is the name TLS
 * sends (SNI) and verifies ({@link ServerNameSslContext#forPeerHost}), so https probes of many
 * hosts share a client too.
 *
 * <p>The checks hold a {@link Lease} on their client; a client whose leases are all collected (its
 * probes deleted, a client certificate rotated) is closed the next time a client is asked for.
 */
final class HttpCheckClients implements AutoCloseable {

  /**
   * Most bytes of a response's status line and headers: 64 KiB, as the JDK's server and Node's
   * client accept (nginx's proxy, 4 to 8 KiB; the JDK client, 384 KiB). Larger ones fail the check
   * as UnexpectedResponse.
   */
  static final int MAX_HEADER_BYTES = 64 * 1024;

  /**
   * Connections open at once to one address and host, per client: checks beyond it wait for one to
   * close. Vert.x sizes an array of this length for each address in use.
   */
  static final int MAX_CONNECTIONS_PER_ENDPOINT = 256;

  /** Connections kept per address and host for the probes that ask for keep-alive. */
  static final int MAX_KEPT_CONNECTIONS_PER_ENDPOINT = 8;

  /**
   * A check's hold on its clients: they are closed only when no check holds the token. One client
   * per check timeout, in whole seconds, which is its connect and TLS handshake timeout: Vert.x
   * sets these per client, and cannot cancel a connection attempt. A connection that comes after
   * its check gave up is handed to the check all the same, which closes it at once; one that never
   * comes ends at these timeouts.
   */
  record Lease(Family family, Object token, HttpCheckClients owner) {

    /** The client for a check of this timeout. */
    HttpClient client(Duration timeout) {
      return family.client(timeout);
    }
  }

  /** The clients of one TLS material and connection handling, by handshake timeout. */
  final class Family {
    private final SslContext ssl;
    private final boolean keepAlive;
    private final Map<Long, HttpClient> byHandshakeSeconds = new ConcurrentHashMap<>();

    Family(SslContext ssl, boolean keepAlive) {
      this.ssl = ssl;
      this.keepAlive = keepAlive;
    }

    HttpClient client(Duration timeout) {
      long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
      return byHandshakeSeconds.computeIfAbsent(seconds, s -> create(ssl, keepAlive, s));
    }

    void close() {
      byHandshakeSeconds.values().forEach(HttpClient::close);
    }
  }

  private record Entry(Family family, WeakReference<Object> token) {}

  private final Vertx vertx;
  private final Map<String, Entry> clients = new HashMap<>();
  private volatile boolean closed;

  HttpCheckClients() {
    int loops = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    this.vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(loops)
                // No blocking work runs on this Vert.x: the checks resolve and evaluate on the
                // factory's pool.
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1)
                .setBlockedThreadCheckInterval(10)
                .setBlockedThreadCheckIntervalUnit(TimeUnit.SECONDS));
  }

  /**
   * A lease on the clients for these TLS settings (the server name aside) and connection handling,
   * built on first use.
   *
   * @param keepAlive keep connections between runs instead of a new one per run
   * @throws IllegalArgumentException naming a field under {@code field} for unusable TLS material
   */
  synchronized Lease lease(ClientTlsSettings tls, boolean keepAlive, String field) {
    sweep();
    ClientTlsSettings material = tls.withServerName(null);
    String key = material.digest() + (keepAlive ? "/keep-alive" : "/close");
    Entry entry = clients.get(key);
    Object token = entry == null ? null : entry.token().get();
    if (token == null) {
      SslContext ssl = sslContext(SslContexts.build(material, field));
      token = new Object();
      entry = new Entry(new Family(ssl, keepAlive), new WeakReference<>(token));
      clients.put(key, entry);
    }
    return new Lease(entry.family(), token, this);
  }

  /** Closes the clients no check holds any more. */
  private void sweep() {
    for (Iterator<Entry> it = clients.values().iterator(); it.hasNext(); ) {
      Entry entry = it.next();
      if (entry.token().get() == null) {
        entry.family().close();
        it.remove();
      }
    }
  }

  private HttpClient create(SslContext ssl, boolean keepAlive, long handshakeSeconds) {
    HttpClientOptions options =
        new HttpClientOptions()
            // HTTP/1.1 as kubelet's probes: no h2c upgrade, no ALPN.
            .setKeepAlive(keepAlive)
            // Each request says whether it is https; without ssl here, Vert.x would build its own
            // TLS context for them instead of asking the engine options below.
            .setSsl(true)
            .setMaxHeaderSize(MAX_HEADER_BYTES)
            .setVerifyHost(true)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, handshakeSeconds * 1000))
            .setSslHandshakeTimeout(handshakeSeconds)
            .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS)
            .setJdkSslEngineOptions(new ContextEngineOptions(ssl))
            .setName("vigie-checks");
    PoolOptions pool =
        new PoolOptions()
            .setHttp1MaxSize(
                keepAlive ? MAX_KEPT_CONNECTIONS_PER_ENDPOINT : MAX_CONNECTIONS_PER_ENDPOINT);
    return vertx.createHttpClient(options, pool);
  }

  /**
   * Netty's context over the JDK's: the JDK's default cipher suites and protocols, and the engines
   * named after the peer host.
   */
  private static SslContext sslContext(SSLContext built) {
    SSLContext base;
    try {
      base = built != null ? built : SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no default TLS context", e);
    }
    SSLContext named = ServerNameSslContext.forPeerHost(base);
    return new JdkSslContext(
        named,
        true,
        Arrays.asList(base.getDefaultSSLParameters().getCipherSuites()),
        IdentityCipherSuiteFilter.INSTANCE,
        ApplicationProtocolConfig.DISABLED,
        ClientAuth.NONE,
        null,
        false);
  }

  /** Vert.x's JDK engine, with the context built here rather than from Vert.x's own options. */
  private static final class ContextEngineOptions extends JdkSSLEngineOptions {
    private final SslContext context;

    ContextEngineOptions(SslContext context) {
      this.context = context;
    }

    @Override
    public JdkSSLEngineOptions copy() {
      return new ContextEngineOptions(context);
    }

    @Override
    public SslContextFactory sslContextFactory() {
      return () -> context;
    }
  }

  /** Live families of clients (TLS material and connection handling), for tests. */
  synchronized int size() {
    sweep();
    return clients.size();
  }

  /** Whether {@link #close()} was called: the clients refuse requests then. */
  boolean closed() {
    return closed;
  }

  /** Closes every client and the event loops. */
  @Override
  public synchronized void close() {
    closed = true;
    clients.values().forEach(entry -> entry.family().close());
    clients.clear();
    vertx.close();
  }
}
