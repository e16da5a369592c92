package io.dihya.vigie.alert.sink;

import static io.dihya.vigie.alert.sink.SlackTeamsPagerDutyFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dihya.vigie.alert.sink.SlackTeamsPagerDutyFixtures.Answer;
import io.dihya.vigie.alert.sink.SlackTeamsPagerDutyFixtures.Receiver;
import io.dihya.vigie.alert.sink.SlackTeamsPagerDutyFixtures.Request;
import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.api.v1alpha1.SlackSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The slack sink against a local incoming-webhook receiver that checks Slack's rules. */
class SlackAlertSinkTest {

  static final String PATH = "/services/T00000001/B00000002/" + CANARY + "xoxb";

  static Receiver slack;
  static SinkFactory factory;

  @BeforeAll
  static void start() {
    slack = new Receiver(SlackAlertSinkTest::asSlack);
    factory = new SinkFactory(CLOCK);
  }

  @AfterAll
  static void stop() {
    factory.close();
    slack.close();
  }

  @BeforeEach
  void reset() {
    slack.requests.clear();
    slack.answer = SlackAlertSinkTest::asSlack;
  }

  @AfterEach
  void nothingSecretSent() {
    for (Request r : slack.requests) {
      assertThat(r.text()).doesNotContain(CANARY);
    }
  }

  /** Slack's answer: "ok", or the error code it gives for a payload it refuses. */
  static Answer asSlack(Request r) {
    if (!r.method().equals("POST") || !r.path().equals(PATH)) {
      return Answer.of(404, "no_service");
    }
    List<String> problems = violations(r.json());
    return problems.isEmpty() ? Answer.of(200, "ok") : Answer.of(400, "invalid_blocks");
  }

  /**
   * Slack's published rules for an incoming-webhook message with blocks: text (the fallback) at
   * most 40,000 characters, at most 50 blocks, header plain_text at most 150, section and context
   * mrkdwn at most 3,000, no unescaped control characters outside link and date tokens.
   */
  static List<String> violations(JsonNode m) {
    List<String> p = new ArrayList<>();
    Set<String> allowed = Set.of("text", "blocks", "unfurl_links", "unfurl_media");
    m.fieldNames().forEachRemaining(f -> check(p, allowed.contains(f), "unknown field " + f));
    check(p, m.path("text").isTextual() && !m.path("text").asText().isBlank(), "text missing");
    check(p, m.path("text").asText().length() <= 40_000, "text over 40,000");
    checkMrkdwn(p, m.path("text").asText());
    check(p, m.path("unfurl_links").isBoolean(), "unfurl_links not boolean");
    JsonNode blocks = m.path("blocks");
    check(p, blocks.isArray() && blocks.size() >= 1 && blocks.size() <= 50, "blocks not 1..50");
    for (JsonNode b : blocks) {
      switch (b.path("type").asText()) {
        case "header" -> {
          check(p, b.path("text").path("type").asText().equals("plain_text"), "header type");
          String t = b.path("text").path("text").asText();
          check(p, !t.isEmpty() && t.length() <= 150, "header length " + t.length());
          check(p, b.path("text").path("emoji").isBoolean(), "header emoji");
        }
        case "section" -> {
          check(p, b.path("text").path("type").asText().equals("mrkdwn"), "section type");
          String t = b.path("text").path("text").asText();
          check(p, !t.isEmpty() && t.length() <= 3_000, "section length " + t.length());
          checkMrkdwn(p, t);
        }
        case "context" -> {
          JsonNode elements = b.path("elements");
          check(p, elements.size() >= 1 && elements.size() <= 10, "context elements");
          for (JsonNode e : elements) {
            check(p, e.path("type").asText().equals("mrkdwn"), "context element type");
            String t = e.path("text").asText();
            check(p, !t.isEmpty() && t.length() <= 3_000, "context length");
            checkMrkdwn(p, t);
          }
        }
        default -> p.add("unknown block " + b.path("type"));
      }
    }
    return p;
  }

  static final Pattern TOKEN = Pattern.compile("<([^>]*)>");
  static final Pattern ALLOWED_TOKEN =
      Pattern.compile(
          "https?://[^|<>\\s]+\\|Runbook|!date\\^\\d+\\^\\{date_short_pretty\\} \\{time_secs\\}\\|[-0-9: UTC]+");

  /** Every &lt;...&gt; is a runbook link or a date; no bare &amp; that is not an escape. */
  static void checkMrkdwn(List<String> p, String t) {
    Matcher m = TOKEN.matcher(t);
    StringBuilder rest = new StringBuilder();
    int last = 0;
    while (m.find()) {
      check(p, ALLOWED_TOKEN.matcher(m.group(1)).matches(), "token <" + m.group(1) + ">");
      rest.append(t, last, m.start());
      last = m.end();
    }
    rest.append(t.substring(last));
    check(p, rest.indexOf("<") < 0 && rest.indexOf(">") < 0, "bare < or >");
    check(p, rest.toString().replaceAll("&(amp|lt|gt);", "").indexOf('&') < 0, "bare & in " + rest);
  }

  static void check(List<String> problems, boolean ok, String problem) {
    if (!ok) {
      problems.add(problem);
    }
  }

  static AlertSink sink(String url) {
    Sink spec = new Sink();
    spec.name = "chat";
    spec.slack = new SlackSink();
    spec.slack.urlSecretRef = ref("slack/url");
    AlertSink sink =
        factory.create(spec, secrets(Map.of("slack/url", url + "\n")), "spec.sinks[0]");
    assertThat(sink.type()).isEqualTo("slack"); // the sink_type label of its metrics
    return sink;
  }

  static AlertSink sink() {
    return sink(slack.url(PATH));
  }

  static List<JsonNode> blocks(JsonNode m, String type) {
    List<JsonNode> out = new ArrayList<>();
    for (Iterator<JsonNode> it = m.path("blocks").elements(); it.hasNext(); ) {
      JsonNode b = it.next();
      if (b.path("type").asText().equals(type)) {
        out.add(b);
      }
    }
    return out;
  }

  static String header(JsonNode m) {
    return blocks(m, "header").get(0).path("text").path("text").asText();
  }

  static String context(JsonNode m) {
    return blocks(m, "context").get(0).path("elements").get(0).path("text").asText();
  }

  @Test
  void firingAlertIsPostedAsTextAndBlocks() {
    Delivery d = await(sink().send(firingNotification(), TIMEOUT));

    assertThat(d).isEqualTo(Delivery.ok(null));
    Request r = slack.only();
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
    JsonNode m = r.json();
    assertThat(violations(m)).isEmpty();
    assertThat(m.path("text").asText())
        .isEqualTo(
            "🔴 [FIRING:1] shop/orders-api ConnectionRefused\n"
                + "shop/orders-api is failing: tcp 10.0.0.7:8080: connection refused");
    assertThat(m.path("blocks")).hasSize(4); // header, text, one alert, context
    assertThat(m.path("blocks").get(0).toString())
        .isEqualTo(
            "{\"type\":\"header\",\"text\":{\"type\":\"plain_text\","
                + "\"text\":\"🔴 [FIRING:1] shop/orders-api ConnectionRefused\",\"emoji\":true}}");
    List<JsonNode> sections = blocks(m, "section");
    assertThat(sections.get(0).path("text").path("text").asText())
        .isEqualTo("shop/orders-api is failing: tcp 10.0.0.7:8080: connection refused");
    assertThat(sections.get(1).path("text").path("text").asText())
        .isEqualTo(
            "🔴 *Firing* · *critical* · `shop/orders-api`\n"
                + "Orders API is unreachable\n"
                + "*ConnectionRefused*: tcp 10.0.0.7:8080: connection refused\n"
                + "Firing since <!date^1741944000^{date_short_pretty} {time_secs}"
                + "|2025-03-14 09:20:00 UTC>\n"
                + "<https://runbooks.example.com/shop/orders-api?section=tcp&amp;lang=en|Runbook>");
    assertThat(context(m))
        .isEqualTo(
            "Route `shop/oncall` · sink `chat` · <!date^1741944413^{date_short_pretty}"
                + " {time_secs}|2025-03-14 09:26:53 UTC>");
    assertThat(m.path("unfurl_links").asBoolean(true)).isFalse();
    assertThat(m.path("unfurl_media").asBoolean(true)).isFalse();
  }

  @Test
  void resolvedAlertLooksDifferent() {
    Delivery d = await(sink().send(resolvedNotification(), TIMEOUT));

    assertThat(d.delivered()).isTrue();
    JsonNode m = slack.only().json();
    assertThat(violations(m)).isEmpty();
    assertThat(header(m)).isEqualTo("✅ [RESOLVED] shop/orders-api");
    assertThat(m.path("text").asText()).startsWith("✅ [RESOLVED] shop/orders-api\n");
    String alert = blocks(m, "section").get(1).path("text").path("text").asText();
    assertThat(alert)
        .startsWith("✅ *Resolved* · *critical* · `shop/orders-api`")
        .contains("\nResolved <!date^1741944300^")
        .contains("|2025-03-14 09:25:00 UTC> after 5m 0s")
        .doesNotContain("🔴")
        .doesNotContain("Firing since");
  }

  @Test
  void testNotificationIsLabelledAsATest() {
    Delivery d = await(sink().send(testNotification(), TIMEOUT));

    assertThat(d.delivered()).isTrue();
    JsonNode m = slack.only().json();
    assertThat(violations(m)).isEmpty();
    assertThat(header(m)).isEqualTo("🧪 Test notification: vigie test of route shop/oncall");
    assertThat(m.path("text").asText()).startsWith("🧪 Test notification: ");
    assertThat(blocks(m, "section")).hasSize(1);
    assertThat(blocks(m, "section").get(0).path("text").path("text").asText())
        .isEqualTo("This is a test notification, sent because vigie.dihya.io/test changed.");
    assertThat(context(m))
        .startsWith("Test of this channel, sent on request · Route `shop/oncall`");
  }

  @Test
  void heartbeatIsLabelledAsAHeartbeat() {
    Delivery d = await(sink().send(heartbeatNotification(), TIMEOUT));

    assertThat(d.delivered()).isTrue();
    JsonNode m = slack.only().json();
    assertThat(violations(m)).isEmpty();
    assertThat(header(m)).isEqualTo("💓 Heartbeat: vigie is alive");
    assertThat(context(m)).startsWith("The vigie alert pipeline is alive · Route `shop/oncall`");
  }

  @Test
  void twoHundredAlertsStayWithinSlackLimits() {
    Notification n = many(200, 5_000);
    Delivery d = await(sink().send(n, TIMEOUT));

    assertThat(d.delivered()).isTrue();
    Request r = slack.only();
    JsonNode m = r.json();
    assertThat(violations(m)).isEmpty();
    assertThat(m.path("text").asText()).hasSize(40_000).endsWith("…");
    assertThat(m.path("blocks").size()).isLessThanOrEqualTo(50);
    List<JsonNode> sections = blocks(m, "section");
    // the text, 20 alerts, the "more" line
    assertThat(sections).hasSize(1 + SlackMessage.MAX_ALERT_SECTIONS + 1);
    assertThat(sections.get(0).path("text").path("text").asText()).hasSize(3_000).endsWith("…");
    for (JsonNode s : sections.subList(1, 21)) {
      String t = s.path("text").path("text").asText();
      assertThat(t.length()).isLessThanOrEqualTo(3_000);
      // the cut falls in the message, the runbook link survives it
      assertThat(t).contains("m…\n<https://runbooks.example.com/");
    }
    assertThat(sections.get(21).path("text").path("text").asText())
        .isEqualTo("…and 180 more alerts (135 firing, 45 resolved)");
    System.out.printf("slack: 200 alerts of 5,000-char messages -> %,d bytes%n", r.body().length);
  }

  @Test
  void longTitleIsCutToTheHeaderLimit() {
    Notification n =
        notification(
            Notification.Kind.ALERTS,
            Notification.Status.FIRING,
            List.of(firing()),
            "[FIRING:1] " + "very long title ".repeat(20) + "end",
            "");
    await(sink().send(n, TIMEOUT));

    JsonNode m = slack.only().json();
    assertThat(violations(m)).isEmpty();
    assertThat(header(m)).hasSize(150).startsWith("🔴 [FIRING:1] very long").endsWith("…");
    assertThat(blocks(m, "section")).hasSize(1); // blank text: no text section
  }

  @Test
  void probeTextCannotMentionChannelsOrForgeLinks() {
    Notification.Alert a =
        alert(
            "shop",
            "orders-api",
            "warning",
            Notification.Status.FIRING,
            Map.of(
                "reason", "Bad & <ugly>",
                "message", "<!channel> see <https://evil.example|click> & more",
                "runbook_url", "javascript:alert(1)"));
    Notification n =
        notification(
            Notification.Kind.ALERTS,
            Notification.Status.FIRING,
            List.of(a),
            "[FIRING:1] <!here>",
            "<@U123> hi");
    await(sink().send(n, TIMEOUT));

    JsonNode m = slack.only().json();
    assertThat(violations(m)).isEmpty();
    assertThat(m.path("text").asText()).isEqualTo("🔴 [FIRING:1] &lt;!here&gt;\n&lt;@U123&gt; hi");
    String alert = blocks(m, "section").get(1).path("text").path("text").asText();
    assertThat(alert)
        .contains(
            "*Bad &amp; &lt;ugly&gt;*: &lt;!channel&gt; see &lt;https://evil.example|click&gt;")
        .doesNotContain("Runbook")
        .doesNotContain("javascript");
  }

  @Test
  void alertsWithoutOptionalFieldsStillRender() {
    Notification.Alert bare =
        new Notification.Alert("fp-1", Notification.Status.FIRING, null, null, null, null, null);
    Notification.Alert messageOnly =
        new Notification.Alert(
            "fp-2",
            Notification.Status.RESOLVED,
            Map.of("probe", "lonely"),
            Map.of("message", "only a message", "runbook_url", "http://wiki/page"),
            ENDED,
            STARTED, // ends before it starts: no duration
            null);
    Notification n =
        new Notification(
            "n-bare",
            Notification.Kind.ALERTS,
            null,
            null,
            "{}",
            Notification.Status.RESOLVED,
            Map.of(),
            Map.of(),
            Map.of(),
            List.of(bare, messageOnly),
            null,
            null,
            null);
    await(sink().send(n, TIMEOUT));

    JsonNode m = slack.only().json();
    assertThat(violations(m)).isEmpty();
    assertThat(header(m)).isEqualTo("✅ vigie notification");
    List<JsonNode> sections = blocks(m, "section");
    assertThat(sections.get(0).path("text").path("text").asText())
        .isEqualTo("🔴 *Firing* · `fp-1`");
    assertThat(sections.get(1).path("text").path("text").asText())
        .isEqualTo(
            "✅ *Resolved* · `lonely`\nonly a message\n"
                + "Resolved <!date^1741944000^{date_short_pretty} {time_secs}"
                + "|2025-03-14 09:20:00 UTC>\n<http://wiki/page|Runbook>");
    // no route, no sink: the clock's time alone
    assertThat(context(m))
        .isEqualTo("<!date^1741944413^{date_short_pretty} {time_secs}|2025-03-14 09:26:53 UTC>");
  }

  @Test
  void cutsNeverSplitAPairAnEscapeOrALink() {
    assertThat(AlertText.cut("ab😀cd", 4)).isEqualTo("ab…");
    assertThat(AlertText.cut("abc", 3)).isEqualTo("abc");
    assertThat(SlackMessage.cut("xy&amp;z", 5)).isEqualTo("xy…");
    assertThat(SlackMessage.cut("see <http://a.b/c|Runbook>", 15)).isEqualTo("see …");
    assertThat(SlackMessage.cut("plain text here", 6)).isEqualTo("plain…");
    assertThat(SlackMessage.duration(Duration.ofSeconds(42))).isEqualTo("42s");
    assertThat(SlackMessage.duration(Duration.ofSeconds(3 * 3600 + 125))).isEqualTo("3h 2m");
    assertThat(SlackMessage.duration(Duration.ofHours(50))).isEqualTo("2d 2h");
    assertThat(AlertText.runbook("ftp://host/x")).isNull();
    assertThat(AlertText.runbook("https:///nohost")).isNull();
    assertThat(AlertText.runbook("http://a b")).isNull();
    assertThat(AlertText.runbook("  ")).isNull();
    assertThat(AlertText.runbook("HTTPS://Wiki.example/x")).isNotNull();
  }

  @Test
  void aRunbookUrlTooLongIsLeftOut() {
    Notification.Alert a =
        alert(
            "shop",
            "orders-api",
            "info",
            Notification.Status.FIRING,
            Map.of("runbook_url", "https://wiki.example/" + "p".repeat(2_000)));
    await(
        sink()
            .send(
                notification(
                    Notification.Kind.ALERTS, Notification.Status.FIRING, List.of(a), "t", "x"),
                TIMEOUT));
    JsonNode m = slack.only().json();
    assertThat(violations(m)).isEmpty();
    assertThat(blocks(m, "section").get(1).toString()).doesNotContain("Runbook");
  }

  @Test
  void rateLimitIsRetryableWithRetryAfter() {
    slack.answer = r -> Answer.of(429, "rate_limited").header("Retry-After", "7");
    Delivery d = await(sink().send(firingNotification(), TIMEOUT));

    assertThat(d).isEqualTo(new Delivery(false, true, "HTTP 429", Duration.ofSeconds(7), null));
  }

  @Test
  void serverErrorsAreRetryable() {
    slack.answer = r -> Answer.of(500, "rollup_error");
    assertThat(await(sink().send(firingNotification(), TIMEOUT)))
        .isEqualTo(Delivery.retry("HTTP 500 rollup_error", null));
    slack.answer = r -> Answer.of(503, "<html>" + CANARY + "</html>");
    assertThat(await(sink().send(firingNotification(), TIMEOUT)))
        .isEqualTo(Delivery.retry("HTTP 503", null));
  }

  @Test
  void slackRefusalsArePermanentAndNamedWithSlacksCode() {
    for (Object[] c :
        new Object[][] {
          {400, "invalid_payload"},
          {403, "invalid_token"},
          {403, "action_prohibited"},
          {404, "channel_not_found"},
          {410, "channel_is_archived"}
        }) {
      slack.answer = r -> Answer.of((Integer) c[0], (String) c[1]);
      Delivery d = await(sink().send(firingNotification(), TIMEOUT));
      assertThat(d).isEqualTo(Delivery.fail("HTTP " + c[0] + " " + c[1]));
    }
  }

  @Test
  void unknownBodiesAreNeverCopiedIntoTheError() {
    slack.answer = r -> Answer.of(404, "no such hook " + CANARY + " " + PATH);
    Delivery d = await(sink().send(firingNotification(), TIMEOUT));

    assertThat(d).isEqualTo(Delivery.fail("HTTP 404"));
    assertNoCanary(d);
  }

  @Test
  void wrongTokenPathIsPermanent() {
    Delivery d =
        await(
            sink(slack.url("/services/T1/B2/" + CANARY + "other"))
                .send(firingNotification(), TIMEOUT));

    assertThat(d).isEqualTo(Delivery.fail("HTTP 404 no_service"));
    assertNoCanary(d);
  }

  @Test
  void timeoutIsRetryableAndTheCallerIsNotBlocked() {
    slack.answer = r -> Answer.of(200, "ok").delayed(3_000);
    long start = System.nanoTime();
    CompletableFuture<Delivery> future = sink().send(firingNotification(), Duration.ofMillis(300));
    long returnedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(future).isNotDone();
    Delivery d = await(future);
    long doneMs = (System.nanoTime() - start) / 1_000_000;

    assertTimedOut(d, "no answer within 300ms");
    assertThat(returnedMs).isLessThan(200);
    assertThat(doneMs).isBetween(250L, 1_500L);
    System.out.printf(
        "slack timeout: send() returned in %d ms, completed in %d ms%n", returnedMs, doneMs);
  }

  @Test
  void connectionRefusedIsRetryable() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Delivery d =
        await(
            sink("http://127.0.0.1:" + port + "/services/" + CANARY)
                .send(firingNotification(), TIMEOUT));

    assertThat(d).isEqualTo(Delivery.retry("connection refused", null));
    assertNoCanary(d);
  }

  @Test
  void misconfiguredSpecsAreRefusedWithoutEchoingTheUrl() {
    Sink none = new Sink();
    none.slack = new SlackSink();
    assertThatThrownBy(() -> factory.create(none, secrets(Map.of()), "spec.sinks[1]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("slack.urlSecretRef: required");
    assertThatThrownBy(() -> SlackAlertSink.create(null, secrets(Map.of()), null, null, CLOCK))
        .hasMessage("slack.urlSecretRef: required");
    for (String[] c :
        new String[][] {
          {
            "hooks.slack.com/services/" + CANARY,
            "slack.urlSecretRef: must start with http:// or https://"
          },
          {
            "ftp://hooks.slack.com/" + CANARY,
            "slack.urlSecretRef: must start with http:// or https://"
          },
          {"https://hooks slack/" + CANARY, "slack.urlSecretRef: not a valid URL"},
          {"https:///services/" + CANARY, "slack.urlSecretRef: has no valid host name"},
          {"  ", "slack.urlSecretRef: required"}
        }) {
      assertThatThrownBy(() -> sink(c[0]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(c[1]);
    }
    assertThat(sink().toString()).doesNotContain(CANARY).isEqualTo("SlackAlertSink");
  }

  @Test
  void theReceiverRefusesWhatSlackRefuses() throws Exception {
    JsonNode bad =
        JSON.readTree(
            "{\"text\":\"\",\"extra\":1,\"blocks\":[{\"type\":\"header\",\"text\":{\"type\":\"mrkdwn\","
                + "\"text\":\""
                + "h".repeat(151)
                + "\"}},{\"type\":\"section\",\"text\":{\"type\":\"plain_text\",\"text\":\"<!channel> &\"}},"
                + "{\"type\":\"context\",\"elements\":[]},{\"type\":\"image\"}]}");
    assertThat(violations(bad))
        .contains(
            "unknown field extra",
            "text missing",
            "unfurl_links not boolean",
            "header type",
            "header length 151",
            "header emoji",
            "section type",
            "token <!channel>",
            "context elements",
            "unknown block \"image\"");
    assertThat(violations(bad).stream().anyMatch(v -> v.startsWith("bare &"))).isTrue();
  }

  @Test
  void aSinkOfAClosedFactoryAnswersRetryWithoutThrowing() {
    SinkFactory closing = new SinkFactory(CLOCK);
    Sink spec = new Sink();
    spec.slack = new SlackSink();
    spec.slack.urlSecretRef = ref("slack/url");
    AlertSink sink =
        closing.create(spec, secrets(Map.of("slack/url", slack.url(PATH))), "spec.sinks[0]");
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
        .isEqualTo(Delivery.fail("the message could not be built"));
    assertThat(slack.requests).isEmpty();
  }

  @Test
  void aTestWithoutAlertsOrTimeStillRenders() {
    Notification n =
        new Notification(
            "n",
            Notification.Kind.TEST,
            "shop/oncall",
            null,
            "{}",
            Notification.Status.FIRING,
            Map.of(),
            Map.of(),
            Map.of(),
            null,
            "t",
            "x",
            null);
    assertThat(await(sink().send(n, TIMEOUT)).delivered()).isTrue();
    JsonNode m = slack.only().json();
    assertThat(violations(m)).isEmpty();
    assertThat(context(m))
        .isEqualTo(
            "Test of this channel, sent on request · Route `shop/oncall` · <!date^1741944413"
                + "^{date_short_pretty} {time_secs}|2025-03-14 09:26:53 UTC>");
    assertThat(blocks(m, "section")).hasSize(1);
  }

  @Test
  void oneAlertMoreIsSaidInTheSingular() {
    List<Notification.Alert> alerts =
        new ArrayList<>(many(SlackMessage.MAX_ALERT_SECTIONS + 1, 5).alerts());
    await(
        sink()
            .send(
                notification(Notification.Kind.ALERTS, Notification.Status.FIRING, alerts, "t", ""),
                TIMEOUT));
    List<JsonNode> sections = blocks(slack.only().json(), "section");
    assertThat(sections.get(sections.size() - 1).path("text").path("text").asText())
        .isEqualTo("…and 1 more alert (1 firing, 0 resolved)");
  }

  @Test
  void blocksStayUnderFiftyByConstruction() {
    // header + text + alerts + "more" + context
    assertThat(1 + 1 + SlackMessage.MAX_ALERT_SECTIONS + 1 + 1)
        .isLessThanOrEqualTo(SlackMessage.MAX_BLOCKS);
  }
}
