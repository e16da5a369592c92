package io.dihya.vigie.alert.sink;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Notifications as the pipeline hands them to a sink, for the e-mail, Alertmanager and IPFS sink
 * tests: one probe of namespace shop failing (firing), then recovered (resolved), a channel test
 * and a heartbeat.
 */
final class EmailTestNotifications {

  static final Instant STARTED = Instant.parse("2026-11-24T10:00:00Z");
  static final Instant RESOLVED = Instant.parse("2026-11-24T10:05:00Z");

  private EmailTestNotifications() {}

  static Map<String, String> labels() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("namespace", "shop");
    labels.put("probe", "orders-api");
    labels.put("severity", "critical");
    labels.put("check", "http");
    labels.put("app.kubernetes.io/name", "orders");
    return labels;
  }

  static Map<String, String> annotations() {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", "orders-api is down");
    annotations.put("description", "GET /healthz: connection refused <script>alert(1)</script>");
    annotations.put("runbook_url", "https://runbooks.example.org/orders?a=1&b=2");
    annotations.put("reason", "ConnectionRefused");
    return annotations;
  }

  static Notification.Alert alert(Notification.Status status, String fingerprint) {
    return new Notification.Alert(
        fingerprint,
        status,
        labels(),
        annotations(),
        STARTED,
        status == Notification.Status.RESOLVED ? RESOLVED : null,
        "critical");
  }

  static Notification firing(String id) {
    return notification(
        id,
        Notification.Kind.ALERTS,
        Notification.Status.FIRING,
        List.of(alert(Notification.Status.FIRING, "0a1b2c3d4e5f6789")),
        "[FIRING:1] shop/orders-api ConnectionRefused",
        "orders-api is unhealthy: connection refused & \"retrying\" <b>now</b>",
        STARTED.plusSeconds(30));
  }

  static Notification resolved(String id) {
    return notification(
        id,
        Notification.Kind.ALERTS,
        Notification.Status.RESOLVED,
        List.of(alert(Notification.Status.RESOLVED, "0a1b2c3d4e5f6789")),
        "[RESOLVED] shop/orders-api",
        "orders-api is healthy again",
        RESOLVED.plusSeconds(1));
  }

  /** One alert firing since {@code startsAt}. */
  static Notification firing(String id, Instant startsAt) {
    return notification(
        id,
        Notification.Kind.ALERTS,
        Notification.Status.FIRING,
        List.of(
            new Notification.Alert(
                "0a1b2c3d4e5f6789",
                Notification.Status.FIRING,
                labels(),
                annotations(),
                startsAt,
                null,
                "critical")),
        "[FIRING:1] shop/orders-api ConnectionRefused",
        "orders-api is unhealthy",
        startsAt.plusSeconds(1));
  }

  /** The same alert, resolved at {@code endsAt}. */
  static Notification resolved(String id, Instant startsAt, Instant endsAt) {
    return notification(
        id,
        Notification.Kind.ALERTS,
        Notification.Status.RESOLVED,
        List.of(
            new Notification.Alert(
                "0a1b2c3d4e5f6789",
                Notification.Status.RESOLVED,
                labels(),
                annotations(),
                startsAt,
                endsAt,
                "critical")),
        "[RESOLVED] shop/orders-api",
        "orders-api is healthy again",
        endsAt);
  }

  static Notification test(String id, Instant at) {
    return notification(
        id,
        Notification.Kind.TEST,
        Notification.Status.FIRING,
        List.of(),
        "[TEST] shop/oncall: test notification",
        "This is a test of the channel, requested through vigie.dihya.io/test.",
        at);
  }

  static Notification heartbeat(String id, Instant at) {
    return notification(
        id,
        Notification.Kind.HEARTBEAT,
        Notification.Status.FIRING,
        List.of(),
        "[HEARTBEAT] shop/oncall",
        "The vigie alert pipeline is alive.",
        at);
  }

  static Notification notification(
      String id,
      Notification.Kind kind,
      Notification.Status status,
      List<Notification.Alert> alerts,
      String title,
      String text,
      Instant createdAt) {
    return new Notification(
        id,
        kind,
        "shop/oncall",
        "mail",
        "{}:{namespace=\"shop\"}",
        status,
        Map.of("namespace", "shop"),
        alerts.isEmpty() ? Map.of() : Map.of("namespace", "shop", "probe", "orders-api"),
        alerts.isEmpty() ? Map.of() : Map.of("summary", "orders-api is down"),
        alerts,
        title,
        text,
        createdAt);
  }
}
