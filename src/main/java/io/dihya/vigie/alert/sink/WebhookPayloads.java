package io.dihya.vigie.alert.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dihya.vigie.api.v1alpha1.HealthProbe;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON bodies of the {@code webhook} sink, one per {@code format}; the {@code log} sink writes
 * the first. Keys keep the order below and label and annotation maps are sorted by name, so the
 * same notification always gives the same bytes (a signature or a test can rely on it). Times are
 * ISO-8601 UTC (RFC 3339), e.g. {@code "2026-11-24T12:00:00Z"}.
 *
 * <h2>{@code json}: vigie's own payload, version "1"</h2>
 *
 * <pre>{@code
 * {
 *   "version": "1",
 *   "id": "<notification id, stable across retries>",
 *   "kind": "alerts" | "test" | "heartbeat",
 *   "route": "<namespace>/<AlertRoute name>",
 *   "receiver": "<sink name>",
 *   "status": "firing" | "resolved",
 *   "groupKey": "<stable key of the group>",
 *   "groupLabels": {...}, "commonLabels": {...}, "commonAnnotations": {...},
 *   "title": "[FIRING:1] shop/orders-api ConnectionRefused",
 *   "text": "<message body>",
 *   "alerts": [
 *     {"fingerprint": "...", "status": "firing" | "resolved", "labels": {...},
 *      "annotations": {...}, "startsAt": "...", "endsAt": null while firing, "severity": "..."}
 *   ],
 *   "createdAt": "..."
 * }
 * }</pre>
 *
 * Every key is always present: an absent text is {@code null}, an absent map {@code {}}.
 *
 * <h2>{@code cloudevents}: CloudEvents 1.0, structured mode</h2>
 *
 * {@code specversion "1.0"}, {@code id} (the notification id), {@code source}
 * ("/apis/vigie.dihya.io/v1alpha1/namespaces/NS/alertroutes/NAME"), {@code type}
 * ("io.dihya.vigie.alert.firing", "...resolved", "...test" or "...heartbeat"), {@code subject} (the
 * groupKey, left out when empty, as the specification wants), {@code time} (createdAt), {@code
 * datacontenttype "application/json"} and {@code data}: the {@code json} payload above.
 *
 * <h2>{@code alertmanager}: the Alertmanager webhook payload, version "4"</h2>
 *
 * {@code version, groupKey, truncatedAlerts (always 0: nothing is cut), status, receiver,
 * groupLabels, commonLabels, commonAnnotations, externalURL, alerts[]} of {@code status, labels,
 * annotations, startsAt, endsAt, generatorURL, fingerprint}. As Alertmanager does, a firing alert's
 * {@code endsAt} is "0001-01-01T00:00:00Z". vigie has no user interface to link to: {@code
 * externalURL} and {@code generatorURL} are empty strings, so receivers that read them still find
 * strings.
 */
final class WebhookPayloads {

  /** The version of the {@code json} payload; bumped only on incompatible changes. */
  static final String VERSION = "1";

  /** Alertmanager's endsAt of an alert that has not ended (Go's zero time). */
  static final String NOT_ENDED = "0001-01-01T00:00:00Z";

  static final String TYPE_PREFIX = "io.dihya.vigie.alert.";

  private static final ObjectMapper JSON = new ObjectMapper();

  private WebhookPayloads() {}

  /** The {@code json} payload. */
  static ObjectNode vigie(Notification n) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    root.put("id", n.id());
    root.put("kind", kind(n.kind()));
    root.put("route", n.route());
    root.put("receiver", n.receiver());
    root.put("status", n.status() == null ? null : n.status().wire());
    root.put("groupKey", n.groupKey());
    root.set("groupLabels", map(n.groupLabels()));
    root.set("commonLabels", map(n.commonLabels()));
    root.set("commonAnnotations", map(n.commonAnnotations()));
    root.put("title", n.title());
    root.put("text", n.text());
    ArrayNode alerts = root.putArray("alerts");
    for (Notification.Alert a : alerts(n)) {
      ObjectNode alert = alerts.addObject();
      alert.put("fingerprint", a.fingerprint());
      alert.put("status", a.status() == null ? null : a.status().wire());
      alert.set("labels", map(a.labels()));
      alert.set("annotations", map(a.annotations()));
      alert.put("startsAt", time(a.startsAt()));
      alert.put("endsAt", time(a.endsAt()));
      alert.put("severity", a.severity());
    }
    root.put("createdAt", time(n.createdAt()));
    return root;
  }

  /** The {@code cloudevents} payload: a structured-mode CloudEvent carrying the json payload. */
  static ObjectNode cloudEvent(Notification n) {
    ObjectNode event = JSON.createObjectNode();
    event.put("specversion", "1.0");
    event.put("id", n.id());
    event.put("source", source(n.route()));
    event.put("type", TYPE_PREFIX + eventType(n));
    if (n.groupKey() != null && !n.groupKey().isEmpty()) {
      event.put("subject", n.groupKey());
    }
    if (n.createdAt() != null) {
      event.put("time", time(n.createdAt()));
    }
    event.put("datacontenttype", "application/json");
    event.set("data", vigie(n));
    return event;
  }

  /** The {@code alertmanager} payload (webhook version 4). */
  static ObjectNode alertmanager(Notification n) {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "4");
    root.put("groupKey", n.groupKey() == null ? "" : n.groupKey());
    root.put("truncatedAlerts", 0);
    root.put("status", status(n));
    root.put("receiver", n.receiver() == null ? "" : n.receiver());
    root.set("groupLabels", map(n.groupLabels()));
    root.set("commonLabels", map(n.commonLabels()));
    root.set("commonAnnotations", map(n.commonAnnotations()));
    root.put("externalURL", "");
    ArrayNode alerts = root.putArray("alerts");
    for (Notification.Alert a : alerts(n)) {
      ObjectNode alert = alerts.addObject();
      alert.put("status", a.status() == null ? status(n) : a.status().wire());
      alert.set("labels", map(a.labels()));
      alert.set("annotations", map(a.annotations()));
      alert.put("startsAt", a.startsAt() == null ? NOT_ENDED : time(a.startsAt()));
      alert.put("endsAt", a.endsAt() == null ? NOT_ENDED : time(a.endsAt()));
      alert.put("generatorURL", "");
      alert.put("fingerprint", a.fingerprint() == null ? "" : a.fingerprint());
    }
    return root;
  }

  /** The UTF-8 bytes of a payload. */
  static byte[] bytes(ObjectNode payload) {
    try {
      return JSON.writeValueAsBytes(payload);
    } catch (JsonProcessingException e) {
      // A tree of strings and numbers always serializes.
      throw new IllegalStateException("a payload could not be serialized", e);
    }
  }

  /** The payload on one line. */
  static String text(ObjectNode payload) {
    return payload.toString();
  }

  /** "alerts", "test" or "heartbeat". */
  static String kind(Notification.Kind kind) {
    return kind == null ? null : kind.name().toLowerCase(Locale.ROOT);
  }

  /** The last part of the CloudEvents type: firing, resolved, test or heartbeat. */
  static String eventType(Notification n) {
    if (n.kind() == Notification.Kind.TEST) {
      return "test";
    }
    if (n.kind() == Notification.Kind.HEARTBEAT) {
      return "heartbeat";
    }
    return status(n);
  }

  /** The CloudEvents source: the AlertRoute's API path. */
  static String source(String route) {
    String prefix = "/apis/" + HealthProbe.GROUP + "/" + HealthProbe.VERSION;
    if (route == null || route.isEmpty()) {
      return prefix + "/alertroutes";
    }
    int slash = route.indexOf('/');
    if (slash < 0) {
      return prefix + "/alertroutes/" + route;
    }
    return prefix
        + "/namespaces/"
        + route.substring(0, slash)
        + "/alertroutes/"
        + route.substring(slash + 1);
  }

  /** The notification's status; "firing" when it has none (a heartbeat may not). */
  private static String status(Notification n) {
    return n.status() == null ? Notification.Status.FIRING.wire() : n.status().wire();
  }

  private static List<Notification.Alert> alerts(Notification n) {
    return n.alerts() == null ? List.of() : n.alerts();
  }

  private static ObjectNode map(Map<String, String> values) {
    ObjectNode node = JSON.createObjectNode();
    if (values != null) {
      new TreeMap<>(values).forEach(node::put);
    }
    return node;
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
