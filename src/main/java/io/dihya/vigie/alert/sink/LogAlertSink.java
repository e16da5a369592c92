package io.dihya.vigie.alert.sink;

import io.dihya.vigie.api.v1alpha1.LogSink;
import io.dihya.vigie.probe.check.SecretValues;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * The {@code log} sink: one line per notification in the operator's log, under the category {@value
 * #CATEGORY}. The message is the notification as the {@code json} payload of {@link
 * WebhookPayloads} on one line; the MDC fields {@code route}, {@code receiver}, {@code status},
 * {@code kind} and {@code notificationId} let a log pipeline select lines without parsing it. With
 * the operator's JSON console logging each line is one JSON object with an ISO-8601 UTC timestamp.
 *
 * <p>The MDC fields are set around the one log call and then given back their previous values, so
 * the caller's own fields (a reconciler's resource, say) survive.
 */
final class LogAlertSink implements AlertSink {

  @Override
  public String type() {
    return "log";
  }

  static final String CATEGORY = "io.dihya.vigie.audit.notification";

  private static final Logger LOG = Logger.getLogger(CATEGORY);

  private final Logger.Level level;

  private LogAlertSink(Logger.Level level) {
    this.level = level;
  }

  static AlertSink create(
      LogSink spec, SecretValues secrets, SinkHttp http, Executor executor, Clock clock) {
    return new LogAlertSink(
        spec != null && spec.level == LogSink.Level.warn ? Logger.Level.WARN : Logger.Level.INFO);
  }

  @Override
  public CompletableFuture<Delivery> send(Notification notification, Duration timeout) {
    try {
      String line = WebhookPayloads.text(WebhookPayloads.vigie(notification));
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("route", notification.route());
      fields.put("receiver", notification.receiver());
      fields.put("status", notification.status() == null ? null : notification.status().wire());
      fields.put("kind", WebhookPayloads.kind(notification.kind()));
      fields.put("notificationId", notification.id());
      Map<String, Object> previous = new LinkedHashMap<>();
      fields.forEach((key, value) -> previous.put(key, MDC.get(key)));
      try {
        fields.forEach((key, value) -> MDC.put(key, value == null ? "" : value));
        LOG.log(level, line);
      } finally {
        previous.forEach(
            (key, value) -> {
              if (value == null) {
                MDC.remove(key);
              } else {
                MDC.put(key, value);
              }
            });
      }
      return CompletableFuture.completedFuture(Delivery.ok(null));
    } catch (RuntimeException e) {
      // A log handler that throws must not break the pipeline's promise to complete normally.
      return CompletableFuture.completedFuture(Delivery.fail("the log line could not be written"));
    }
  }

  @Override
  public String toString() {
    return "LogAlertSink[level=" + level + "]";
  }
}
