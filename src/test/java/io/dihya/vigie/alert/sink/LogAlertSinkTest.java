package io.dihya.vigie.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dihya.vigie.api.v1alpha1.LogSink;
import io.dihya.vigie.api.v1alpha1.Sink;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logging.MDC;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The log sink, its lines captured by a handler on the audit category. */
class LogAlertSinkTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TIMEOUT = Duration.ofSeconds(1);

  /** A log line as a handler saw it: level, message and the MDC of that moment. */
  record Line(Level level, String message, Map<String, String> mdc) {}

  final List<Line> lines = new CopyOnWriteArrayList<>();
  final Logger category = Logger.getLogger(LogAlertSink.CATEGORY);
  final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          Map<String, String> mdc = new HashMap<>();
          if (record instanceof ExtLogRecord ext) {
            ext.getMdcCopy().forEach((k, v) -> mdc.put(k, String.valueOf(v)));
            lines.add(new Line(record.getLevel(), ext.getFormattedMessage(), mdc));
          } else {
            MDC.getMap().forEach((k, v) -> mdc.put(k, String.valueOf(v)));
            lines.add(new Line(record.getLevel(), record.getMessage(), mdc));
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void attach() {
    capture.setLevel(Level.ALL);
    category.addHandler(capture);
  }

  @AfterEach
  void detach() {
    category.removeHandler(capture);
    MDC.clear();
  }

  @Test
  void writesOneJsonLineWithTheWholeNotification() throws Exception {
    AlertSink sink = LogAlertSink.create(new LogSink(), null, null, null, null);
    assertThat(sink.type()).isEqualTo("log"); // the sink_type label of its metrics
    Notification firing = WebhookTestNotifications.firing();

    CompletableFuture<Delivery> sent = sink.send(firing, TIMEOUT);

    assertThat(sent).isCompletedWithValue(Delivery.ok(null));
    assertThat(lines).hasSize(1);
    Line line = lines.get(0);
    assertThat(line.level().intValue()).isEqualTo(Level.INFO.intValue());
    assertThat(line.message()).doesNotContain("\n");
    JsonNode logged = JSON.readTree(line.message());
    assertThat(logged).isEqualTo(WebhookPayloads.vigie(firing));
    assertThat(logged.get("id").asText()).isEqualTo("n-0001");
    assertThat(logged.get("title").asText())
        .isEqualTo("[FIRING:1] shop/orders-api ConnectionRefused");
    assertThat(logged.at("/alerts/0/annotations/reason").asText()).isEqualTo("ConnectionRefused");
    assertThat(line.mdc())
        .containsEntry("route", "shop/oncall")
        .containsEntry("receiver", "hook")
        .containsEntry("status", "firing")
        .containsEntry("kind", "alerts")
        .containsEntry("notificationId", "n-0001");
  }

  @Test
  void warnLevelAndEveryKind() throws Exception {
    LogSink spec = new LogSink();
    spec.level = LogSink.Level.warn;
    AlertSink sink = LogAlertSink.create(spec, null, null, null, null);

    sink.send(WebhookTestNotifications.resolved(), TIMEOUT);
    sink.send(WebhookTestNotifications.test(), TIMEOUT);
    sink.send(WebhookTestNotifications.heartbeat(), TIMEOUT);

    assertThat(lines).extracting(l -> l.level().intValue()).containsOnly(Level.WARNING.intValue());
    assertThat(lines)
        .extracting(l -> l.mdc().get("kind"))
        .containsExactly("alerts", "test", "heartbeat");
    assertThat(lines)
        .extracting(l -> l.mdc().get("status"))
        .containsExactly("resolved", "firing", "");
    assertThat(JSON.readTree(lines.get(2).message()).get("kind").asText()).isEqualTo("heartbeat");
    assertThat(sink.toString()).isEqualTo("LogAlertSink[level=WARN]");
  }

  @Test
  void theCallersMdcSurvives() {
    MDC.put("route", "outer/route");
    MDC.put("resource", "shop/probe");
    AlertSink sink = LogAlertSink.create(new LogSink(), null, null, null, null);

    sink.send(WebhookTestNotifications.firing(), TIMEOUT);

    assertThat(lines.get(0).mdc()).containsEntry("route", "shop/oncall");
    assertThat(MDC.get("route")).isEqualTo("outer/route");
    assertThat(MDC.get("resource")).isEqualTo("shop/probe");
    assertThat(MDC.get("notificationId")).isNull();
    assertThat(MDC.get("kind")).isNull();
  }

  @Test
  void anUnencodableNotificationFailsWithoutThrowing() {
    Map<String, String> nullKey = new HashMap<>();
    nullKey.put(null, "x");
    Notification broken =
        new Notification(
            "x",
            Notification.Kind.ALERTS,
            "a/b",
            "r",
            "g",
            Notification.Status.FIRING,
            nullKey,
            null,
            null,
            List.of(),
            "t",
            "t",
            null);

    Delivery d = LogAlertSink.create(null, null, null, null, null).send(broken, TIMEOUT).join();

    assertThat(d).isEqualTo(Delivery.fail("the log line could not be written"));
    assertThat(lines).isEmpty();
  }

  @Test
  void theFactoryBuildsTheLogSink() {
    Sink sink = new Sink();
    sink.name = "audit";
    sink.log = new LogSink();
    try (SinkFactory factory = new SinkFactory(Clock.systemUTC())) {
      Delivery d =
          factory
              .create(sink, ref -> null, "spec.sinks[0]")
              .send(WebhookTestNotifications.test(), TIMEOUT)
              .join();
      assertThat(d.delivered()).isTrue();
    }
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0).mdc()).containsEntry("notificationId", "n-test-1");
  }
}
