package io.dihya.vigie.probe.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLSession;

/**
 * An HTTP(S) check on a pooled JDK client ({@link HttpClientPool}). Everything that can be worked
 * out from the spec is, once, at create time: the request's parts, the Authorization header, the
 * status ranges, the compiled regex, the client. A run builds one request and chains futures.
 *
 * <p>Timeouts: the JDK client's connect timeout is a setting of the (shared) client, not of a
 * request, so none is set; the request timeout, per run, covers connecting and the wait for the
 * response headers. {@link CompletableFuture#orTimeout} caps the whole check, body and regex
 * included, and then cancels the exchange.
 *
 * <p>Connections are HTTP/1.1, and each run opens its own ({@code Connection: close}), as kubelet's
 * probes and blackbox_exporter do: a target that accepts no new connections, or a certificate
 * replaced on the server, is seen at the next run, and the latency is what a new client waits. A
 * {@code Connection: keep-alive} header in the spec keeps the connection between runs instead (the
 * check then measures the request alone). The JDK client pools on the answer's Connection header
 * alone: a server that closes after a {@code close} request without saying so (RFC 9112 asks it to)
 * may see another probe's run sent on that connection while it closes; the JDK resends a GET whose
 * reused connection ended before any answer.
 *
 * <p>The {@link TargetPolicy} is enforced on the address connected to. The JDK client resolves the
 * URL's host itself and has no resolver to plug in (Java 17), so the check resolves the host
 * through the policy and sends the request to the address it judged, as an IP literal: the JDK then
 * looks nothing up. What the target sees stays the name's: the Host header is set to the URL's
 * authority (which needs {@code jdk.httpclient.allowRestrictedHeaders=host}, see {@link
 * HttpClientPool#allowHostHeader}), and for https the client's SSLContext sends the name as SNI and
 * verifies the certificate against it ({@link ServerNameSslContext}; https clients are therefore
 * pooled per server name). Redirects are followed here, not by the JDK, so that every hop is
 * resolved and judged the same way: at most {@value #MAX_REDIRECTS}, never from https to http, 303
 * (and 301/302 of a POST) as a GET without the body, the headers kept.
 */
final class HttpProbeCheck implements Check {

  private static final String FIELD = "spec.http";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Redirects followed in one run; a further redirect is the answer. */
  static final int MAX_REDIRECTS = 5;

  private final HttpClientPool pool;
  private final ClientTlsSettings tls;
  private final HttpClient client;
  private final TargetPolicy policy;
  private final URI uri;
  private final String method;
  private final String target;
  private final List<String[]> headers;
  private final boolean closeConnection;
  private final byte[] body;
  private final StatusExpectation expectStatus;
  private final BodyExpectation expectBody;
  private final boolean followRedirects;
  private final HttpResponse.BodyHandler<BoundedBodySubscriber.Body> bodyHandler;
  private final boolean keepBody;
  private final Executor callbacks;

  private HttpProbeCheck(
      HttpClientPool pool,
      ClientTlsSettings tls,
      HttpClient client,
      TargetPolicy policy,
      URI uri,
      String method,
      List<String[]> headers,
      byte[] body,
      StatusExpectation expectStatus,
      BodyExpectation expectBody,
      boolean followRedirects,
      int maxBodyBytes,
      boolean keepBody,
      Executor callbacks) {
    this.pool = pool;
    this.tls = tls;
    this.client = client;
    this.policy = policy;
    this.uri = uri;
    this.method = method;
    this.target = method + " " + display(uri);
    this.headers = headers;
    // A new connection each run, unless the spec names its own Connection header.
    this.closeConnection =
        HttpClientPool.connectionHeaderAllowed()
            && headers.stream().noneMatch(h -> h[0].strip().equalsIgnoreCase("Connection"));
    this.body = body;
    this.expectStatus = expectStatus;
    this.expectBody = expectBody;
    this.followRedirects = followRedirects;
    this.keepBody = keepBody;
    this.bodyHandler = BoundedBodySubscriber.handler(maxBodyBytes, expectBody != null || keepBody);
    this.callbacks = callbacks;
  }

  /**
   * Builds the check of a spec's http block.
   *
   * @param keepBody read the body (up to maxBodyBytes) for the assertions, even without expectBody
   * @throws IllegalArgumentException with a field-naming message for anything it cannot build
   */
  static HttpProbeCheck create(
      HttpCheck spec,
      SecretValues secrets,
      HttpClientPool pool,
      TargetPolicy policy,
      int maxBodyBytes,
      boolean keepBody,
      Executor callbacks) {
    URI uri = parseUrl(spec.url);
    String method = spec.method == null ? HttpCheck.Method.GET.name() : spec.method.name();
    List<String[]> headers = headers(spec, secrets, uri);
    StatusExpectation status = StatusExpectation.parse(spec.expectStatus, FIELD + ".expectStatus");
    BodyExpectation expectBody = BodyExpectation.of(spec.expectBody, FIELD + ".expectBody");
    boolean follow = spec.followRedirects == null || spec.followRedirects;
    ClientTlsSettings tls = ClientTlsSettings.resolve(spec.tls, secrets, FIELD + ".tls");
    // The first hop's client, built now: unusable TLS material is an InvalidSpec, not a failure.
    HttpClient client = pool.client(tlsFor(uri, uri, tls), FIELD + ".tls");
    byte[] body = spec.body == null ? null : spec.body.getBytes(StandardCharsets.UTF_8);
    return new HttpProbeCheck(
        pool,
        tls,
        client,
        policy,
        uri,
        method,
        headers,
        body,
        status,
        expectBody,
        follow,
        maxBodyBytes,
        keepBody,
        callbacks);
  }

  private static URI parseUrl(String url) {
    String field = FIELD + ".url";
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(field + ": required");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      // The URL is not echoed: it may hold a token in its query.
      throw new IllegalArgumentException(field + ": not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(field + ": must start with http:// or https://");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(field + ": has no valid host name");
    }
    return uri;
  }

  private static List<String[]> headers(HttpCheck spec, SecretValues secrets, URI uri) {
    List<String[]> headers = new ArrayList<>();
    List<HttpHeader> specHeaders = spec.headers == null ? List.of() : spec.headers;
    for (int i = 0; i < specHeaders.size(); i++) {
      HttpHeader h = specHeaders.get(i);
      String field = FIELD + ".headers[" + i + "]";
      if (h == null || h.name == null || h.name.isBlank()) {
        throw new IllegalArgumentException(field + ".name: required");
      }
      boolean fromSecret = h.valueFrom != null;
      if (fromSecret == (h.value != null)) {
        throw new IllegalArgumentException(field + ": set exactly one of value and valueFrom");
      }
      if (fromSecret && h.valueFrom.secretKeyRef == null) {
        throw new IllegalArgumentException(field + ".valueFrom.secretKeyRef: required");
      }
      String value = fromSecret ? trimNewlines(secret(secrets, h.valueFrom.secretKeyRef)) : h.value;
      if (h.name.equalsIgnoreCase("Authorization")
          && (spec.basicAuth != null || spec.bearerTokenSecretRef != null)) {
        throw new IllegalArgumentException(
            field + ": Authorization is already set by basicAuth or bearerTokenSecretRef");
      }
      requireValidHeader(uri, h.name, value, field);
      headers.add(new String[] {h.name, value});
    }
    String authorization = authorization(spec, secrets);
    if (authorization != null) {
      requireValidHeader(uri, "Authorization", authorization, FIELD);
      headers.add(new String[] {"Authorization", authorization});
    }
    return List.copyOf(headers);
  }

  private static String authorization(HttpCheck spec, SecretValues secrets) {
    if (spec.basicAuth != null && spec.bearerTokenSecretRef != null) {
      throw new IllegalArgumentException(
          FIELD + ": set at most one of basicAuth and bearerTokenSecretRef");
    }
    if (spec.basicAuth != null) {
      if (spec.basicAuth.usernameSecretRef == null || spec.basicAuth.passwordSecretRef == null) {
        throw new IllegalArgumentException(
            FIELD + ".basicAuth: usernameSecretRef and passwordSecretRef are required");
      }
      String pair =
          trimNewlines(secret(secrets, spec.basicAuth.usernameSecretRef))
              + ":"
              + trimNewlines(secret(secrets, spec.basicAuth.passwordSecretRef));
      return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
    if (spec.bearerTokenSecretRef != null) {
      return "Bearer " + secret(secrets, spec.bearerTokenSecretRef).strip();
    }
    return null;
  }

  private static String secret(SecretValues secrets, SecretKeyRef ref) {
    String value = secrets.get(ref);
    if (value == null) {
      throw new IllegalArgumentException(
          "Secret " + ref.name + " has no key " + ref.key + " (the caller must resolve it)");
    }
    return value;
  }

  /** Secret files made with echo end with a newline, which no header value may hold. */
  private static String trimNewlines(String value) {
    int end = value.length();
    while (end > 0 && (value.charAt(end - 1) == '\n' || value.charAt(end - 1) == '\r')) {
      end--;
    }
    return value.substring(0, end);
  }

  /**
   * The JDK refuses some names (Host, Connection, Content-Length, Expect, Upgrade) and CR/LF. Host
   * is refused here too: the operator's JVM allows it for the checks' own use only (the URL's
   * authority, sent to the address the target policy judged). Connection, which the JVM allows for
   * the checks' {@code close}, may be {@code keep-alive} or {@code close} only.
   */
  private static void requireValidHeader(URI uri, String name, String value, String field) {
    HttpRequest.Builder probe = HttpRequest.newBuilder(uri);
    if (name.strip().equalsIgnoreCase("Connection")
        && !value.strip().equalsIgnoreCase("keep-alive")
        && !value.strip().equalsIgnoreCase("close")) {
      throw new IllegalArgumentException(
          field + ".value: Connection may only be keep-alive or close");
    }
    try {
      if (name.strip().equalsIgnoreCase("Host")) {
        throw new IllegalArgumentException("restricted header name");
      }
      probe.header(name, "x");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          field + ".name: the HTTP client does not allow the header " + name);
    }
    try {
      probe.header(name, value);
    } catch (IllegalArgumentException e) {
      // Never the value: it may be a secret.
      throw new IllegalArgumentException(field + ": the value is not a valid header value");
    }
  }

  /** scheme://host:port/path: no user info, query or fragment, which may hold secrets. */
  static String display(URI uri) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getScheme().toLowerCase(Locale.ROOT)
        + "://"
        + uri.getHost()
        + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
        + path;
  }

  /**
   * The TLS settings of a hop's client: for https to a host name, the name as server name (the
   * spec's serverName on the URL's own host), so that SNI and the certificate's verification are
   * the name's although the connection goes to an IP literal.
   */
  private static ClientTlsSettings tlsFor(URI hop, URI first, ClientTlsSettings tls) {
    if (!"https".equalsIgnoreCase(hop.getScheme())) {
      return tls;
    }
    String host = hop.getHost();
    if (tls.serverName() != null && host.equalsIgnoreCase(first.getHost())) {
      return tls;
    }
    if (TargetPolicy.literal(host) != null) {
      return tls.withServerName(null);
    }
    // A fully qualified name's final dot (orders.shop.svc.) is in no certificate and no SNI.
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    try {
      new SNIHostName(name);
    } catch (IllegalArgumentException e) {
      // Not a name SNI can carry (a label of more than 63 characters): none is sent then.
      return tls.withServerName(null);
    }
    return tls.withServerName(name);
  }

  /** One request of a run: the first, or one a redirect asked for. */
  private record Hop(URI uri, String method, byte[] body, int redirects) {}

  /** A hop ready to send: its request (to an IP literal) and the client for it. */
  private record Prepared(HttpClient client, HttpRequest request) {}

  /** Thrown when the JVM forbids the Host header and the URL names a host. */
  private static final class HostHeaderForbidden extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HostHeaderForbidden() {
      super(null, null, false, false);
    }
  }

  @Override
  public CompletableFuture<CheckResult> run(Duration timeout) {
    long start = System.nanoTime();
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      return CompletableFuture.completedFuture(
          CheckResult.failure(Reasons.INVALID_SPEC, "the timeout must be positive", 0));
    }
    long deadline = start + timeout.toNanos();
    InFlight inFlight = new InFlight();
    CompletableFuture<HttpResponse<BoundedBodySubscriber.Body>> exchange;
    try {
      exchange = send(new Hop(uri, method, body, 0), deadline, inFlight);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failure(e, timeout, start));
    }
    return exchange
        // Off the JDK's completion thread (the common pool): a regex on 1 MiB is work.
        .thenApplyAsync(response -> evaluate(response, start, deadline), callbacks)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handleAsync(
            (result, error) -> {
              if (error == null) {
                return result;
              }
              inFlight.abandon();
              return failure(error, timeout, start);
            },
            callbacks);
  }

  /**
   * The step of a run in progress (a look-up, an exchange), cancelled when the run gives up: the
   * JDK then closes the exchange's connection. An exchange started after the run gave up (its
   * timeout came between two steps) is cancelled as soon as it is set: its request timeout covers
   * only the wait for the headers, and a body that trickles would be read for good.
   */
  private static final class InFlight {
    private final AtomicReference<CompletableFuture<?>> current = new AtomicReference<>();
    private volatile boolean abandoned;

    void set(CompletableFuture<?> step) {
      current.set(step);
      if (abandoned) {
        step.cancel(true);
      }
    }

    void abandon() {
      abandoned = true;
      CompletableFuture<?> step = current.get();
      if (step != null) {
        step.cancel(true);
      }
    }
  }

  /** Sends a hop and the hops its redirects ask for; the last response. */
  private CompletableFuture<HttpResponse<BoundedBodySubscriber.Body>> send(
      Hop hop, long deadline, InFlight inFlight) {
    CompletableFuture<Prepared> prepared;
    if (TargetPolicy.literal(hop.uri().getHost()) != null) {
      // An address: nothing to look up, judged on this thread.
      try {
        prepared = CompletableFuture.completedFuture(prepare(hop, deadline));
      } catch (IOException e) {
        prepared = CompletableFuture.failedFuture(e);
      }
    } else {
      // The JDK resolver blocks: on the factory's pool.
      prepared =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return prepare(hop, deadline);
                } catch (IOException e) {
                  throw new CompletionException(e);
                }
              },
              callbacks);
    }
    inFlight.set(prepared);
    return prepared
        .thenCompose(
            ready -> {
              CompletableFuture<HttpResponse<BoundedBodySubscriber.Body>> response =
                  ready.client().sendAsync(ready.request(), bodyHandler);
              inFlight.set(response);
              return response;
            })
        .thenCompose(
            response -> {
              Hop next = redirect(hop, response);
              return next == null
                  ? CompletableFuture.completedFuture(response)
                  : send(next, deadline, inFlight);
            });
  }

  /**
   * Resolves the hop's host through the policy and builds its request to the address judged.
   *
   * @throws TargetForbiddenException when the host has a forbidden address
   */
  private Prepared prepare(Hop hop, long deadline) throws IOException {
    URI to = hop.uri();
    boolean https = "https".equalsIgnoreCase(to.getScheme());
    int port = to.getPort() != -1 ? to.getPort() : https ? 443 : 80;
    String host = to.getHost();
    List<InetAddress> addresses;
    try {
      addresses = policy.resolve(host, port);
    } catch (TargetForbiddenException e) {
      throw hop.redirects() == 0
          ? e
          : new TargetForbiddenException("the redirect to " + display(to) + ": " + e.getMessage());
    }
    boolean literal = TargetPolicy.literal(host) != null;
    if (!literal && !HttpClientPool.hostHeaderAllowed()) {
      throw new HostHeaderForbidden();
    }
    URI direct = literal ? to : direct(to, addresses.get(0), port);
    long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(direct)
            .timeout(Duration.ofMillis(left))
            .method(
                hop.method(),
                hop.body() == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(hop.body()));
    if (!literal) {
      builder.header("Host", hostHeader(to, https));
    }
    for (String[] header : headers) {
      builder.header(header[0], header[1]);
    }
    if (closeConnection) {
      builder.header("Connection", "close");
    }
    HttpClient hopClient =
        hop.redirects() == 0 ? client : pool.client(tlsFor(to, uri, tls), FIELD + ".tls");
    return new Prepared(hopClient, builder.build());
  }

  /** The URL with the host replaced by the address (and the port made explicit). */
  static URI direct(URI uri, InetAddress address, int port) {
    String literal =
        address instanceof Inet6Address
            ? "[" + address.getHostAddress() + "]"
            : address.getHostAddress();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
    return URI.create(uri.getScheme() + "://" + literal + ":" + port + path + query);
  }

  /** The Host header the JDK would send for the URL: its host, and its port unless default. */
  static String hostHeader(URI uri, boolean https) {
    int port = uri.getPort();
    boolean defaultPort = port == -1 || port == (https ? 443 : 80);
    return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
  }

  /** The hop a redirect response asks for, or null when it is the answer. */
  private Hop redirect(Hop hop, HttpResponse<?> response) {
    int status = response.statusCode();
    if (!followRedirects
        || hop.redirects() >= MAX_REDIRECTS
        || !(status == 301 || status == 302 || status == 303 || status == 307 || status == 308)) {
      return null;
    }
    Optional<String> location = response.headers().firstValue("Location");
    if (location.isEmpty()) {
      return null;
    }
    URI next;
    try {
      next = hop.uri().resolve(new URI(location.get()));
    } catch (URISyntaxException | IllegalArgumentException e) {
      return null; // not a URL: the redirect response is the answer
    }
    String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
    boolean downgrade = scheme.equals("http") && hop.uri().getScheme().equalsIgnoreCase("https");
    if (!(scheme.equals("http") || scheme.equals("https")) || downgrade || next.getHost() == null) {
      return null;
    }
    String nextMethod =
        status == 303 || ((status == 301 || status == 302) && hop.method().equals("POST"))
            ? "GET"
            : hop.method();
    return new Hop(
        next, nextMethod, nextMethod.equals(hop.method()) ? hop.body() : null, hop.redirects() + 1);
  }

  private CheckResult evaluate(
      HttpResponse<BoundedBodySubscriber.Body> response, long start, long deadline) {
    int status = response.statusCode();
    String answered = target + " answered " + status;
    CheckResult result;
    if (!expectStatus.accepts(status)) {
      String hint =
          status >= 300 && status < 400 && !followRedirects ? " (redirects are not followed)" : "";
      result =
          CheckResult.failure(
              Reasons.UNEXPECTED_STATUS,
              answered + ", expected " + expectStatus + hint,
              millisSince(start));
    } else {
      String mismatch = expectBody == null ? null : expectBody.mismatch(response.body(), deadline);
      result =
          mismatch == null
              ? CheckResult.success(millisSince(start), answered)
              : CheckResult.failure(
                  Reasons.BODY_MISMATCH, answered + " but " + mismatch, millisSince(start));
    }
    result = result.withData("http", data(response));
    Optional<SSLSession> session = response.sslSession();
    if (session.isPresent()) {
      result =
          result
              .withCertificateNotAfter(TlsFacts.earliestNotAfter(TlsFacts.peerChain(session.get())))
              .withData("tls", TlsFacts.of(session.get(), Instant.now()));
    }
    return result;
  }

  /**
   * The result.http variables: status, headers (lower-case names, repeated ones joined with ", "),
   * and when the body was read: body (UTF-8 text), bodyTruncated, and json when it parses as JSON.
   */
  private Map<String, Object> data(HttpResponse<BoundedBodySubscriber.Body> response) {
    Map<String, String> headerValues = new LinkedHashMap<>();
    response
        .headers()
        .map()
        .forEach(
            (name, values) ->
                headerValues.put(name.toLowerCase(Locale.ROOT), String.join(", ", values)));
    ResultData data =
        ResultData.create().put("status", response.statusCode()).put("headers", headerValues);
    BoundedBodySubscriber.Body body = response.body();
    if (keepBody && body != null) {
      String text = new String(body.bytes(), StandardCharsets.UTF_8);
      data.put("body", text).put("bodyTruncated", body.truncated());
      JsonNode json = json(text, body.truncated());
      if (json != null) {
        data.put("json", json);
      }
    }
    return data.build();
  }

  private static JsonNode json(String text, boolean truncated) {
    String trimmed = text.stripLeading();
    if (truncated || !(trimmed.startsWith("{") || trimmed.startsWith("["))) {
      return null;
    }
    try {
      return JSON.readTree(trimmed);
    } catch (IOException e) {
      return null; // not JSON after all: result.http.json is then absent
    }
  }

  private CheckResult failure(Throwable error, Duration timeout, long start) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof HostHeaderForbidden) {
        return CheckResult.failure(
            Reasons.CONNECTION_FAILED,
            target
                + ": the operator's JVM forbids the Host header, so a URL with a host name cannot"
                + " be checked (start it with -Djdk.httpclient.allowRestrictedHeaders=host)",
            millisSince(start));
      }
    }
    Failures.Failure f = Failures.classify(error, timeout);
    return CheckResult.failure(f.reason(), target + ": " + f.text(), millisSince(start));
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
