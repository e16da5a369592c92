package io.dihya.vigie.alert.sink;

import io.dihya.vigie.alert.sink.Notification.Alert;
import io.dihya.vigie.alert.sink.Notification.Kind;
import io.dihya.vigie.alert.sink.Notification.Status;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Notifications for the webhook and log sink tests: fixed ids and times, so bodies are exact. */
final class WebhookTestNotifications {

  static final Instant STARTED = Instant.parse("2026-11-24T12:00:00Z");
  static final Instant ENDED = Instant.parse("2026-11-24T12:05:30.250Z");
  static final Instant CREATED = Instant.parse("2026-11-24T12:00:30Z");

  private WebhookTestNotifications() {}

  static Alert firingAlert() {
    return new Alert(
        "a1b2c3d4e5f60718",
        Status.FIRING,
        Map.of(
            "namespace", "shop",
            "probe", "orders-api",
            "severity", "critical",
            "check", "http"),
        Map.of(
            "summary", "orders-api is unhealthy",
            "reason", "ConnectionRefused",
            "message", "connection refused"),
        STARTED,
        null,
        "critical");
  }

  static Alert resolvedAlert() {
    return new Alert(
        "a1b2c3d4e5f60718",
        Status.RESOLVED,
        firingAlert().labels(),
        Map.of("summary", "orders-api is unhealthy"),
        STARTED,
        ENDED,
        "critical");
  }

  static Notification firing() {
    return new Notification(
        "n-0001",
        Kind.ALERTS,
        "shop/oncall",
        "hook",
        "shop/oncall:{probe=orders-api}",
        Status.FIRING,
        Map.of("probe", "orders-api"),
        Map.of("namespace", "shop", "probe", "orders-api", "severity", "critical", "check", "http"),
        Map.of("summary", "orders-api is unhealthy"),
        List.of(firingAlert()),
        "[FIRING:1] shop/orders-api ConnectionRefused",
        "orders-api: connection refused",
        CREATED);
  }

  static Notification resolved() {
    return new Notification(
        "n-0002",
        Kind.ALERTS,
        "shop/oncall",
        "hook",
        "shop/oncall:{probe=orders-api}",
        Status.RESOLVED,
        Map.of("probe", "orders-api"),
        Map.of("namespace", "shop", "probe", "orders-api", "severity", "critical", "check", "http"),
        Map.of("summary", "orders-api is unhealthy"),
        List.of(resolvedAlert()),
        "[RESOLVED] shop/orders-api",
        "orders-api recovered",
        CREATED);
  }

  static Notification test() {
    return new Notification(
        "n-test-1",
        Kind.TEST,
        "shop/oncall",
        "hook",
        "shop/oncall:test",
        Status.FIRING,
        Map.of(),
        Map.of("alertname", "VigieTest"),
        Map.of(),
        List.of(),
        "[TEST] shop/oncall",
        "a test notification",
        CREATED);
  }

  static Notification heartbeat() {
    return new Notification(
        "n-hb-1",
        Kind.HEARTBEAT,
        "shop/oncall",
        "hook",
        null,
        null,
        null,
        null,
        null,
        null,
        "[HEARTBEAT] shop/oncall",
        null,
        CREATED);
  }
}
