package io.dihya.vigie.alert.sink;

import static io.dihya.vigie.alert.sink.AlertText.probe;
import static io.dihya.vigie.alert.sink.AlertText.runbook;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON of one Slack incoming-webhook message: {@code text} (what notifications and clients
 * without blocks show) and Block Kit {@code blocks}: a header with the title, the notification's
 * text, one section per alert up to {@link #MAX_ALERT_SECTIONS}, an "and N more" line, and a
 * context line with the route, the sink and the time.
 *
 * <p>Slack's published limits are enforced, never left to Slack to reject: {@code text} at most
 * 40,000 characters, at most 50 blocks, section text at most 3,000 characters, header text at most
 * 150. Lengths are counted in UTF-16 units (what {@link String#length()} counts), never fewer than
 * the characters Slack counts, and a cut never splits a surrogate pair, an escape or a link.
 *
 * <p>Every text from the notification is escaped ({@code & < >}), so a probe's message cannot
 * mention {@code @channel} or forge a link; the only links are the runbook URLs that parse as
 * http(s) URLs.
 */
final class SlackMessage {

  static final int MAX_TEXT = 40_000;
  static final int MAX_BLOCKS = 50;
  static final int MAX_SECTION = 3_000;
  static final int MAX_HEADER = 150;

  /**
   * Alerts shown one section each; more get the "and N more" line. 20 keeps a message readable and
   * far below 50 blocks (header + text + 20 + more + context = 24).
   */
  static final int MAX_ALERT_SECTIONS = 20;

  /** A longer runbook URL is left out rather than crowd out the alert it belongs to. */
  static final int MAX_RUNBOOK_LINK = 1_000;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final DateTimeFormatter FALLBACK_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private SlackMessage() {}

  static ObjectNode render(Notification n, Instant now) {
    ObjectNode message = JSON.objectNode();
    message.put("text", cut(escape(fallback(n)), MAX_TEXT));
    ArrayNode blocks = message.putArray("blocks");

    ObjectNode header = blocks.addObject().put("type", "header");
    header
        .putObject("text")
        .put("type", "plain_text")
        .put("text", AlertText.cut(headerText(n), MAX_HEADER))
        .put("emoji", true);

    if (n.text() != null && !n.text().isBlank()) {
      section(blocks, cut(escape(n.text().strip()), MAX_SECTION));
    }

    List<Notification.Alert> alerts = n.alerts() == null ? List.of() : n.alerts();
    int shown = Math.min(alerts.size(), MAX_ALERT_SECTIONS);
    for (int i = 0; i < shown; i++) {
      section(blocks, cut(alertText(alerts.get(i)), MAX_SECTION));
    }
    if (alerts.size() > shown) {
      section(blocks, cut(moreText(alerts.subList(shown, alerts.size())), MAX_SECTION));
    }

    ObjectNode context = blocks.addObject().put("type", "context");
    context
        .putArray("elements")
        .addObject()
        .put("type", "mrkdwn")
        .put("text", cut(contextText(n, now), MAX_SECTION));
    // A runbook link must not unfold into a preview of the wiki page under every alert.
    message.put("unfurl_links", false);
    message.put("unfurl_media", false);
    return message;
  }

  private static void section(ArrayNode blocks, String mrkdwn) {
    ObjectNode section = blocks.addObject().put("type", "section");
    section.putObject("text").put("type", "mrkdwn").put("text", mrkdwn);
  }

  /** What a notification on a phone shows: the labelled title, then the message. */
  private static String fallback(Notification n) {
    String text = n.text() == null ? "" : n.text().strip();
    return text.isEmpty() ? headerText(n) : headerText(n) + "\n" + text;
  }

  static String headerText(Notification n) {
    String title = n.title() == null || n.title().isBlank() ? "vigie notification" : n.title();
    title = title.strip().replaceAll("\\s+", " ");
    return switch (n.kind()) {
      case TEST -> "🧪 Test notification: " + title;
      case HEARTBEAT -> "💓 Heartbeat: " + title;
      case ALERTS -> (n.status() == Notification.Status.RESOLVED ? "✅ " : "🔴 ") + title;
    };
  }

  private static String alertText(Notification.Alert a) {
    Map<String, String> labels = a.labels() == null ? Map.of() : a.labels();
    Map<String, String> notes = a.annotations() == null ? Map.of() : a.annotations();
    boolean resolved = a.status() == Notification.Status.RESOLVED;
    StringBuilder s = new StringBuilder();
    s.append(resolved ? "✅ *Resolved*" : "🔴 *Firing*");
    String severity = a.severity() != null ? a.severity() : labels.get("severity");
    if (severity != null && !severity.isBlank()) {
      s.append(" · *").append(escape(severity)).append('*');
    }
    s.append(" · `").append(escape(probe(a))).append('`');
    String summary = notes.get("summary");
    if (summary != null && !summary.isBlank()) {
      s.append('\n').append(escape(summary.strip()));
    }
    String reason = notes.get("reason");
    String message = notes.get("message");
    if (reason != null && !reason.isBlank()) {
      s.append("\n*").append(escape(reason.strip())).append('*');
      if (message != null && !message.isBlank()) {
        s.append(": ").append(escape(message.strip()));
      }
    } else if (message != null && !message.isBlank()) {
      s.append('\n').append(escape(message.strip()));
    }
    if (resolved && a.endsAt() != null) {
      s.append("\nResolved ").append(date(a.endsAt()));
      if (a.startsAt() != null && !a.endsAt().isBefore(a.startsAt())) {
        s.append(" after ").append(duration(Duration.between(a.startsAt(), a.endsAt())));
      }
    } else if (a.startsAt() != null) {
      s.append("\nFiring since ").append(date(a.startsAt()));
    }
    URI runbook = runbook(notes.get("runbook_url"));
    String link = runbook == null ? "" : "\n<" + escape(runbook.toASCIIString()) + "|Runbook>";
    if (link.length() > MAX_RUNBOOK_LINK) {
      link = "";
    }
    // The link goes last and survives a cut of the lines above it.
    return cut(s.toString(), MAX_SECTION - link.length()) + link;
  }

  private static String moreText(List<Notification.Alert> rest) {
    long firing = rest.stream().filter(a -> a.status() != Notification.Status.RESOLVED).count();
    return "…and "
        + rest.size()
        + " more "
        + (rest.size() == 1 ? "alert" : "alerts")
        + " ("
        + firing
        + " firing, "
        + (rest.size() - firing)
        + " resolved)";
  }

  private static String contextText(Notification n, Instant now) {
    Instant at = n.createdAt() != null ? n.createdAt() : now;
    String what =
        switch (n.kind()) {
          case TEST -> "Test of this channel, sent on request · ";
          case HEARTBEAT -> "The vigie alert pipeline is alive · ";
          case ALERTS -> "";
        };
    StringBuilder s = new StringBuilder(what);
    if (n.route() != null) {
      s.append("Route `").append(escape(n.route())).append('`');
    }
    if (n.receiver() != null) {
      s.append(s.length() > what.length() ? " · " : "")
          .append("sink `")
          .append(escape(n.receiver()))
          .append('`');
    }
    if (s.length() > what.length()) {
      s.append(" · ");
    }
    return s.append(date(at)).toString();
  }

  /** A Slack date token: shown in the reader's time zone, the UTC text where it cannot be. */
  private static String date(Instant at) {
    return "<!date^"
        + at.getEpochSecond()
        + "^{date_short_pretty} {time_secs}|"
        + FALLBACK_TIME.format(at)
        + ">";
  }

  static String duration(Duration d) {
    long s = d.getSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m " + (s % 60) + "s";
    }
    if (s < 86_400) {
      return (s / 3600) + "h " + (s % 3600 / 60) + "m";
    }
    return (s / 86_400) + "d " + (s % 86_400 / 3600) + "h";
  }

  /** Slack's escaping for mrkdwn and text: the three characters that start its controls. */
  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /**
   * Cuts escaped mrkdwn to {@code max} UTF-16 units ending with "…", without leaving half an escape
   * ({@code &am}) or half a link or date token ({@code <https://exa}).
   */
  static String cut(String mrkdwn, int max) {
    if (mrkdwn.length() <= max) {
      return mrkdwn;
    }
    String kept = AlertText.cut(mrkdwn, max);
    kept = kept.substring(0, kept.length() - 1);
    if (kept.lastIndexOf('<') > kept.lastIndexOf('>')) {
      kept = kept.substring(0, kept.lastIndexOf('<'));
    }
    if (kept.lastIndexOf('&') > kept.lastIndexOf(';')) {
      kept = kept.substring(0, kept.lastIndexOf('&'));
    }
    return kept + "…";
  }
}
