package io.dihya.vigie.alert.sink;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One notification of one group of alerts, as the alert pipeline hands it to a sink. Every text in
 * it (labels, annotations, the message) is already redacted: a sink sends it as it is and adds
 * nothing that is not in it, except the secrets it needs to deliver (URLs, keys, passwords), which
 * never enter a payload.
 *
 * @param id unique id of this notification, stable across retries (webhook-id, CloudEvents id,
 *     e-mail Message-ID)
 * @param kind a notification of alerts, a test of the channel, or a heartbeat
 * @param route namespace/name of the AlertRoute
 * @param receiver the sink's name in the route
 * @param groupKey stable key of the group (Alertmanager's groupKey)
 * @param status firing when any alert of the group fires, else resolved
 * @param groupLabels the labels the route groups by, with the group's values
 * @param commonLabels labels all alerts share
 * @param commonAnnotations annotations all alerts share
 * @param alerts the group's alerts, firing first; never empty for kind ALERTS
 * @param title one line: "[FIRING:2] shop/orders-api ConnectionRefused" (no URL, no secret)
 * @param text the message body: the route's template rendered, or a plain-text default
 * @param createdAt when the pipeline made it
 */
public record Notification(
    String id,
    Kind kind,
    String route,
    String receiver,
    String groupKey,
    Status status,
    Map<String, String> groupLabels,
    Map<String, String> commonLabels,
    Map<String, String> commonAnnotations,
    List<Alert> alerts,
    String title,
    String text,
    Instant createdAt) {

  /** The same notification with another text (the route's message template, rendered). */
  public Notification withText(String newText) {
    return new Notification(
        id,
        kind,
        route,
        receiver,
        groupKey,
        status,
        groupLabels,
        commonLabels,
        commonAnnotations,
        alerts,
        title,
        newText,
        createdAt);
  }

  /** Why the notification was sent. */
  public enum Kind {
    ALERTS,
    TEST,
    HEARTBEAT
  }

  /** Firing or resolved. */
  public enum Status {
    FIRING,
    RESOLVED;

    /** "firing" or "resolved", as Alertmanager writes it. */
    public String wire() {
      return this == FIRING ? "firing" : "resolved";
    }
  }

  /**
   * One alert: a probe's incident.
   *
   * @param fingerprint stable hex id of the alert's labels (PagerDuty dedup_key, Alertmanager
   *     fingerprint)
   * @param status firing or resolved
   * @param labels namespace, probe, severity, check, the probe's alert labels
   * @param annotations summary, description, runbook_url, reason, message
   * @param startsAt when it started firing
   * @param endsAt when it resolved; null while firing
   * @param severity critical, warning or info
   */
  public record Alert(
      String fingerprint,
      Status status,
      Map<String, String> labels,
      Map<String, String> annotations,
      Instant startsAt,
      Instant endsAt,
      String severity) {}
}
