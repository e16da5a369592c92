package io.dihya.vigie.alert.sink;

import static io.dihya.vigie.alert.sink.AlertText.cut;
import static io.dihya.vigie.alert.sink.AlertText.probe;
import static io.dihya.vigie.alert.sink.AlertText.runbook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The body of one Teams Workflows post: a message with one Adaptive Card 1.4 attachment (1.5 and
 * 1.6 were reported rejected by Teams). The card holds a title in the status's color (attention
 * when firing, good when resolved, accent for a test), the notification's text, one container per
 * alert with a FactSet (probe, severity, status, summary, reason, message, started, ended), an "and
 * N more" line, a footer with the route, the sink and the time, and an Action.OpenUrl per distinct
 * http(s) runbook URL.
 *
 * <p>Teams refuses messages over 28 KB: the whole body is kept to {@link #MAX_BYTES} by showing
 * fewer alerts (each field already cut to {@link #MAX_FACT}), then a text cut to {@link
 * #SHORT_TEXT} instead of {@link #MAX_TEXT}, never by letting Teams reject it.
 */
final class TeamsCard {

  /** 27 KiB: under Teams' 28 KB whether it counts 1,000 or 1,024 bytes a KB. */
  static final int MAX_BYTES = 27 * 1024;

  /** Alerts tried; fewer are shown when they do not fit {@link #MAX_BYTES}. */
  static final int MAX_ALERTS = 50;

  /** Teams shows at most 6 actions; 5 leaves the card readable. */
  static final int MAX_ACTIONS = 5;

  static final int MAX_TITLE = 200;
  static final int MAX_TEXT = 4_000;
  static final int SHORT_TEXT = 500;
  static final int MAX_FACT = 1_000;
  static final int MAX_URL = 2_000;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private TeamsCard() {}

  /** The bytes to post, at most {@link #MAX_BYTES}. */
  static byte[] render(Notification n, Instant now) throws JsonProcessingException {
    List<Notification.Alert> alerts = n.alerts() == null ? List.of() : n.alerts();
    byte[] body = null;
    int most = Math.min(alerts.size(), MAX_ALERTS);
    // At least one alert beats a long text: the long text is tried down to one alert only.
    for (int textMax : new int[] {MAX_TEXT, SHORT_TEXT}) {
      int least = textMax == MAX_TEXT ? Math.min(1, most) : 0;
      for (int shown = most; shown >= least; shown--) {
        body = MAPPER.writeValueAsBytes(message(n, alerts, shown, textMax, now));
        if (body.length <= MAX_BYTES) {
          return body;
        }
      }
    }
    // The last try (no alert, short text) fits by construction: title, text and footer are cut
    // to about 1,100 characters, under 7 KB even if each took six bytes of JSON escape.
    return body;
  }

  static ObjectNode message(
      Notification n, List<Notification.Alert> alerts, int shown, int textMax, Instant now) {
    ObjectNode card = JSON.objectNode();
    card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
    card.put("type", "AdaptiveCard");
    card.put("version", "1.4");
    String title = cut(title(n), MAX_TITLE);
    card.put("fallbackText", title);
    card.putObject("msteams").put("width", "Full");
    ArrayNode body = card.putArray("body");
    body.addObject()
        .put("type", "TextBlock")
        .put("text", title)
        .put("size", "Large")
        .put("weight", "Bolder")
        .put("color", color(n))
        .put("wrap", true);
    if (n.text() != null && !n.text().isBlank()) {
      body.addObject()
          .put("type", "TextBlock")
          .put("text", cut(n.text().strip(), textMax))
          .put("wrap", true);
    }
    Map<String, String> runbooks = new LinkedHashMap<>();
    for (Notification.Alert a : alerts.subList(0, shown)) {
      body.add(alert(a));
      URI runbook = runbook(a.annotations() == null ? null : a.annotations().get("runbook_url"));
      if (runbook != null && runbooks.size() < MAX_ACTIONS) {
        runbooks.putIfAbsent(runbook.toASCIIString(), "Runbook: " + cut(probe(a), 100));
      }
    }
    if (alerts.size() > shown) {
      body.addObject()
          .put("type", "TextBlock")
          .put("text", more(alerts.subList(shown, alerts.size())))
          .put("isSubtle", true)
          .put("wrap", true);
    }
    body.addObject()
        .put("type", "TextBlock")
        .put("text", footer(n, now))
        .put("isSubtle", true)
        .put("size", "Small")
        .put("wrap", true);
    if (!runbooks.isEmpty()) {
      ArrayNode actions = card.putArray("actions");
      runbooks.forEach(
          (url, label) ->
              actions
                  .addObject()
                  .put("type", "Action.OpenUrl")
                  .put("title", label)
                  .put("url", url));
    }

    ObjectNode message = JSON.objectNode();
    message.put("type", "message");
    ObjectNode attachment = message.putArray("attachments").addObject();
    attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
    attachment.putNull("contentUrl");
    attachment.set("content", card);
    return message;
  }

  private static ObjectNode alert(Notification.Alert a) {
    Map<String, String> labels = a.labels() == null ? Map.of() : a.labels();
    Map<String, String> notes = a.annotations() == null ? Map.of() : a.annotations();
    boolean resolved = a.status() == Notification.Status.RESOLVED;
    ObjectNode container = JSON.objectNode().put("type", "Container").put("separator", true);
    ArrayNode items = container.putArray("items");
    items
        .addObject()
        .put("type", "TextBlock")
        .put("text", cut((resolved ? "✅ Resolved · " : "🔴 Firing · ") + probe(a), MAX_TITLE))
        .put("weight", "Bolder")
        .put("color", resolved ? "Good" : "Attention")
        .put("wrap", true);
    ArrayNode facts = items.addObject().put("type", "FactSet").putArray("facts");
    fact(facts, "Probe", probe(a));
    String severity = a.severity() != null ? a.severity() : labels.get("severity");
    fact(facts, "Severity", severity);
    fact(facts, "Status", resolved ? "resolved" : "firing");
    fact(facts, "Summary", notes.get("summary"));
    fact(facts, "Reason", notes.get("reason"));
    fact(facts, "Message", notes.get("message"));
    fact(facts, "Started", a.startsAt() == null ? null : TIME.format(a.startsAt()));
    fact(facts, "Ended", a.endsAt() == null ? null : TIME.format(a.endsAt()));
    return container;
  }

  private static void fact(ArrayNode facts, String title, String value) {
    if (value != null && !value.isBlank()) {
      facts.addObject().put("title", title).put("value", cut(value.strip(), MAX_FACT));
    }
  }

  static String title(Notification n) {
    String title = n.title() == null || n.title().isBlank() ? "vigie notification" : n.title();
    title = title.strip().replaceAll("\\s+", " ");
    return switch (n.kind()) {
      case TEST -> "🧪 Test notification: " + title;
      case HEARTBEAT -> "💓 Heartbeat: " + title;
      case ALERTS -> (n.status() == Notification.Status.RESOLVED ? "✅ " : "🔴 ") + title;
    };
  }

  static String color(Notification n) {
    return switch (n.kind()) {
      case TEST -> "Accent";
      case HEARTBEAT -> "Default";
      case ALERTS -> n.status() == Notification.Status.RESOLVED ? "Good" : "Attention";
    };
  }

  private static String more(List<Notification.Alert> rest) {
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

  private static String footer(Notification n, Instant now) {
    List<String> parts = new ArrayList<>();
    switch (n.kind()) {
      case TEST -> parts.add("Test of this channel, sent on request");
      case HEARTBEAT -> parts.add("The vigie alert pipeline is alive");
      case ALERTS -> {}
    }
    if (n.route() != null) {
      parts.add("Route " + cut(n.route(), 300));
    }
    if (n.receiver() != null) {
      parts.add("sink " + cut(n.receiver(), 100));
    }
    parts.add(TIME.format(n.createdAt() != null ? n.createdAt() : now));
    return String.join(" · ", parts);
  }
}
