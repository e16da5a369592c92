package io.dihya.vigie.alert.sink;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link Notification} as the data of a {@link NotificationTemplate}: only maps, lists, strings
 * and nulls, so a template reaches nothing but these values (the engine has no reflection
 * resolver). The keys are listed in {@link NotificationTemplate}; label and annotation maps are
 * sorted by name, so a loop over them is stable.
 */
final class TemplateData {

  private TemplateData() {}

  static Map<String, Object> of(Notification n) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("id", n.id());
    root.put("kind", WebhookPayloads.kind(n.kind()));
    root.put("status", n.status() == null ? null : n.status().wire());
    root.put("route", n.route());
    root.put("receiver", n.receiver());
    root.put("groupKey", n.groupKey());
    root.put("groupLabels", sorted(n.groupLabels()));
    root.put("commonLabels", sorted(n.commonLabels()));
    root.put("commonAnnotations", sorted(n.commonAnnotations()));
    root.put("title", n.title());
    root.put("text", n.text());
    root.put("createdAt", time(n.createdAt()));
    List<Object> alerts = new ArrayList<>();
    List<Object> firing = new ArrayList<>();
    List<Object> resolved = new ArrayList<>();
    for (Notification.Alert a : n.alerts() == null ? List.<Notification.Alert>of() : n.alerts()) {
      if (a == null) {
        continue;
      }
      Map<String, Object> alert = alert(a);
      alerts.add(alert);
      (a.status() == Notification.Status.RESOLVED ? resolved : firing).add(alert);
    }
    root.put("alerts", Collections.unmodifiableList(alerts));
    root.put("firing", Collections.unmodifiableList(firing));
    root.put("resolved", Collections.unmodifiableList(resolved));
    return Collections.unmodifiableMap(root);
  }

  private static Map<String, Object> alert(Notification.Alert a) {
    Map<String, Object> alert = new LinkedHashMap<>();
    alert.put("fingerprint", a.fingerprint());
    alert.put("status", a.status() == null ? null : a.status().wire());
    alert.put("labels", sorted(a.labels()));
    alert.put("annotations", sorted(a.annotations()));
    alert.put("startsAt", time(a.startsAt()));
    alert.put("endsAt", time(a.endsAt()));
    alert.put("severity", a.severity());
    return Collections.unmodifiableMap(alert);
  }

  /** A sorted copy; null keys (never sent by the pipeline) are left out rather than failing. */
  private static Map<String, String> sorted(Map<String, String> values) {
    Map<String, String> copy = new TreeMap<>();
    if (values != null) {
      values.forEach(
          (key, value) -> {
            if (key != null) {
              copy.put(key, value);
            }
          });
    }
    return Collections.unmodifiableMap(copy);
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
