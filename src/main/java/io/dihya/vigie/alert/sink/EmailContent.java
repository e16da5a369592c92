package io.dihya.vigie.alert.sink;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What an e-mail says: the subject, the plain-text and the HTML bodies (the same facts in both, as
 * multipart/alternative asks), and the Message-ID. Only the notification's (already redacted) texts
 * enter it; every text in the HTML body is escaped.
 */
final class EmailContent {

  /** Longest subject kept; longer titles end with "…". */
  static final int MAX_SUBJECT = 200;

  /** Longest message text kept; a longer one ends with "…". */
  static final int MAX_TEXT = 64 * 1024;

  /** Most alerts listed; the rest are counted. */
  static final int MAX_ALERTS = 50;

  private static final String ELLIPSIS = "…";
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern LINE_BREAKS = Pattern.compile("[\\r\\n\\t\\u0085\\u2028\\u2029]+");
  private static final Pattern WEB_URL = Pattern.compile("https?://[^\\s\"'<>]+");

  private EmailContent() {}

  /** One line: the title, without line breaks, at most {@link #MAX_SUBJECT} characters. */
  static String subject(Notification notification) {
    String title = oneLine(notification.title());
    return title.isEmpty() ? "vigie notification" : cut(title, MAX_SUBJECT);
  }

  /** A header value: one line, at most {@code max} characters. */
  static String header(String value, int max) {
    return cut(oneLine(value), max);
  }

  /**
   * {@code <vigie.ID@DOMAIN>}: the notification id, stable across retries, so that a retried
   * message that did arrive is recognized as the same one. An id with characters a Message-ID
   * cannot hold is replaced by its SHA-256.
   */
  static String messageId(String notificationId, String domain) {
    String id = notificationId == null ? "" : notificationId;
    String local = SAFE_ID.matcher(id).matches() ? id : sha256(id).substring(0, 32);
    return "<vigie." + local + "@" + domain + ">";
  }

  static String plain(Notification n) {
    StringBuilder out = new StringBuilder();
    String text = text(n);
    if (!text.isEmpty()) {
      out.append(text).append("\n\n");
    }
    List<Notification.Alert> alerts = alerts(n);
    for (Notification.Alert alert : alerts) {
      out.append('[')
          .append(status(alert.status()))
          .append("] ")
          .append(alert.severity() == null ? "" : alert.severity() + " ")
          .append(summary(alert))
          .append('\n');
      String description = annotation(alert, "description");
      if (!description.isEmpty()) {
        out.append("  ").append(description.replace("\n", "\n  ")).append('\n');
      }
      out.append("  labels: ").append(labels(alert.labels())).append('\n');
      out.append("  started: ").append(time(alert.startsAt())).append('\n');
      if (alert.endsAt() != null) {
        out.append("  resolved: ").append(time(alert.endsAt())).append('\n');
      }
      String runbook = runbook(alert);
      if (runbook != null) {
        out.append("  runbook: ").append(runbook).append('\n');
      }
      out.append('\n');
    }
    int more = n.alerts() == null ? 0 : n.alerts().size() - alerts.size();
    if (more > 0) {
      out.append("… and ").append(more).append(" more alerts\n\n");
    }
    out.append("-- \n").append(footer(n)).append('\n');
    return out.toString();
  }

  static String html(Notification n) {
    StringBuilder out = new StringBuilder(1024);
    String subject = escape(subject(n));
    out.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
        .append(subject)
        .append("</title></head>\n<body style=\"font-family:sans-serif;color:#222\">\n")
        .append("<h2 style=\"color:")
        .append(color(n))
        .append("\">")
        .append(subject)
        .append("</h2>\n");
    String text = text(n);
    if (!text.isEmpty()) {
      out.append("<pre style=\"white-space:pre-wrap;font-family:inherit\">")
          .append(escape(text))
          .append("</pre>\n");
    }
    List<Notification.Alert> alerts = alerts(n);
    if (!alerts.isEmpty()) {
      out.append("<table cellpadding=\"4\" style=\"border-collapse:collapse\">\n")
          .append("<tr><th align=\"left\">Status</th><th align=\"left\">Severity</th>")
          .append("<th align=\"left\">Alert</th><th align=\"left\">Started</th>")
          .append("<th align=\"left\">Resolved</th></tr>\n");
      for (Notification.Alert alert : alerts) {
        out.append("<tr style=\"border-top:1px solid #ddd\"><td>")
            .append(status(alert.status()))
            .append("</td><td>")
            .append(escape(alert.severity() == null ? "" : alert.severity()))
            .append("</td><td><b>")
            .append(escape(summary(alert)))
            .append("</b>");
        String description = annotation(alert, "description");
        if (!description.isEmpty()) {
          out.append("<br>").append(escape(description));
        }
        out.append("<br><small>").append(escape(labels(alert.labels()))).append("</small>");
        String runbook = runbook(alert);
        if (runbook != null) {
          out.append("<br><a href=\"").append(escape(runbook)).append("\">runbook</a>");
        }
        out.append("</td><td>")
            .append(time(alert.startsAt()))
            .append("</td><td>")
            .append(alert.endsAt() == null ? "" : time(alert.endsAt()))
            .append("</td></tr>\n");
      }
      out.append("</table>\n");
    }
    int more = n.alerts() == null ? 0 : n.alerts().size() - alerts.size();
    if (more > 0) {
      out.append("<p>… and ").append(more).append(" more alerts</p>\n");
    }
    out.append("<p style=\"color:#777;font-size:small\">")
        .append(escape(footer(n)))
        .append("</p>\n</body></html>\n");
    return out.toString();
  }

  /** Escapes the five characters that matter in HTML text and attribute values. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static String text(Notification n) {
    return n.text() == null ? "" : cut(n.text().strip(), MAX_TEXT);
  }

  private static List<Notification.Alert> alerts(Notification n) {
    if (n.alerts() == null) {
      return List.of();
    }
    return n.alerts().size() <= MAX_ALERTS ? n.alerts() : n.alerts().subList(0, MAX_ALERTS);
  }

  private static String footer(Notification n) {
    String kind = n.kind() == null ? "alerts" : n.kind().name().toLowerCase(Locale.ROOT);
    return "vigie "
        + kind
        + " notification, route "
        + n.route()
        + ", receiver "
        + n.receiver()
        + ", id "
        + n.id();
  }

  private static String color(Notification n) {
    if (n.kind() != null && n.kind() != Notification.Kind.ALERTS) {
      return "#1a5fb4";
    }
    return n.status() == Notification.Status.RESOLVED ? "#26a269" : "#c01c28";
  }

  private static String status(Notification.Status status) {
    return status == Notification.Status.RESOLVED ? "RESOLVED" : "FIRING";
  }

  private static String summary(Notification.Alert alert) {
    String summary = annotation(alert, "summary");
    if (!summary.isEmpty()) {
      return oneLine(summary);
    }
    Map<String, String> labels = alert.labels() == null ? Map.of() : alert.labels();
    String namespace = labels.getOrDefault("namespace", "");
    String probe = labels.getOrDefault("probe", "");
    return namespace.isEmpty() ? probe : namespace + "/" + probe;
  }

  private static String annotation(Notification.Alert alert, String name) {
    if (alert.annotations() == null) {
      return "";
    }
    String value = alert.annotations().get(name);
    return value == null ? "" : value.strip();
  }

  /** The runbook_url annotation when it is a plain web URL, else null (no javascript: links). */
  private static String runbook(Notification.Alert alert) {
    String url = annotation(alert, "runbook_url");
    return WEB_URL.matcher(url).matches() ? url : null;
  }

  private static String labels(Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    new TreeMap<>(labels)
        .forEach(
            (name, value) -> {
              if (out.length() > 0) {
                out.append(", ");
              }
              out.append(name).append('=').append(oneLine(value));
            });
    return out.toString();
  }

  private static String time(Instant instant) {
    return instant == null ? "" : instant.toString();
  }

  private static String oneLine(String text) {
    return text == null ? "" : LINE_BREAKS.matcher(text).replaceAll(" ").strip();
  }

  private static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = max - ELLIPSIS.length();
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + ELLIPSIS;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }
}
