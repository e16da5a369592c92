package io.dihya.vigie.alert.sink;

import static io.dihya.vigie.alert.sink.SlackTeamsPagerDutyFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dihya.vigie.alert.sink.SlackTeamsPagerDutyFixtures.Answer;
import io.dihya.vigie.alert.sink.SlackTeamsPagerDutyFixtures.Receiver;
import io.dihya.vigie.alert.sink.SlackTeamsPagerDutyFixtures.Request;
import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.api.v1alpha1.TeamsSink;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The teams sink against a local Workflows receiver that checks the Adaptive Card 1.4 shape. */
class TeamsAlertSinkTest {

  static final String PATH = "/workflows/4f1e/triggers/manual/paths/invoke";
  static final String QUERY =
      "api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" + CANARY;

  static Receiver teams;
  static SinkFactory factory;

  @BeforeAll
  static void start() {
    teams = new Receiver(TeamsAlertSinkTest::asWorkflows);
    factory = new SinkFactory(CLOCK);
  }

  @AfterAll
  static void stop() {
    factory.close();
    teams.close();
  }

  @BeforeEach
  void reset() {
    teams.requests.clear();
    teams.answer = TeamsAlertSinkTest::asWorkflows;
  }

  @AfterEach
  void nothingSecretSent() {
    for (Request r : teams.requests) {
      assertThat(r.text()).doesNotContain(CANARY);
    }
  }

  /** A Workflows trigger: 202 for a card it takes, 400 or 413 for one it refuses. */
  static Answer asWorkflows(Request r) {
    if (!r.method().equals("POST") || !r.path().equals(PATH) || !QUERY.equals(r.query())) {
      return Answer.of(401, "{\"error\":{\"code\":\"DirectApiAuthorizationRequired\"}}");
    }
    if (r.body().length > 28_000) {
      return Answer.of(413, "{\"error\":{\"code\":\"RequestEntityTooLarge\"}}");
    }
    return violations(r.json()).isEmpty()
        ? Answer.of(202, "")
        : Answer.of(400, "{\"error\":{\"code\":\"TriggerInputSchemaMismatch\"}}");
  }

  static final Set<String> COLORS =
      Set.of("Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention");

  /** The message wrapper Workflows expects and the Adaptive Card 1.4 elements vigie uses. */
  static List<String> violations(JsonNode m) {
    List<String> p = new ArrayList<>();
    check(p, fields(m).equals(Set.of("type", "attachments")), "message fields " + fields(m));
    check(p, m.path("type").asText().equals("message"), "type not message");
    check(p, m.path("attachments").size() == 1, "not one attachment");
    JsonNode a = m.path("attachments").path(0);
    check(
        p,
        fields(a).equals(Set.of("contentType", "contentUrl", "content")),
        "attachment fields " + fields(a));
    check(
        p,
        a.path("contentType").asText().equals("application/vnd.microsoft.card.adaptive"),
        "contentType");
    check(p, a.path("contentUrl").isNull(), "contentUrl not null");
    JsonNode c = a.path("content");
    check(
        p,
        Set.of("$schema", "type", "version", "body", "actions", "msteams", "fallbackText")
            .containsAll(fields(c)),
        "card fields " + fields(c));
    check(
        p,
        c.path("$schema").asText().equals("http://adaptivecards.io/schemas/adaptive-card.json"),
        "$schema");
    check(p, c.path("type").asText().equals("AdaptiveCard"), "type not AdaptiveCard");
    check(p, c.path("version").asText().equals("1.4"), "version not 1.4");
    check(p, c.path("body").isArray() && c.path("body").size() > 0, "body empty");
    c.path("body").forEach(e -> element(p, e));
    if (c.has("actions")) {
      check(p, c.path("actions").isArray() && c.path("actions").size() > 0, "actions empty");
      for (JsonNode action : c.path("actions")) {
        check(p, action.path("type").asText().equals("Action.OpenUrl"), "action type");
        check(p, action.path("title").isTextual(), "action title");
        String url = action.path("url").asText();
        check(p, url.startsWith("https://") || url.startsWith("http://"), "action url " + url);
        check(p, URI.create(url).getHost() != null, "action url host");
      }
    }
    if (c.has("msteams")) {
      check(p, c.path("msteams").path("width").asText().equals("Full"), "msteams.width");
    }
    return p;
  }

  static void element(List<String> p, JsonNode e) {
    switch (e.path("type").asText()) {
      case "TextBlock" -> {
        check(p, e.path("text").isTextual() && !e.path("text").asText().isEmpty(), "text");
        check(p, !e.has("wrap") || e.path("wrap").isBoolean(), "wrap");
        check(p, !e.has("color") || COLORS.contains(e.path("color").asText()), "color");
        check(
            p,
            !e.has("size")
                || Set.of("Small", "Default", "Medium", "Large", "ExtraLarge")
                    .contains(e.path("size").asText()),
            "size");
        check(
            p,
            !e.has("weight")
                || Set.of("Lighter", "Default", "Bolder").contains(e.path("weight").asText()),
            "weight");
        check(p, !e.has("isSubtle") || e.path("isSubtle").isBoolean(), "isSubtle");
      }
      case "Container" -> {
        check(p, e.path("items").isArray() && e.path("items").size() > 0, "items");
        check(p, !e.has("separator") || e.path("separator").isBoolean(), "separator");
        e.path("items").forEach(i -> element(p, i));
      }
      case "FactSet" -> {
        check(p, e.path("facts").isArray() && e.path("facts").size() > 0, "facts");
        for (JsonNode f : e.path("facts")) {
          check(p, fields(f).equals(Set.of("title", "value")), "fact fields");
          check(p, f.path("title").isTextual() && f.path("value").isTextual(), "fact types");
        }
      }
      default -> p.add("unknown element " + e.path("type"));
    }
  }

  static Set<String> fields(JsonNode n) {
    Set<String> names = new java.util.TreeSet<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static void check(List<String> p, boolean ok, String problem) {
    if (!ok) {
      p.add(problem);
    }
  }

  static AlertSink sink(String url) {
    Sink spec = new Sink();
    spec.name = "chat";
    spec.teams = new TeamsSink();
    spec.teams.urlSecretRef = ref("teams/url");
    AlertSink sink = factory.create(spec, secrets(Map.of("teams/url", url)), "spec.sinks[0]");
    assertThat(sink.type()).isEqualTo("teams"); // the sink_type label of its metrics
    return sink;
  }

  static AlertSink sink() {
    return sink(teams.url(PATH + "?" + QUERY));
  }

  static JsonNode card(Request r) {
    return r.json().path("attachments").path(0).path("content");
  }

  static List<JsonNode> containers(JsonNode card) {
    List<JsonNode> out = new ArrayList<>();
    card.path("body")
        .forEach(
            e -> {
              if (e.path("type").asText().equals("Container")) {
                out.add(e);
              }
            });
    return out;
  }

  static Map<String, String> facts(JsonNode container) {
    Map<String, String> out = new LinkedHashMap<>();
    container
        .path("items")
        .path(1)
        .path("facts")
        .forEach(f -> out.put(f.path("title").asText(), f.path("value").asText()));
    return out;
  }

  @Test
  void firingAlertIsAnAdaptiveCard() {
    Delivery d = await(sink().send(firingNotification(), TIMEOUT));

    assertThat(d).isEqualTo(Delivery.ok(null));
    Request r = teams.only();
    assertThat(r.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
    assertThat(violations(r.json())).isEmpty();
    assertThat(r.text())
        .startsWith(
            "{\"type\":\"message\",\"attachments\":[{\"contentType\":"
                + "\"application/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"content\":"
                + "{\"$schema\":\"http://adaptivecards.io/schemas/adaptive-card.json\","
                + "\"type\":\"AdaptiveCard\",\"version\":\"1.4\"");
    JsonNode card = card(r);
    assertThat(card.path("body").get(0).toString())
        .isEqualTo(
            "{\"type\":\"TextBlock\",\"text\":\"🔴 [FIRING:1] shop/orders-api ConnectionRefused\","
                + "\"size\":\"Large\",\"weight\":\"Bolder\",\"color\":\"Attention\",\"wrap\":true}");
    assertThat(card.path("body").get(1).path("text").asText())
        .isEqualTo("shop/orders-api is failing: tcp 10.0.0.7:8080: connection refused");
    List<JsonNode> alerts = containers(card);
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).path("items").get(0).path("text").asText())
        .isEqualTo("🔴 Firing · shop/orders-api");
    assertThat(alerts.get(0).path("items").get(0).path("color").asText()).isEqualTo("Attention");
    assertThat(facts(alerts.get(0)))
        .containsExactly(
            Map.entry("Probe", "shop/orders-api"),
            Map.entry("Severity", "critical"),
            Map.entry("Status", "firing"),
            Map.entry("Summary", "Orders API is unreachable"),
            Map.entry("Reason", "ConnectionRefused"),
            Map.entry("Message", "tcp 10.0.0.7:8080: connection refused"),
            Map.entry("Started", "2025-03-14 09:20:00 UTC"));
    JsonNode footer = card.path("body").get(card.path("body").size() - 1);
    assertThat(footer.path("text").asText())
        .isEqualTo("Route shop/oncall · sink chat · 2025-03-14 09:26:53 UTC");
    assertThat(card.path("actions").toString())
        .isEqualTo(
            "[{\"type\":\"Action.OpenUrl\",\"title\":\"Runbook: shop/orders-api\",\"url\":\""
                + RUNBOOK
                + "\"}]");
    assertThat(card.path("fallbackText").asText())
        .isEqualTo("🔴 [FIRING:1] shop/orders-api ConnectionRefused");
  }

  @Test
  void resolvedAlertIsGreen() {
    Delivery d = await(sink().send(resolvedNotification(), TIMEOUT));

    assertThat(d.delivered()).isTrue();
    JsonNode card = card(teams.only());
    assertThat(violations(teams.only().json())).isEmpty();
    assertThat(card.path("body").get(0).path("text").asText())
        .isEqualTo("✅ [RESOLVED] shop/orders-api");
    assertThat(card.path("body").get(0).path("color").asText()).isEqualTo("Good");
    JsonNode alert = containers(card).get(0);
    assertThat(alert.path("items").get(0).path("text").asText())
        .isEqualTo("✅ Resolved · shop/orders-api");
    assertThat(alert.path("items").get(0).path("color").asText()).isEqualTo("Good");
    assertThat(facts(alert))
        .containsEntry("Status", "resolved")
        .containsEntry("Started", "2025-03-14 09:20:00 UTC")
        .containsEntry("Ended", "2025-03-14 09:25:00 UTC");
  }

  @Test
  void testAndHeartbeatAreLabelled() {
    await(sink().send(testNotification(), TIMEOUT));
    await(sink().send(heartbeatNotification(), TIMEOUT));

    assertThat(teams.requests).hasSize(2);
    JsonNode test = card(teams.requests.get(0));
    JsonNode beat = card(teams.requests.get(1));
    teams.requests.forEach(r -> assertThat(violations(r.json())).isEmpty());
    assertThat(test.path("body").get(0).path("text").asText())
        .isEqualTo("🧪 Test notification: vigie test of route shop/oncall");
    assertThat(test.path("body").get(0).path("color").asText()).isEqualTo("Accent");
    assertThat(test.path("body").get(2).path("text").asText())
        .startsWith("Test of this channel, sent on request · Route shop/oncall");
    assertThat(test.has("actions")).isFalse();
    assertThat(beat.path("body").get(0).path("text").asText())
        .isEqualTo("💓 Heartbeat: vigie is alive");
    assertThat(beat.path("body").get(0).path("color").asText()).isEqualTo("Default");
    assertThat(beat.path("body").get(2).path("text").asText())
        .startsWith("The vigie alert pipeline is alive · Route shop/oncall");
  }

  @Test
  void twoHundredAlertsAreCutToFitTwentyEightKilobytes() {
    Notification n = many(200, 300);
    Delivery d = await(sink().send(n, TIMEOUT));

    assertThat(d.delivered()).isTrue();
    Request r = teams.only();
    assertThat(violations(r.json())).isEmpty();
    assertThat(r.body().length).isLessThanOrEqualTo(TeamsCard.MAX_BYTES);
    JsonNode card = card(r);
    int shown = containers(card).size();
    assertThat(shown).isBetween(5, TeamsCard.MAX_ALERTS - 1);
    String more = card.path("body").get(card.path("body").size() - 2).path("text").asText();
    assertThat(more).startsWith("…and " + (200 - shown) + " more alerts (");
    // the 50,000-char text is cut to 4,000
    assertThat(card.path("body").get(1).path("text").asText())
        .hasSize(TeamsCard.MAX_TEXT)
        .endsWith("…");
    // one action per distinct runbook, at most five
    assertThat(card.path("actions").size()).isEqualTo(TeamsCard.MAX_ACTIONS);
    System.out.printf(
        "teams: 200 alerts of 300-char messages -> %d shown, %,d bytes%n", shown, r.body().length);
  }

  @Test
  void hugeTextsShrinkToFitEvenWithoutAlerts() {
    // Control characters take six bytes of JSON each: 4,000 of them alone are 24 KB.
    String nasty = "\u0001".repeat(60_000);
    Notification.Alert a =
        alert(
            "shop",
            "orders-api",
            "critical",
            Notification.Status.FIRING,
            Map.of("message", nasty, "reason", nasty, "summary", nasty));
    Notification n =
        notification(
            Notification.Kind.ALERTS,
            Notification.Status.FIRING,
            List.of(a, a, a),
            "t".repeat(500),
            nasty);
    Delivery d = await(sink().send(n, TIMEOUT));

    assertThat(d.delivered()).isTrue();
    Request r = teams.only();
    assertThat(violations(r.json())).isEmpty();
    assertThat(r.body().length).isLessThanOrEqualTo(TeamsCard.MAX_BYTES);
    JsonNode card = card(r);
    assertThat(card.path("body").get(0).path("text").asText()).hasSize(TeamsCard.MAX_TITLE);
    // one alert shown (its three texts cut to 1,000), the text shortened to make room for it
    assertThat(containers(card)).hasSize(1);
    assertThat(facts(containers(card).get(0)).get("Message")).hasSize(TeamsCard.MAX_FACT);
    assertThat(card.path("body").get(1).path("text").asText()).hasSize(TeamsCard.SHORT_TEXT);
    assertThat(card.path("body").get(3).path("text").asText())
        .isEqualTo("…and 2 more alerts (2 firing, 0 resolved)");
    System.out.printf(
        "teams: hostile texts -> %d alerts shown, %,d bytes%n",
        containers(card).size(), r.body().length);
  }

  @Test
  void onlyHttpRunbooksBecomeButtonsOncePerUrl() {
    List<Notification.Alert> alerts = new ArrayList<>();
    for (String url :
        new String[] {
          RUNBOOK,
          RUNBOOK,
          "javascript:alert(1)",
          "file:///etc/passwd",
          "http://wiki/x",
          "not a url",
          "https://" + "l".repeat(2_100) + ".example"
        }) {
      alerts.add(
          alert(
              "shop",
              "p" + alerts.size(),
              "warning",
              Notification.Status.FIRING,
              Map.of("runbook_url", url)));
    }
    alerts.add(
        new Notification.Alert("fp", Notification.Status.FIRING, null, null, null, null, null));
    Notification n =
        notification(Notification.Kind.ALERTS, Notification.Status.FIRING, alerts, " ", " ");
    await(sink().send(n, TIMEOUT));

    JsonNode card = card(teams.only());
    assertThat(violations(teams.only().json())).isEmpty();
    assertThat(card.path("actions").findValuesAsText("url"))
        .containsExactly(RUNBOOK, "http://wiki/x");
    assertThat(card.path("actions").findValuesAsText("title"))
        .containsExactly("Runbook: shop/p0", "Runbook: shop/p4");
    assertThat(card.path("body").get(0).path("text").asText()).isEqualTo("🔴 vigie notification");
    // the bare alert: its fingerprint names it, its only fact is its status
    JsonNode bare = containers(card).get(7);
    assertThat(bare.path("items").get(0).path("text").asText()).isEqualTo("🔴 Firing · fp");
    assertThat(facts(bare))
        .containsExactly(Map.entry("Probe", "fp"), Map.entry("Status", "firing"));
  }

  @Test
  void throttlingAndServerErrorsAreRetryable() {
    teams.answer =
        r ->
            Answer.of(429, "{\"error\":{\"message\":\"" + CANARY + "\"}}")
                .header("Retry-After", "30");
    Delivery d = await(sink().send(firingNotification(), TIMEOUT));
    assertThat(d).isEqualTo(new Delivery(false, true, "HTTP 429", Duration.ofSeconds(30), null));
    assertNoCanary(d);

    teams.answer = r -> Answer.of(502, "bad gateway");
    assertThat(await(sink().send(firingNotification(), TIMEOUT)))
        .isEqualTo(Delivery.retry("HTTP 502", null));
  }

  @Test
  void refusalsArePermanent() {
    // a wrong signature: the receiver answers 401
    Delivery d =
        await(sink(teams.url(PATH + "?sig=" + CANARY + "x")).send(firingNotification(), TIMEOUT));
    assertThat(d).isEqualTo(Delivery.fail("HTTP 401"));
    assertNoCanary(d);

    teams.answer = r -> Answer.of(400, "{\"error\":{\"code\":\"TriggerInputSchemaMismatch\"}}");
    assertThat(await(sink().send(firingNotification(), TIMEOUT)))
        .isEqualTo(Delivery.fail("HTTP 400"));
    teams.answer = r -> Answer.of(404, "");
    assertThat(await(sink().send(firingNotification(), TIMEOUT)))
        .isEqualTo(Delivery.fail("HTTP 404"));
  }

  @Test
  void timeoutIsRetryableAndTheCallerIsNotBlocked() {
    teams.answer = r -> Answer.of(202, "").delayed(3_000);
    long start = System.nanoTime();
    CompletableFuture<Delivery> future = sink().send(firingNotification(), Duration.ofMillis(400));
    assertThat(future).isNotDone();
    Delivery d = await(future);
    long ms = (System.nanoTime() - start) / 1_000_000;

    assertTimedOut(d, "no answer within 400ms");
    assertThat(ms).isBetween(350L, 1_500L);
  }

  @Test
  void misconfiguredSpecsAreRefusedWithoutEchoingTheUrl() {
    Sink none = new Sink();
    none.teams = new TeamsSink();
    assertThatThrownBy(() -> factory.create(none, secrets(Map.of()), "spec.sinks[0]"))
        .hasMessage("teams.urlSecretRef: required");
    assertThatThrownBy(() -> TeamsAlertSink.create(null, secrets(Map.of()), null, null, CLOCK))
        .hasMessage("teams.urlSecretRef: required");
    assertThatThrownBy(() -> sink("prod-12.westus.logic.azure.com/workflows?sig=" + CANARY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("teams.urlSecretRef: must start with http:// or https://");
    assertThatThrownBy(() -> sink("https://x/y?sig=" + CANARY + " z"))
        .hasMessage("teams.urlSecretRef: not a valid URL");
    assertThat(sink().toString()).isEqualTo("TeamsAlertSink");
  }

  @Test
  void aSinkOfAClosedFactoryAnswersRetryWithoutThrowing() {
    SinkFactory closing = new SinkFactory(CLOCK);
    Sink spec = new Sink();
    spec.teams = new TeamsSink();
    spec.teams.urlSecretRef = ref("teams/url");
    AlertSink sink =
        closing.create(
            spec, secrets(Map.of("teams/url", teams.url(PATH + "?" + QUERY))), "spec.sinks[0]");
    closing.close();
    assertThat(await(sink.send(firingNotification(), TIMEOUT)))
        .isEqualTo(Delivery.retry("the sink is shut down", null));
  }

  @Test
  void aMalformedNotificationIsAPermanentFailureNotAThrow() {
    Notification noKind =
        new Notification(
            "n",
            null,
            "shop/oncall",
            "chat",
            "{}",
            null,
            Map.of(),
            Map.of(),
            Map.of(),
            null,
            "t",
            "x",
            NOW);
    assertThat(await(sink().send(noKind, TIMEOUT)))
        .isEqualTo(Delivery.fail("the card could not be built"));
    assertThat(teams.requests).isEmpty();
  }

  @Test
  void aHeartbeatWithoutAlertsRouteOrTimeStillRenders() {
    Notification n =
        new Notification(
            "n",
            Notification.Kind.HEARTBEAT,
            null,
            null,
            "{}",
            Notification.Status.FIRING,
            Map.of(),
            Map.of(),
            Map.of(),
            null,
            null,
            null,
            null);
    assertThat(await(sink().send(n, TIMEOUT)).delivered()).isTrue();
    JsonNode card = card(teams.only());
    assertThat(violations(teams.only().json())).isEmpty();
    assertThat(card.path("body")).hasSize(2);
    assertThat(card.path("body").get(0).path("text").asText())
        .isEqualTo("💓 Heartbeat: vigie notification");
    assertThat(card.path("body").get(1).path("text").asText())
        .isEqualTo("The vigie alert pipeline is alive · 2025-03-14 09:26:53 UTC");
  }

  @Test
  void alertsWithoutNamespaceOrFingerprintAreNamedByWhatTheyHave() {
    Notification.Alert noNamespace =
        new Notification.Alert(
            "fp",
            Notification.Status.FIRING,
            Map.of("probe", "lonely"),
            Map.of(),
            null,
            null,
            "info");
    Notification.Alert nothing =
        new Notification.Alert(
            null, Notification.Status.FIRING, Map.of("probe", " "), Map.of(), null, null, null);
    Notification n =
        notification(
            Notification.Kind.ALERTS,
            Notification.Status.FIRING,
            List.of(noNamespace, nothing),
            "t",
            "x");
    await(sink().send(n, TIMEOUT));
    List<JsonNode> alerts = containers(card(teams.only()));
    assertThat(facts(alerts.get(0))).containsEntry("Probe", "lonely");
    assertThat(facts(alerts.get(1))).containsEntry("Probe", "unknown probe");
    assertThat(AlertText.cut("ab😀cd", 4)).isEqualTo("ab…");
    assertThat(AlertText.runbook("//no-scheme.example/x")).isNull();
  }

  @Test
  void theReceiverRefusesWhatTeamsRefuses() throws Exception {
    JsonNode bad =
        JSON.readTree(
            "{\"type\":\"message\",\"attachments\":[{\"contentType\":\"text/plain\",\"content\":"
                + "{\"type\":\"AdaptiveCard\",\"version\":\"1.5\",\"body\":[{\"type\":\"TextBlock\","
                + "\"color\":\"red\"},{\"type\":\"FactSet\",\"facts\":[{\"title\":1}]},{\"type\":\"Image\"}],"
                + "\"actions\":[{\"type\":\"Action.Submit\",\"url\":\"javascript:x\"}]}}]}");
    assertThat(violations(bad))
        .contains(
            "attachment fields [content, contentType]",
            "contentType",
            "contentUrl not null",
            "$schema",
            "version not 1.4",
            "text",
            "color",
            "fact fields",
            "unknown element \"Image\"",
            "action type",
            "action url javascript:x");
  }
}
