package io.dihya.vigie.alert.sink;

import static io.dihya.vigie.alert.sink.AlertText.cut;
import static io.dihya.vigie.alert.sink.AlertText.probe;
import static io.dihya.vigie.alert.sink.AlertText.runbook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The PagerDuty Events API v2 requests of one notification, in the order they must be sent.
 *
 * <ul>
 *   <li>ALERTS: one event per alert: {@code trigger} for a firing alert (with a payload), {@code
 *       resolve} for a resolved one (routing_key, event_action and dedup_key only: PagerDuty
 *       ignores a resolve's payload). The dedup_key is the alert's fingerprint, so a repeat of a
 *       trigger adds to the open incident and the resolve closes it.
 *   <li>TEST: a {@code trigger} of severity info with the dedicated dedup_key {@code
 *       vigie-test-<route>}, then its {@code resolve}: the whole path (routing key, service,
 *       escalation) is proven and no incident stays open. Services that set urgency by severity
 *       make it low urgency.
 *   <li>HEARTBEAT: a change event ({@code /v2/change/enqueue} next to the configured endpoint):
 *       recorded on the service's timeline, never an incident, never a page. A pager is no
 *       dead-man's switch; the route's heartbeat.sinks can leave PagerDuty out.
 * </ul>
 *
 * Limits (summary 1,024 characters, dedup_key 255, body 512 KB) are enforced here.
 */
final class PagerDutyEvents {

  static final int MAX_SUMMARY = 1_024;
  static final int MAX_DEDUP_KEY = 255;
  static final int MAX_BODY_BYTES = 512_000;
  static final int MAX_DETAIL = 1_024;
  static final int MAX_DETAILS = 100;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /**
   * One request. Its body holds the routing key: never logged, and {@link #toString()} shows only
   * the action and the dedup_key.
   */
  record Event(URI target, String action, String dedupKey, byte[] body) {
    @Override
    public String toString() {
      return "Event[" + action + " " + dedupKey + "]";
    }
  }

  private PagerDutyEvents() {}

  static List<Event> of(Notification n, String routingKey, URI enqueue, URI change, Instant now)
      throws JsonProcessingException {
    List<Event> events = new ArrayList<>();
    switch (n.kind()) {
      case ALERTS -> {
        List<Notification.Alert> alerts = n.alerts() == null ? List.of() : n.alerts();
        for (Notification.Alert a : alerts) {
          String key = dedupKey(a);
          if (a.status() == Notification.Status.RESOLVED) {
            events.add(event(enqueue, "resolve", key, resolve(routingKey, key)));
          } else {
            events.add(event(enqueue, "trigger", key, trigger(n, a, routingKey, key, now)));
          }
        }
      }
      case TEST -> {
        String key = testKey(n.route());
        events.add(event(enqueue, "trigger", key, test(n, routingKey, key, now)));
        events.add(event(enqueue, "resolve", key, resolve(routingKey, key)));
      }
      case HEARTBEAT -> events.add(event(change, "change", null, heartbeat(n, routingKey, now)));
    }
    return events;
  }

  private static Event event(URI target, String action, String key, ObjectNode json)
      throws JsonProcessingException {
    return new Event(target, action, key, MAPPER.writeValueAsBytes(json));
  }

  private static ObjectNode resolve(String routingKey, String key) {
    return JSON.objectNode()
        .put("routing_key", routingKey)
        .put("event_action", "resolve")
        .put("dedup_key", key);
  }

  private static ObjectNode trigger(
      Notification n, Notification.Alert a, String routingKey, String key, Instant now)
      throws JsonProcessingException {
    Map<String, String> labels = a.labels() == null ? Map.of() : a.labels();
    Map<String, String> notes = a.annotations() == null ? Map.of() : a.annotations();
    ObjectNode event =
        JSON.objectNode()
            .put("routing_key", routingKey)
            .put("event_action", "trigger")
            .put("dedup_key", key)
            .put("client", "vigie");
    ObjectNode payload = event.putObject("payload");
    payload.put("summary", summary(n, a));
    payload.put("source", source(a, n));
    payload.put("severity", severity(a.severity() != null ? a.severity() : labels.get("severity")));
    payload.put("timestamp", (a.startsAt() != null ? a.startsAt() : now).toString());
    putIfPresent(payload, "component", labels.get("probe"));
    putIfPresent(payload, "group", labels.get("namespace"));
    putIfPresent(payload, "class", labels.get("check"));
    ObjectNode details = payload.putObject("custom_details");
    details.set("labels", map(labels));
    details.set("annotations", map(notes));
    putIfPresent(details, "route", n.route());
    URI runbook = runbook(notes.get("runbook_url"));
    if (runbook != null) {
      event
          .putArray("links")
          .addObject()
          .put("href", runbook.toASCIIString())
          .put("text", "Runbook");
    }
    if (MAPPER.writeValueAsBytes(event).length > MAX_BODY_BYTES) {
      // Only absurd annotations get here: keep the labels, say what was dropped.
      details.remove("annotations");
      details.put("truncated", "annotations left out: over PagerDuty's 512 KB event limit");
      if (MAPPER.writeValueAsBytes(event).length > MAX_BODY_BYTES) {
        details.remove("labels");
      }
    }
    return event;
  }

  private static ObjectNode test(Notification n, String routingKey, String key, Instant now) {
    ObjectNode event =
        JSON.objectNode()
            .put("routing_key", routingKey)
            .put("event_action", "trigger")
            .put("dedup_key", key)
            .put("client", "vigie");
    ObjectNode payload = event.putObject("payload");
    String title = n.title() == null || n.title().isBlank() ? "" : ": " + oneLine(n.title());
    payload.put(
        "summary",
        cut(
            "[TEST] vigie test notification of route "
                + n.route()
                + title
                + " (resolved right after)",
            MAX_SUMMARY));
    payload.put("source", "vigie");
    payload.put("severity", "info");
    payload.put("timestamp", (n.createdAt() != null ? n.createdAt() : now).toString());
    payload.put("component", "vigie");
    putIfPresent(payload, "group", namespace(n.route()));
    payload.put("class", "test");
    ObjectNode details = payload.putObject("custom_details");
    putIfPresent(details, "route", n.route());
    putIfPresent(details, "sink", n.receiver());
    putIfPresent(details, "notification", n.id());
    putIfPresent(details, "text", n.text() == null ? null : cut(n.text(), MAX_DETAIL));
    return event;
  }

  private static ObjectNode heartbeat(Notification n, String routingKey, Instant now) {
    ObjectNode event = JSON.objectNode().put("routing_key", routingKey);
    ObjectNode payload = event.putObject("payload");
    payload.put(
        "summary", cut("[HEARTBEAT] vigie alert pipeline alive: route " + n.route(), MAX_SUMMARY));
    payload.put("timestamp", (n.createdAt() != null ? n.createdAt() : now).toString());
    payload.put("source", "vigie");
    ObjectNode details = payload.putObject("custom_details");
    putIfPresent(details, "route", n.route());
    putIfPresent(details, "sink", n.receiver());
    putIfPresent(details, "notification", n.id());
    return event;
  }

  /**
   * The incident's title. A notification of one alert (the usual case: routes group by namespace
   * and probe) uses the notification's text, where the route's message template lands; several
   * alerts each get their own: "shop/orders-api: ConnectionRefused: connection refused".
   */
  static String summary(Notification n, Notification.Alert a) {
    String text = n.text() == null ? "" : oneLine(n.text());
    if (n.alerts().size() == 1 && !text.isEmpty()) {
      return cut(text, MAX_SUMMARY);
    }
    Map<String, String> notes = a.annotations() == null ? Map.of() : a.annotations();
    StringBuilder s = new StringBuilder(probe(a)).append(": ");
    String summary = notes.get("summary");
    String reason = notes.get("reason");
    String message = notes.get("message");
    if (summary != null && !summary.isBlank()) {
      s.append(summary);
    } else if (reason != null && !reason.isBlank()) {
      s.append(reason);
      if (message != null && !message.isBlank()) {
        s.append(": ").append(message);
      }
    } else if (message != null && !message.isBlank()) {
      s.append(message);
    } else {
      s.append("unhealthy");
    }
    return cut(oneLine(s.toString()), MAX_SUMMARY);
  }

  /** namespace/probe; the route when the labels say neither (PagerDuty requires a source). */
  private static String source(Notification.Alert a, Notification n) {
    Map<String, String> labels = a.labels() == null ? Map.of() : a.labels();
    if (labels.get("probe") != null && !labels.get("probe").isBlank()) {
      return cut(probe(a), MAX_DETAIL);
    }
    return n.route() != null ? n.route() : "vigie";
  }

  /** vigie's severities are PagerDuty's; anything else (never expected) is "error". */
  static String severity(String severity) {
    String s = severity == null ? "" : severity.strip().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "critical", "warning", "info" -> s;
      default -> "error";
    };
  }

  /**
   * The alert's fingerprint; a SHA-256 of it (or of its labels when it has none) when it would not
   * fit PagerDuty's 255 characters, so the trigger and its resolve still share one key.
   */
  static String dedupKey(Notification.Alert a) {
    String fingerprint = a.fingerprint();
    if (fingerprint == null || fingerprint.isBlank()) {
      Map<String, String> labels = a.labels() == null ? Map.of() : a.labels();
      StringBuilder canonical = new StringBuilder();
      new TreeMap<>(labels)
          .forEach(
              (k, v) ->
                  canonical
                      .append(k.length())
                      .append(':')
                      .append(k)
                      .append('=')
                      .append(v)
                      .append('\n'));
      return sha256(canonical.toString());
    }
    return fingerprint.length() <= MAX_DEDUP_KEY ? fingerprint : sha256(fingerprint);
  }

  static String testKey(String route) {
    String key = "vigie-test-" + route;
    return key.length() <= MAX_DEDUP_KEY ? key : "vigie-test-" + sha256(route);
  }

  private static String namespace(String route) {
    if (route == null || route.indexOf('/') <= 0) {
      return null;
    }
    return route.substring(0, route.indexOf('/'));
  }

  private static ObjectNode map(Map<String, String> values) {
    ObjectNode node = JSON.objectNode();
    new TreeMap<>(values)
        .entrySet().stream()
            .limit(MAX_DETAILS)
            .forEach(
                e ->
                    node.put(
                        cut(e.getKey(), MAX_DETAIL),
                        e.getValue() == null ? null : cut(e.getValue(), MAX_DETAIL)));
    return node;
  }

  private static void putIfPresent(ObjectNode node, String name, String value) {
    if (value != null && !value.isBlank()) {
      node.put(name, value);
    }
  }

  private static String oneLine(String s) {
    return s.strip().replaceAll("\\s+", " ");
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }
}
