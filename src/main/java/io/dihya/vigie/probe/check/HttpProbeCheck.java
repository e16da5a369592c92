package io.dihya.vigie.probe.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;

/**
 * An HTTP(S) check on a shared Vert.x client ({@link HttpCheckClients}). Everything that can be
 * worked out from the spec is, once, at create time: the request's parts, the Authorization header,
 * the status ranges, the compiled regex, the client. A run builds one request and chains futures.
 *
 * <p>The deadline covers the whole check: resolving, connecting, the TLS handshake, the headers,
 * the body and the regex. When it passes, the run ends as a Timeout and its request is reset, which
 * closes the connection; a connection still being made is closed as soon as it is made, or ends at
 * the client's connect and handshake timeouts, the check's timeout rounded up to a second ({@link
 * HttpCheckClients.Lease}).
 *
 * <p>Connections are HTTP/1.1, and each run opens its own: the request says {@code Connection:
 * close} and the client closes the connection after the answer whatever the server says (RFC 9112),
 * as kubelet's probes and blackbox_exporter do. A target that accepts no new connections, or a
 * certificate replaced on the server, is seen at the next run, and the latency is what a new client
 * waits. A {@code Connection: keep-alive} header in the spec keeps the connection between runs
 * instead (the check then measures the request alone).
 *
 * <p>The {@link TargetPolicy} is enforced on the address connected to: the check resolves the host
 * through the policy and the request connects to the address it judged. What the target sees stays
 * the name's: the Host header is the URL's authority, and for https the name is sent as SNI and the
 * certificate verified against it (or against the spec's serverName, for the URL's own host). The
 * requests carry {@code User-Agent: vigie} unless the spec sets one. Redirects are followed here,
 * not by the client, so that every hop is resolved and judged the same way: at most {@value
 * #MAX_REDIRECTS}, never from https to http, 303 (and 301/302 of a POST) as a GET without the body,
 * the headers kept.
 */
final class HttpProbeCheck implements Check {

  private static final String FIELD = "spec.http";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Redirects followed in one run; a further redirect is the answer. */
  static final int MAX_REDIRECTS = 5;

  /** What the requests say they are, unless the spec names its own User-Agent. */
  static final String USER_AGENT = "vigie";

  private final HttpCheckClients.Lease client;
  private final TargetPolicy policy;
  private final URI uri;
  private final String method;
  private final String target;
  private final MultiMap headers;
  private final String serverName;
  private final byte[] body;
  private final StatusExpectation expectStatus;
  private final BodyExpectation expectBody;
  private final boolean followRedirects;
  private final int maxBodyBytes;
  private final boolean readBody;
  private final boolean keepBody;
  private final Executor callbacks;

  private HttpProbeCheck(
      HttpCheckClients.Lease client,
      TargetPolicy policy,
      URI uri,
      String method,
      MultiMap headers,
      String serverName,
      byte[] body,
      StatusExpectation expectStatus,
      BodyExpectation expectBody,
      boolean followRedirects,
      int maxBodyBytes,
      boolean keepBody,
      Executor callbacks) {
    this.client = client;
    this.policy = policy;
    this.uri = uri;
    this.method = method;
    this.target = method + " " + display(uri);
    this.headers = headers;
    this.serverName = serverName;
    this.body = body;
    this.expectStatus = expectStatus;
    this.expectBody = expectBody;
    this.followRedirects = followRedirects;
    this.maxBodyBytes = maxBodyBytes;
    this.keepBody = keepBody;
    this.readBody = expectBody != null || keepBody;
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
      HttpCheckClients clients,
      TargetPolicy policy,
      int maxBodyBytes,
      boolean keepBody,
      Executor callbacks) {
    URI uri = parseUrl(spec.url);
    String method = spec.method == null ? HttpCheck.Method.GET.name() : spec.method.name();
    List<String[]> specHeaders = headers(spec, secrets);
    StatusExpectation status = StatusExpectation.parse(spec.expectStatus, FIELD + ".expectStatus");
    BodyExpectation expectBody = BodyExpectation.of(spec.expectBody, FIELD + ".expectBody");
    boolean follow = spec.followRedirects == null || spec.followRedirects;
    ClientTlsSettings tls = ClientTlsSettings.resolve(spec.tls, secrets, FIELD + ".tls");
    SslContexts.requireServerName(tls.serverName(), FIELD + ".tls");
    boolean keepAlive = false;
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (String[] header : specHeaders) {
      if (header[0].strip().equalsIgnoreCase("Connection")) {
        // The client's choice, not a header passed on: close is the default anyway.
        keepAlive = header[1].strip().equalsIgnoreCase("keep-alive");
      } else {
        headers.add(header[0].strip(), header[1]);
      }
    }
    if (!headers.contains("User-Agent")) {
      headers.add("User-Agent", USER_AGENT);
    }
    // Built now: unusable TLS material is an InvalidSpec, not a failure.
    HttpCheckClients.Lease client = clients.lease(tls, keepAlive, FIELD + ".tls");
    byte[] body = spec.body == null ? null : spec.body.getBytes(StandardCharsets.UTF_8);
    return new HttpProbeCheck(
        client,
        policy,
        uri,
        method,
        headers,
        tls.serverName(),
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

  private static List<String[]> headers(HttpCheck spec, SecretValues secrets) {
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
      requireValidHeader(h.name, value, field);
      headers.add(new String[] {h.name, value});
    }
    String authorization = authorization(spec, secrets);
    if (authorization != null) {
      requireValidHeader("Authorization", authorization, FIELD);
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

  /** RFC 9110's token, as the schema has it: the characters a header name may hold. */
  private static final java.util.regex.Pattern HEADER_NAME =
      java.util.regex.Pattern.compile(HttpHeader.TOKEN);

  /**
   * Header names the client sets itself: the Host (the URL's authority, sent to the address the
   * target policy judged) and the framing of the message. Connection may be {@code keep-alive} or
   * {@code close} only, and chooses how the check connects.
   */
  private static final java.util.Set<String> OWN_HEADERS =
      java.util.Set.of("host", "content-length", "transfer-encoding", "expect", "upgrade", "te");

  private static void requireValidHeader(String name, String value, String field) {
    String lower = name.strip().toLowerCase(Locale.ROOT);
    if (lower.equals("connection")
        && !value.strip().equalsIgnoreCase("keep-alive")
        && !value.strip().equalsIgnoreCase("close")) {
      throw new IllegalArgumentException(
          field + ".value: Connection may only be keep-alive or close");
    }
    if (!HEADER_NAME.matcher(name).matches() || OWN_HEADERS.contains(lower)) {
      throw new IllegalArgumentException(
          field + ".name: the HTTP client does not allow the header " + name);
    }
    if (!isFieldValue(value)) {
      // Never the value: it may be a secret.
      throw new IllegalArgumentException(field + ": the value is not a valid header value");
    }
  }

  /** RFC 9110's field value: visible characters, spaces, tabs and obs-text; no CR, LF or NUL. */
  static boolean isFieldValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(c == '\t' || (c >= 0x20 && c < 0x7f) || (c >= 0x80 && c <= 0xff))) {
        return false;
      }
    }
    return true;
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

  /** One request of a run: the first, or one a redirect asked for. */
  private record Hop(URI uri, String method, byte[] body, int redirects) {}

  /** What a hop's exchange brought back. */
  private record Answer(int status, MultiMap headers, BoundedBody.Body body, SSLSession session) {}

  @Override
  public CompletableFuture<CheckResult> run(Duration timeout) {
    long start = System.nanoTime();
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      return CompletableFuture.completedFuture(
          CheckResult.failure(Reasons.INVALID_SPEC, "the timeout must be positive", 0));
    }
    if (client.owner().closed()) {
      return CompletableFuture.completedFuture(
          failure(new RejectedExecutionException("closed"), timeout, start));
    }
    long deadline = start + timeout.toNanos();
    InFlight inFlight = new InFlight();
    CompletableFuture<Answer> exchange;
    try {
      exchange = send(new Hop(uri, method, body, 0), timeout, inFlight);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failure(e, timeout, start));
    }
    CompletableFuture<CheckResult> evaluated =
        readBody
            // Off the event loop: a regex on 1 MiB, or JSON, is work.
            ? exchange.thenApplyAsync(answer -> evaluate(answer, start, deadline), callbacks)
            // A status and headers: on the event loop, one thread hand-off less per check.
            : exchange.thenApply(answer -> evaluate(answer, start, deadline));
    return evaluated
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
   * The request of a run in progress, reset (its connection closed) when the run gives up. A
   * request made after the run gave up (its timeout came while connecting) is reset as soon as it
   * is set.
   */
  private static final class InFlight {
    private final AtomicReference<HttpClientRequest> current = new AtomicReference<>();
    private volatile boolean abandoned;

    /** False when the run was given up: the request is reset and its connection closed then. */
    boolean set(HttpClientRequest request) {
      current.set(request);
      if (abandoned) {
        // A request not yet sent would hand its connection back to the pool, open and idle.
        request.connection().close();
        request.reset();
        return false;
      }
      return true;
    }

    void abandon() {
      abandoned = true;
      HttpClientRequest request = current.get();
      if (request != null) {
        request.reset();
      }
    }
  }

  /** Sends a hop and the hops its redirects ask for; the last answer. */
  private CompletableFuture<Answer> send(Hop hop, Duration timeout, InFlight inFlight) {
    CompletableFuture<InetAddress> resolved;
    if (TargetPolicy.literal(hop.uri().getHost()) != null) {
      // An address: nothing to look up, judged on this thread.
      try {
        resolved = CompletableFuture.completedFuture(resolve(hop));
      } catch (IOException e) {
        resolved = CompletableFuture.failedFuture(e);
      }
    } else {
      // The JDK resolver blocks: on the factory's pool.
      resolved =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return resolve(hop);
                } catch (IOException e) {
                  throw new CompletionException(e);
                }
              },
              callbacks);
    }
    return resolved
        .thenCompose(address -> exchange(hop, address, timeout, inFlight))
        .thenCompose(
            answer -> {
              Hop next = redirect(hop, answer);
              return next == null
                  ? CompletableFuture.completedFuture(answer)
                  : send(next, timeout, inFlight);
            });
  }

  /**
   * The address of the hop's host, as the policy judged it.
   *
   * @throws TargetForbiddenException when the host has a forbidden address
   */
  private InetAddress resolve(Hop hop) throws IOException {
    URI to = hop.uri();
    try {
      return policy.resolve(to.getHost(), port(to)).get(0);
    } catch (TargetForbiddenException e) {
      throw hop.redirects() == 0
          ? e
          : new TargetForbiddenException("the redirect to " + display(to) + ": " + e.getMessage());
    }
  }

  private static boolean https(URI uri) {
    return "https".equalsIgnoreCase(uri.getScheme());
  }

  private static int port(URI uri) {
    return uri.getPort() != -1 ? uri.getPort() : https(uri) ? 443 : 80;
  }

  /** One request and its answer, the body read up to the limit. */
  private CompletableFuture<Answer> exchange(
      Hop hop, InetAddress address, Duration timeout, InFlight inFlight) {
    URI to = hop.uri();
    boolean https = https(to);
    int port = port(to);
    MultiMap requestHeaders = MultiMap.caseInsensitiveMultiMap().addAll(headers);
    requestHeaders.set("Host", hostHeader(to, https));
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.valueOf(hop.method()))
            .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)))
            .setHost(peerHost(to))
            .setPort(port)
            .setSsl(https)
            .setURI(pathAndQuery(to))
            .setHeaders(requestHeaders);
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    client
        .client(timeout)
        .request(options)
        .onComplete(
            made -> {
              if (made.failed()) {
                answer.completeExceptionally(made.cause());
                return;
              }
              HttpClientRequest request = made.result();
              if (!inFlight.set(request)) {
                answer.cancel(false);
                return;
              }
              (hop.body() == null ? request.send() : request.send(Buffer.buffer(hop.body())))
                  .onComplete(
                      response -> {
                        if (response.failed()) {
                          answer.completeExceptionally(decoding(response.cause()));
                        } else {
                          read(request, response.result(), answer);
                        }
                      });
            });
    return answer;
  }

  /**
   * Reads the body up to the limit (kept only when the check needs it), then completes the answer;
   * beyond the limit the request is reset, which closes the connection.
   */
  private void read(
      HttpClientRequest request, HttpClientResponse response, CompletableFuture<Answer> answer) {
    BoundedBody bounded = new BoundedBody(maxBodyBytes, readBody);
    SSLSession session = request.connection().sslSession();
    // A body Netty cannot decode (a chunk size that is no number) is an answer that is not HTTP
    // too.
    response.exceptionHandler(error -> answer.completeExceptionally(decoding(error)));
    response.handler(
        chunk -> {
          if (answer.isDone()) {
            return;
          }
          // Counted only, unless kept: no copy of a body nobody reads.
          if (bounded.add(readBody ? chunk.getBytes() : null, 0, chunk.length())) {
            answer.complete(
                new Answer(response.statusCode(), response.headers(), bounded.body(), session));
            request.reset();
          }
        });
    response.endHandler(
        end -> {
          Answer complete =
              new Answer(response.statusCode(), response.headers(), bounded.body(), session);
          // After this event: a kept-alive connection is back in the pool for the next run.
          io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
          if (context == null) {
            answer.complete(complete);
          } else {
            context.runOnContext(v -> answer.complete(complete));
          }
        });
  }

  /**
   * An answer that is not HTTP, as Netty's decoder and Vert.x report it: an
   * IllegalArgumentException (no status line, a bad version or status), or Vert.x's "Received an
   * invalid message" and "Received an HTTP message with no request in progress" (a server that
   * speaks first, as SSH and SMTP do). The messages are only compared, never copied.
   */
  private static Throwable decoding(Throwable error) {
    boolean vertx =
        error != null
            && error.getClass() == io.vertx.core.VertxException.class
            && error.getMessage() != null
            && error.getMessage().startsWith("Received an ");
    if (error instanceof IllegalArgumentException || vertx) {
      java.net.ProtocolException notHttp = new java.net.ProtocolException("Invalid status line");
      notHttp.initCause(error);
      return notHttp;
    }
    return error;
  }

  /**
   * The host TLS verifies and sends as SNI: the spec's serverName for the URL's own host, else the
   * hop's host (an IPv6 literal without its brackets, a name without its final dot).
   */
  private String peerHost(URI hop) {
    String host = hop.getHost();
    if (serverName != null && host.equalsIgnoreCase(uri.getHost())) {
      return serverName;
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      return host.substring(1, host.length() - 1);
    }
    String name = ServerNameSslContext.sniName(host);
    return name != null ? name : host;
  }

  /** The request target: the path (/ when empty) and the query, raw. */
  static String pathAndQuery(URI uri) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }

  /** The Host header of the URL: its host, and its port unless default. */
  static String hostHeader(URI uri, boolean https) {
    int port = uri.getPort();
    boolean defaultPort = port == -1 || port == (https ? 443 : 80);
    return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
  }

  /** The hop a redirect response asks for, or null when it is the answer. */
  private Hop redirect(Hop hop, Answer answer) {
    int status = answer.status();
    if (!followRedirects
        || hop.redirects() >= MAX_REDIRECTS
        || !(status == 301 || status == 302 || status == 303 || status == 307 || status == 308)) {
      return null;
    }
    String location = answer.headers().get("Location");
    if (location == null) {
      return null;
    }
    URI next;
    try {
      next = hop.uri().resolve(new URI(location));
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

  private CheckResult evaluate(Answer answer, long start, long deadline) {
    int status = answer.status();
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
      String mismatch = expectBody == null ? null : expectBody.mismatch(answer.body(), deadline);
      result =
          mismatch == null
              ? CheckResult.success(millisSince(start), answered)
              : CheckResult.failure(
                  Reasons.BODY_MISMATCH, answered + " but " + mismatch, millisSince(start));
    }
    result = result.withData("http", data(answer));
    SSLSession session = answer.session();
    if (session != null) {
      result =
          result
              .withCertificateNotAfter(TlsFacts.earliestNotAfter(TlsFacts.peerChain(session)))
              .withData("tls", TlsFacts.of(session, Instant.now()));
    }
    return result;
  }

  /**
   * The result.http variables: status, headers (lower-case names, repeated ones joined with ", "),
   * and when the body was read: body (UTF-8 text), bodyTruncated, and json when it parses as JSON.
   */
  private Map<String, Object> data(Answer answer) {
    Map<String, String> headerValues = new LinkedHashMap<>();
    for (String name : answer.headers().names()) {
      headerValues.merge(
          name.toLowerCase(Locale.ROOT),
          String.join(", ", answer.headers().getAll(name)),
          (a, b) -> a);
    }
    ResultData data =
        ResultData.create().put("status", answer.status()).put("headers", headerValues);
    BoundedBody.Body body = answer.body();
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
    Failures.Failure f = Failures.classify(error, timeout);
    return CheckResult.failure(f.reason(), target + ": " + f.text(), millisSince(start));
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
