package io.dihya.vigie.alert.sink;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.WebhookSink;
import io.dihya.vigie.probe.check.SecretValues;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The {@code webhook} sink: one POST of each notification, in the body format of {@link
 * WebhookPayloads} ({@code json}, {@code cloudevents} or {@code alertmanager}), with the spec's
 * headers and, when a signing key is set, the Standard Webhooks headers of {@link
 * WebhookSignature}. Everything that can be wrong with the spec (URL, headers, TLS material, key)
 * is found by {@link #create}, so {@link #send} only builds bytes and posts them.
 *
 * <p>With the route's payload template ({@code format: json} only) the body is the template's
 * output as it rendered, still {@code application/json} and signed as sent; when it fails or gives
 * no valid JSON for a notification, that notification gets the built-in json payload (and the log a
 * warning, see {@link NotificationTemplate}), so the receiver still hears of the alert.
 */
final class WebhookAlertSink implements AlertSink {

  @Override
  public String type() {
    return "webhook";
  }

  /** The headers the sink sets itself; a spec header of the same name would be ambiguous. */
  private static final Set<String> OWN_HEADERS =
      Set.of(
          "content-type",
          WebhookSignature.ID,
          WebhookSignature.TIMESTAMP,
          WebhookSignature.SIGNATURE);

  private final URI uri;
  private final HttpClient client;
  private final List<String[]> headers;
  private final WebhookSink.Format format;
  private final WebhookSignature signature;
  private final NotificationTemplate payload;
  private final Executor executor;
  private final SinkHttp http;
  private final Clock clock;

  private WebhookAlertSink(
      URI uri,
      HttpClient client,
      List<String[]> headers,
      WebhookSink.Format format,
      WebhookSignature signature,
      NotificationTemplate payload,
      Executor executor,
      SinkHttp http,
      Clock clock) {
    this.uri = uri;
    this.client = client;
    this.headers = headers;
    this.format = format;
    this.signature = signature;
    this.payload = payload;
    this.executor = executor;
    this.http = http;
    this.clock = clock;
  }

  /**
   * The sink of a {@code webhook} block.
   *
   * @throws IllegalArgumentException with a message starting with the field ("webhook.url: not a
   *     valid URL"), never echoing a value
   */
  static AlertSink create(
      WebhookSink spec, SecretValues secrets, SinkHttp http, Executor executor, Clock clock) {
    return create(spec, secrets, null, http, executor, clock);
  }

  /**
   * The sink of a {@code webhook} block whose {@code format: json} body is rendered from {@code
   * payload} (the route's {@code spec.template.payload}; null for the built-in payload). The other
   * formats have a fixed schema that their receivers parse, so a payload template with them is
   * rejected rather than silently ignored.
   *
   * @throws IllegalArgumentException as {@link #create(WebhookSink, SecretValues, SinkHttp,
   *     Executor, Clock)}, or "webhook.format: ..." for a payload template with a format other than
   *     json
   */
  static AlertSink create(
      WebhookSink spec,
      SecretValues secrets,
      NotificationTemplate payload,
      SinkHttp http,
      Executor executor,
      Clock clock) {
    WebhookSink.Format format = spec.format == null ? WebhookSink.Format.json : spec.format;
    if (payload != null && format != WebhookSink.Format.json) {
      throw new IllegalArgumentException(
          "webhook.format: " + NotificationTemplate.payloadFormatProblem(format.name()));
    }
    if ((spec.url == null) == (spec.urlSecretRef == null)) {
      throw new IllegalArgumentException("webhook: set exactly one of url and urlSecretRef");
    }
    URI uri =
        spec.url != null
            ? SinkHttp.url(spec.url, "webhook.url")
            : SinkHttp.url(secrets.get(spec.urlSecretRef), "webhook.urlSecretRef");
    List<String[]> headers = headers(spec.headers, secrets, uri);
    WebhookSignature signature =
        spec.signingKeySecretRef == null
            ? null
            : WebhookSignature.of(
                secrets.get(spec.signingKeySecretRef), "webhook.signingKeySecretRef");
    HttpClient client = http.client(spec.tls, secrets, "webhook.tls");
    return new WebhookAlertSink(
        uri, client, headers, format, signature, payload, executor, http, clock);
  }

  /** The spec's headers with their values, each checked as the HTTP client will check it. */
  private static List<String[]> headers(List<HttpHeader> spec, SecretValues secrets, URI uri) {
    List<String[]> headers = new ArrayList<>();
    if (spec == null) {
      return headers;
    }
    for (int i = 0; i < spec.size(); i++) {
      HttpHeader header = spec.get(i);
      String field = "webhook.headers[" + i + "]";
      if (header == null || header.name == null || header.name.isBlank()) {
        throw new IllegalArgumentException(field + ".name: required");
      }
      boolean fromSecret = header.valueFrom != null && header.valueFrom.secretKeyRef != null;
      if ((header.value == null) == !fromSecret) {
        throw new IllegalArgumentException(
            field + ": set exactly one of value and valueFrom.secretKeyRef");
      }
      if (OWN_HEADERS.contains(header.name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            field + ".name: " + header.name + " is set by the sink itself");
      }
      String value = fromSecret ? secrets.get(header.valueFrom.secretKeyRef) : header.value;
      try {
        HttpRequest.newBuilder(uri).header(header.name, value == null ? "" : value);
      } catch (IllegalArgumentException e) {
        // The JDK's message quotes the header; say which one without its value.
        throw new IllegalArgumentException(
            field
                + ": not a header the HTTP client can send (a reserved name such as Host, or a"
                + " value with line breaks)");
      }
      headers.add(new String[] {header.name, value == null ? "" : value});
    }
    return List.copyOf(headers);
  }

  @Override
  public CompletableFuture<Delivery> send(Notification notification, Duration timeout) {
    if (payload == null) {
      return post(notification, null, timeout);
    }
    try {
      // A user's template may loop thousands of times: rendered on the pool, not the caller.
      return CompletableFuture.supplyAsync(() -> payload.renderPayload(notification), executor)
          .thenCompose(rendered -> post(notification, rendered, timeout))
          .exceptionally(e -> Delivery.retry("the request failed unexpectedly", null));
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(Delivery.retry("the sink is shut down", null));
    }
  }

  /** Posts the rendered template's output, or the format's built-in payload when it is null. */
  private CompletableFuture<Delivery> post(
      Notification notification, String rendered, Duration timeout) {
    List<String[]> request = new ArrayList<>(headers.size() + 4);
    byte[] body;
    try {
      String contentType = "application/json";
      if (rendered != null) {
        body = rendered.getBytes(StandardCharsets.UTF_8);
      } else {
        ObjectNode built;
        switch (format) {
          case cloudevents -> {
            built = WebhookPayloads.cloudEvent(notification);
            contentType = "application/cloudevents+json";
          }
          case alertmanager -> built = WebhookPayloads.alertmanager(notification);
          default -> built = WebhookPayloads.vigie(notification);
        }
        body = WebhookPayloads.bytes(built);
      }
      request.add(new String[] {"Content-Type", contentType});
      request.addAll(headers);
      if (signature != null) {
        String id = notification.id() == null ? "" : notification.id();
        request.addAll(signature.headers(id, clock.instant().getEpochSecond(), body));
      }
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          Delivery.fail("the notification could not be encoded"));
    }
    return http.post(client, uri, request, body, timeout)
        .thenApply(SinkHttp.Response::delivery)
        .exceptionally(e -> Delivery.retry("the request failed unexpectedly", null));
  }

  @Override
  public String toString() {
    // The URL may carry a token: never shown.
    return "WebhookAlertSink[format="
        + format
        + ", signed="
        + (signature != null)
        + ", template="
        + (payload != null)
        + "]";
  }
}
