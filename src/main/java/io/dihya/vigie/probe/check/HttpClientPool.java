package io.dihya.vigie.probe.check;

import java.lang.ref.WeakReference;
import java.net.http.HttpClient;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * The alert sinks' JDK HTTP clients, one per distinct TLS settings: each JDK client owns a selector
 * thread and a connection pool, which every sink with those settings shares. (The http checks have
 * their own, {@link HttpCheckClients}.)
 *
 * <p>The pool holds its clients weakly and the checks strongly: a client whose last check is gone
 * (a route deleted, a rotated client certificate) is collected, and the JDK stops its selector
 * thread. JDK 17's HttpClient has no close().
 *
 * <p>The clients never follow redirects: a sink posts to exactly the URL it was given.
 */
public final class HttpClientPool {

  private final Executor executor;
  private final Map<String, WeakReference<HttpClient>> clients = new HashMap<>();

  public HttpClientPool(Executor executor) {
    this.executor = executor;
  }

  /**
   * The shared client for these settings, built on first use.
   *
   * @throws IllegalArgumentException naming a field under {@code field} for unusable TLS material
   */
  public synchronized HttpClient client(ClientTlsSettings tls, String field) {
    String key = tls.digest();
    WeakReference<HttpClient> ref = clients.get(key);
    HttpClient client = ref == null ? null : ref.get();
    if (client == null) {
      clients.values().removeIf(r -> r.get() == null);
      client = build(SslContexts.build(tls, field));
      clients.put(key, new WeakReference<>(client));
    }
    return client;
  }

  private HttpClient build(SSLContext ssl) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            // HTTP/1.1 as kubelet probes: no h2c upgrade headers, no ALPN surprises.
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(executor);
    if (ssl != null) {
      builder.sslContext(ssl);
    }
    return builder.build();
  }

  /** Live clients, for tests. */
  synchronized int size() {
    clients.values().removeIf(r -> r.get() == null);
    return clients.size();
  }

  synchronized void clear() {
    clients.clear();
  }
}
