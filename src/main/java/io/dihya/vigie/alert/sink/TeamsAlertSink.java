package io.dihya.vigie.alert.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dihya.vigie.api.v1alpha1.TeamsSink;
import io.dihya.vigie.probe.check.SecretValues;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Posts a {@link TeamsCard} to a Microsoft Teams Workflows webhook ("Post to a channel when a
 * webhook request is received"), whose URL, signature included, comes from a Secret. Workflows
 * answer 202 Accepted; 429 and 5xx are retryable, other statuses (400 for a card it refuses,
 * 401/403/404 for a deleted or disabled flow) are not. Office 365 connectors are retired and not
 * supported.
 */
final class TeamsAlertSink implements AlertSink {

  @Override
  public String type() {
    return "teams";
  }

  static final String FIELD = "teams";

  private static final List<String[]> HEADERS =
      List.<String[]>of(new String[] {"Content-Type", "application/json; charset=utf-8"});

  private final SinkHttp http;
  private final HttpClient client;
  private final URI url;
  private final Clock clock;
  private final Executor executor;

  private TeamsAlertSink(
      SinkHttp http, HttpClient client, URI url, Clock clock, Executor executor) {
    this.http = http;
    this.executor = executor;
    this.client = client;
    this.url = url;
    this.clock = clock;
  }

  static AlertSink create(
      TeamsSink spec, SecretValues secrets, SinkHttp http, Executor executor, Clock clock) {
    if (spec == null || spec.urlSecretRef == null) {
      throw new IllegalArgumentException(FIELD + ".urlSecretRef: required");
    }
    URI url = SinkHttp.url(secrets.get(spec.urlSecretRef), FIELD + ".urlSecretRef");
    return new TeamsAlertSink(http, http.client(null, secrets, FIELD), url, clock, executor);
  }

  @Override
  public CompletableFuture<Delivery> send(Notification notification, Duration timeout) {
    return http.renderAndPost(
        executor,
        client,
        url,
        HEADERS,
        () -> render(notification),
        timeout,
        "card",
        SinkHttp.Response::delivery);
  }

  private byte[] render(Notification notification) {
    try {
      return TeamsCard.render(notification, clock.instant());
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "TeamsAlertSink"; // never the URL: its query holds the signature
  }
}
