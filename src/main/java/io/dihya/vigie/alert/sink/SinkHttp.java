package io.dihya.vigie.alert.sink;

import io.dihya.vigie.api.v1alpha1.ClientTls;
import io.dihya.vigie.probe.check.ClientTlsSettings;
import io.dihya.vigie.probe.check.Failures;
import io.dihya.vigie.probe.check.HttpClientPool;
import io.dihya.vigie.probe.check.SecretValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The HTTP part every HTTP sink shares: pooled JDK clients per TLS settings, one POST, and the
 * mapping of its outcome to a {@link Delivery} (2xx delivered; 408, 429 and 5xx, timeouts and
 * connection failures retryable, with Retry-After honoured; other statuses not). Response bodies
 * are read up to 64 KiB and only handed to the caller that asks (IPFS reads its CID there).
 */
public final class SinkHttp {

  /** Most bytes of a response body kept. */
  static final int MAX_RESPONSE_BYTES = 64 * 1024;

  /** The answer to one POST. */
  public record Response(int status, String body, Delivery delivery) {}

  private final HttpClientPool clients;
  private final Executor callbacks;

  public SinkHttp(Executor executor) {
    this.clients = new HttpClientPool(executor);
    this.callbacks = executor;
  }

  /**
   * The shared client for a sink's tls block; redirects are never followed (a sink posts to exactly
   * the URL it was given).
   *
   * @throws IllegalArgumentException naming {@code field} for unusable TLS material
   */
  public HttpClient client(ClientTls tls, SecretValues secrets, String field) {
    return clients.client(ClientTlsSettings.resolve(tls, secrets, field), field);
  }

  /**
   * An http(s) URL.
   *
   * @throws IllegalArgumentException naming {@code field}, never echoing the URL (it may hold a
   *     token: Slack, Teams and many webhooks put the secret in the path)
   */
  public static URI url(String url, String field) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(field + ": required");
    }
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
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

  /**
   * POSTs {@code body}. Completes normally, at the latest shortly after {@code timeout}.
   *
   * @param headers name/value pairs, e.g. Content-Type and signatures
   */
  public CompletableFuture<Response> post(
      HttpClient client, URI uri, List<String[]> headers, byte[] body, Duration timeout) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    CompletableFuture<HttpResponse<byte[]>> exchange;
    try {
      for (String[] header : headers) {
        request.header(header[0], header[1]);
      }
      exchange = client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          new Response(0, "", Delivery.fail("the request could not be built")));
    }
    return exchange
        .orTimeout(timeout.toMillis() + 250, TimeUnit.MILLISECONDS)
        .handleAsync(
            (response, error) -> {
              if (error != null) {
                exchange.cancel(true);
                Failures.Failure f = Failures.classify(error, timeout);
                return new Response(0, "", Delivery.retry(f.text(), null));
              }
              return answer(response);
            },
            callbacks);
  }

  /**
   * Renders a body on {@code executor} (rendering a large group is milliseconds of CPU, not for the
   * caller's thread), then POSTs it once and turns the answer into a Delivery with {@code answer}.
   * A body that cannot be rendered (null) fails for good: "the WHAT could not be built".
   */
  public CompletableFuture<Delivery> renderAndPost(
      Executor executor,
      HttpClient client,
      URI uri,
      List<String[]> headers,
      Supplier<byte[]> render,
      Duration timeout,
      String what,
      Function<Response, Delivery> answer) {
    try {
      return CompletableFuture.supplyAsync(render, executor)
          .thenCompose(
              body ->
                  body == null
                      ? CompletableFuture.completedFuture(
                          Delivery.fail("the " + what + " could not be built"))
                      : post(client, uri, headers, body, timeout).thenApply(answer))
          .handle(
              (delivery, error) ->
                  error != null
                      ? Delivery.retry("the " + what + " could not be sent", null)
                      : delivery);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(Delivery.retry("the sink is shut down", null));
    }
  }

  private static Response answer(HttpResponse<byte[]> response) {
    int status = response.statusCode();
    byte[] bytes = response.body() == null ? new byte[0] : response.body();
    String body =
        new String(bytes, 0, Math.min(bytes.length, MAX_RESPONSE_BYTES), StandardCharsets.UTF_8);
    Delivery delivery;
    if (status >= 200 && status < 300) {
      delivery = Delivery.ok(null);
    } else if (status == 408 || status == 429 || status >= 500) {
      delivery =
          Delivery.retry(
              "HTTP " + status, retryAfter(response.headers().firstValue("Retry-After")));
    } else {
      delivery = Delivery.fail("HTTP " + status);
    }
    return new Response(status, body, delivery);
  }

  /** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(Optional<String> header) {
    if (header.isEmpty()) {
      return null;
    }
    String value = header.get().strip();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration wait = Duration.between(Instant.now(), at);
        return wait.isNegative() ? Duration.ZERO : wait;
      } catch (DateTimeParseException e) {
        return null;
      }
    }
  }
}
