package io.dihya.vigie.probe.check;

import java.lang.ref.WeakReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * The JDK HTTP clients, one per distinct TLS settings. Each JDK client owns a selector thread and a
 * connection pool, so 10,000 http probes share one client. An https check's settings include the
 * server name (the URL's host, see {@link HttpProbeCheck}), so https probes share a client per host
 * name they check.
 *
 * <p>The pool holds its clients weakly and the checks strongly: a client whose last check is gone
 * (a probe deleted, a rotated client certificate) is collected, and the JDK stops its selector
 * thread. JDK 17's HttpClient has no close().
 *
 * <p>The clients never follow redirects: the checks do, so that each hop's address is judged by the
 * {@link TargetPolicy}.
 */
public final class HttpClientPool {

  /** The JDK's setting that lets a request set restricted headers, Host among them. */
  static final String RESTRICTED_HEADERS = "jdk.httpclient.allowRestrictedHeaders";

  private final Executor executor;
  private final Map<String, WeakReference<HttpClient>> clients = new HashMap<>();

  public HttpClientPool(Executor executor) {
    this.executor = executor;
  }

  /**
   * Lets the JDK HTTP client send the Host and Connection headers of the caller's: the checks
   * connect to the address they judged, as an IP literal, and name the host in the Host header; and
   * they ask for a new connection each run ({@code Connection: close}). The JDK reads the setting
   * once, when its HTTP client is first used, so this must run before that (first thing in main);
   * an existing value of the setting is kept.
   */
  public static void allowHostHeader() {
    String current = System.getProperty(RESTRICTED_HEADERS, "");
    Set<String> names = new LinkedHashSet<>();
    for (String name : current.split(",")) {
      if (!name.isBlank()) {
        names.add(name.trim());
      }
    }
    boolean changed = false;
    for (String needed : List.of("host", "connection")) {
      if (names.stream().noneMatch(needed::equalsIgnoreCase)) {
        names.add(needed);
        changed = true;
      }
    }
    if (changed) {
      System.setProperty(RESTRICTED_HEADERS, String.join(",", names));
    }
  }

  /** Whether this JVM's HTTP client lets a request set the Host header. */
  public static boolean hostHeaderAllowed() {
    return HostHeader.ALLOWED;
  }

  /** Whether this JVM's HTTP client lets a request set the Connection header. */
  public static boolean connectionHeaderAllowed() {
    return ConnectionHeader.ALLOWED;
  }

  /** Asked once: the JDK's answer cannot change afterwards. */
  private static final class HostHeader {
    static final boolean ALLOWED = allowed("Host", "vigie");
  }

  private static final class ConnectionHeader {
    static final boolean ALLOWED = allowed("Connection", "close");
  }

  private static boolean allowed(String name, String value) {
    try {
      HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header(name, value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
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
