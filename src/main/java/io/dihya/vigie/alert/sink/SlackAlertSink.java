package io.dihya.vigie.alert.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dihya.vigie.api.v1alpha1.SlackSink;
import io.dihya.vigie.probe.check.SecretValues;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Posts a {@link SlackMessage} to a Slack incoming webhook whose URL (a token in its path) comes
 * from a Secret. Slack answers 200 "ok"; 429 with Retry-After and 5xx are retryable; 400, 403, 404
 * and 410 ("invalid_payload", "invalid_token", "channel_not_found", "channel_is_archived") are not.
 * The error names Slack's code only when the body is one of its documented codes: a body is never
 * copied.
 */
final class SlackAlertSink implements AlertSink {

  @Override
  public String type() {
    return "slack";
  }

  static final String FIELD = "slack";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String[]> HEADERS =
      List.<String[]>of(new String[] {"Content-Type", "application/json; charset=utf-8"});

  /** The error codes incoming webhooks answer with, as documented by Slack. */
  static final Set<String> SLACK_ERRORS =
      Set.of(
          "invalid_payload",
          "invalid_blocks",
          "invalid_blocks_format",
          "no_text",
          "missing_text_or_fallback_or_attachments",
          "too_many_attachments",
          "user_not_found",
          "channel_not_found",
          "channel_is_archived",
          "action_prohibited",
          "posting_to_general_channel_denied",
          "invalid_token",
          "no_service",
          "no_service_id",
          "no_team",
          "team_disabled",
          "rollup_error");

  private final SinkHttp http;
  private final HttpClient client;
  private final URI url;
  private final Clock clock;
  private final Executor executor;

  private SlackAlertSink(
      SinkHttp http, HttpClient client, URI url, Clock clock, Executor executor) {
    this.http = http;
    this.executor = executor;
    this.client = client;
    this.url = url;
    this.clock = clock;
  }

  static AlertSink create(
      SlackSink spec, SecretValues secrets, SinkHttp http, Executor executor, Clock clock) {
    if (spec == null || spec.urlSecretRef == null) {
      throw new IllegalArgumentException(FIELD + ".urlSecretRef: required");
    }
    URI url = SinkHttp.url(secrets.get(spec.urlSecretRef), FIELD + ".urlSecretRef");
    return new SlackAlertSink(http, http.client(null, secrets, FIELD), url, clock, executor);
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
        "message",
        SlackAlertSink::delivery);
  }

  private byte[] render(Notification notification) {
    try {
      return JSON.writeValueAsBytes(SlackMessage.render(notification, clock.instant()));
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }

  private static Delivery delivery(SinkHttp.Response response) {
    Delivery d = response.delivery();
    String code = response.body().strip();
    if (d.delivered() || !SLACK_ERRORS.contains(code)) {
      return d;
    }
    return new Delivery(false, d.retryable(), d.error() + " " + code, d.retryAfter(), null);
  }

  @Override
  public String toString() {
    return "SlackAlertSink"; // never the URL: its path is the token
  }
}
