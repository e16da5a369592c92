package io.dihya.vigie.probe.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import java.io.IOException;
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
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
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
 * <p>Connections are HTTP/1.1 and kept alive between runs by the client's pool, as a browser would:
 * a check then measures the request, not the TCP and TLS handshakes, and a target that only fails
 * new connections is seen when the pooled one is closed.
 */
final class HttpProbeCheck implements Check {

  private static final String FIELD = "spec.http";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final URI uri;
  private final String method;
  private final String target;
  private final List<String[]> headers;
  private final HttpRequest.BodyPublisher body;
  private final StatusExpectation expectStatus;
  private final BodyExpectation expectBody;
  private final boolean followRedirects;
  private final HttpResponse.BodyHandler<BoundedBodySubscriber.Body> bodyHandler;
  private final boolean keepBody;
  private final Executor callbacks;

  private HttpProbeCheck(
      HttpClient client,
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
    this.client = client;
    this.uri = uri;
    this.method = method;
    this.target = method + " " + display(uri);
    this.headers = headers;
    this.body =
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body);
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
    HttpClient client = pool.client(tls, follow, FIELD + ".tls");
    byte[] body = spec.body == null ? null : spec.body.getBytes(StandardCharsets.UTF_8);
    return new HttpProbeCheck(
        client,
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

  /** The JDK refuses some names (Host, Connection, Content-Length, Expect, Upgrade) and CR/LF. */
  private static void requireValidHeader(URI uri, String name, String value, String field) {
    HttpRequest.Builder probe = HttpRequest.newBuilder(uri);
    try {
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

  @Override
  public CompletableFuture<CheckResult> run(Duration timeout) {
    long start = System.nanoTime();
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      return CompletableFuture.completedFuture(
          CheckResult.failure(Reasons.INVALID_SPEC, "the timeout must be positive", 0));
    }
    long deadline = start + timeout.toNanos();
    CompletableFuture<HttpResponse<BoundedBodySubscriber.Body>> exchange;
    try {
      exchange = client.sendAsync(request(timeout), bodyHandler);
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
              exchange.cancel(true);
              return failure(error, timeout, start);
            },
            callbacks);
  }

  private HttpRequest request(Duration timeout) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout).method(method, body);
    for (String[] header : headers) {
      builder.header(header[0], header[1]);
    }
    return builder.build();
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
    Failures.Failure f = Failures.classify(error, timeout);
    return CheckResult.failure(f.reason(), target + ": " + f.text(), millisSince(start));
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
