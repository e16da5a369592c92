package io.dihya.vigie.alert.sink;

import static io.dihya.vigie.alert.sink.SlackTeamsPagerDutyFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dihya.vigie.alert.sink.SlackTeamsPagerDutyFixtures.Answer;
import io.dihya.vigie.alert.sink.SlackTeamsPagerDutyFixtures.Receiver;
import io.dihya.vigie.alert.sink.SlackTeamsPagerDutyFixtures.Request;
import io.dihya.vigie.api.v1alpha1.PagerDutySink;
import io.dihya.vigie.api.v1alpha1.Sink;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pagerduty sink against a local Events API v2 that checks events as PagerDuty does. */
class PagerDutyAlertSinkTest {

  /** A 32-character routing key that is the canary. */
  static final String KEY = CANARY + "R0123456789ABCDEF01";

  static Receiver pd;
  static SinkFactory factory;

  @BeforeAll
  static void start() {
    assertThat(KEY).hasSize(32);
    pd = new Receiver(PagerDutyAlertSinkTest::asPagerDuty);
    factory = new SinkFactory(CLOCK);
  }

  @AfterAll
  static void stop() {
    factory.close();
    pd.close();
  }

  @BeforeEach
  void reset() {
    pd.requests.clear();
    pd.answer = PagerDutyAlertSinkTest::asPagerDuty;
  }

  /** The routing key is where it must be, and nowhere else. */
  @AfterEach
  void routingKeyOnlyInRoutingKey() {
    for (Request r : pd.requests) {
      ObjectNode event = (ObjectNode) r.json();
      assertThat(event.path("routing_key").asText()).isEqualTo(KEY);
      event.remove("routing_key");
      assertThat(event.toString()).doesNotContain(CANARY);
    }
  }

  /** PagerDuty's answers: 202 for a valid event, 400 with its error body otherwise. */
  static Answer asPagerDuty(Request r) {
    List<String> problems;
    if (r.path().equals("/v2/enqueue")) {
      problems = violations(r.json());
    } else if (r.path().equals("/v2/change/enqueue")) {
      problems = changeViolations(r.json());
    } else {
      return Answer.of(404, "not found " + CANARY);
    }
    if (r.body().length > 512 * 1024) {
      problems.add("body over 512 KB");
    }
    if (!problems.isEmpty()) {
      return Answer.of(
          400,
          "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":"
              + JSON.valueToTree(problems)
              + "}");
    }
    String key = r.json().path("dedup_key").asText("generated");
    return Answer.of(
        202,
        "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"" + key + "\"}");
  }

  static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");

  /** The Events API v2 event rules. */
  static List<String> violations(JsonNode e) {
    List<String> p = new ArrayList<>();
    Set<String> allowed =
        Set.of(
            "routing_key",
            "event_action",
            "dedup_key",
            "payload",
            "images",
            "links",
            "client",
            "client_url");
    e.fieldNames().forEachRemaining(f -> check(p, allowed.contains(f), "unknown field " + f));
    check(p, e.path("routing_key").isTextual(), "routing_key missing");
    check(p, e.path("routing_key").asText().length() == 32, "routing_key length");
    String action = e.path("event_action").asText();
    check(p, Set.of("trigger", "acknowledge", "resolve").contains(action), "event_action");
    if (e.has("dedup_key")) {
      check(p, e.path("dedup_key").isTextual(), "dedup_key type");
      String key = e.path("dedup_key").asText();
      check(p, !key.isEmpty() && key.length() <= 255, "dedup_key length");
    } else {
      check(p, action.equals("trigger"), "dedup_key required for " + action);
    }
    if (action.equals("trigger")) {
      JsonNode pl = e.path("payload");
      check(p, pl.isObject(), "payload required");
      String summary = pl.path("summary").asText();
      check(p, pl.path("summary").isTextual(), "summary type");
      check(p, !summary.isEmpty() && summary.length() <= 1024, "summary length");
      check(p, pl.path("source").isTextual() && !pl.path("source").asText().isEmpty(), "source");
      check(p, SEVERITIES.contains(pl.path("severity").asText()), "severity");
      timestamp(p, pl);
      for (String f : new String[] {"component", "group", "class"}) {
        check(p, !pl.has(f) || pl.path(f).isTextual(), f + " type");
      }
      check(p, !pl.has("custom_details") || pl.path("custom_details").isObject(), "details");
    }
    if (e.has("links")) {
      for (JsonNode link : e.path("links")) {
        String href = link.path("href").asText();
        check(p, href.startsWith("https://") || href.startsWith("http://"), "link href");
        check(p, link.path("text").isTextual(), "link text");
      }
    }
    return p;
  }

  /** The change events rules. */
  static List<String> changeViolations(JsonNode e) {
    List<String> p = new ArrayList<>();
    Set<String> allowed = Set.of("routing_key", "payload", "links");
    e.fieldNames().forEachRemaining(f -> check(p, allowed.contains(f), "unknown field " + f));
    check(p, e.path("routing_key").asText().length() == 32, "routing_key length");
    JsonNode pl = e.path("payload");
    String summary = pl.path("summary").asText();
    check(p, !summary.isEmpty() && summary.length() <= 1024, "summary length");
    timestamp(p, pl);
    check(p, !pl.has("custom_details") || pl.path("custom_details").isObject(), "details");
    return p;
  }

  static void timestamp(List<String> p, JsonNode payload) {
    if (payload.has("timestamp")) {
      try {
        Instant.parse(payload.path("timestamp").asText());
      } catch (DateTimeParseException e) {
        p.add("timestamp");
      }
    }
  }

  static void check(List<String> p, boolean ok, String problem) {
    if (!ok) {
      p.add(problem);
    }
  }

  static AlertSink sink(String url, String key) {
    Sink spec = new Sink();
    spec.name = "pager";
    spec.pagerduty = new PagerDutySink();
    spec.pagerduty.routingKeySecretRef = ref("pd/key");
    spec.pagerduty.url = url;
    AlertSink sink = factory.create(spec, secrets(Map.of("pd/key", key)), "spec.sinks[0]");
    assertThat(sink.type()).isEqualTo("pagerduty"); // the sink_type label of its metrics
    return sink;
  }

  static AlertSink sink() {
    return sink(pd.url("/v2/enqueue"), KEY + "\n");
  }

  static List<String> actions() {
    return pd.requests.stream().map(r -> r.json().path("event_action").asText()).toList();
  }

  @Test
  void firingAlertTriggersAnIncident() throws Exception {
    Notification n = firingNotification();
    Delivery d = await(sink().send(n, TIMEOUT));

    String fp = n.alerts().get(0).fingerprint();
    assertThat(d).isEqualTo(Delivery.ok(fp));
    Request r = pd.only();
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/v2/enqueue");
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(violations(r.json())).isEmpty();
    assertThat(r.json())
        .isEqualTo(
            JSON.readTree(
                "{\"routing_key\":\""
                    + KEY
                    + "\",\"event_action\":\"trigger\",\"dedup_key\":\""
                    + fp
                    + "\",\"client\":\"vigie\",\"payload\":{"
                    + "\"summary\":\"shop/orders-api is failing: tcp 10.0.0.7:8080: connection refused\","
                    + "\"source\":\"shop/orders-api\",\"severity\":\"critical\","
                    + "\"timestamp\":\"2025-03-14T09:20:00Z\",\"component\":\"orders-api\","
                    + "\"group\":\"shop\",\"class\":\"http\",\"custom_details\":{"
                    + "\"labels\":{\"check\":\"http\",\"namespace\":\"shop\",\"probe\":\"orders-api\","
                    + "\"severity\":\"critical\",\"team\":\"payments\"},"
                    + "\"annotations\":{\"message\":\"tcp 10.0.0.7:8080: connection refused\","
                    + "\"reason\":\"ConnectionRefused\",\"runbook_url\":\""
                    + RUNBOOK
                    + "\",\"summary\":\"Orders API is unreachable\"},"
                    + "\"route\":\"shop/oncall\"}},"
                    + "\"links\":[{\"href\":\""
                    + RUNBOOK
                    + "\",\"text\":\"Runbook\"}]}"));
  }

  @Test
  void resolvedAlertResolvesTheSameDedupKey() throws Exception {
    Notification n = resolvedNotification();
    Delivery d = await(sink().send(n, TIMEOUT));

    String fp = firingNotification().alerts().get(0).fingerprint();
    assertThat(d).isEqualTo(Delivery.ok(fp));
    assertThat(pd.only().json())
        .isEqualTo(
            JSON.readTree(
                "{\"routing_key\":\""
                    + KEY
                    + "\",\"event_action\":\"resolve\",\"dedup_key\":\""
                    + fp
                    + "\"}"));
  }

  @Test
  void aGroupSendsOneEventPerAlertWithMappedSeverities() {
    List<Notification.Alert> alerts =
        List.of(
            alert("shop", "a", "warning", Notification.Status.FIRING, Map.of("summary", "A down")),
            alert(
                "shop",
                "b",
                "info",
                Notification.Status.FIRING,
                Map.of("reason", "Timeout", "message", "no answer\nwithin   2s")),
            alert("shop", "c", "critical", Notification.Status.RESOLVED, Map.of()),
            alert("shop", "d", "bogus", Notification.Status.FIRING, Map.of("message", "odd")),
            alert("shop", "e", "CRITICAL", Notification.Status.FIRING, Map.of("reason", "Gone")),
            new Notification.Alert(
                "fp-f", Notification.Status.FIRING, null, null, null, null, null));
    Notification n =
        notification(
            Notification.Kind.ALERTS, Notification.Status.FIRING, alerts, "[FIRING:5] shop", "x");
    Delivery d = await(sink().send(n, TIMEOUT));

    assertThat(d).isEqualTo(Delivery.ok("6 events"));
    pd.requests.forEach(r -> assertThat(violations(r.json())).isEmpty());
    assertThat(actions())
        .containsExactly("trigger", "trigger", "resolve", "trigger", "trigger", "trigger");
    assertThat(pd.requests.stream().map(r -> r.json().path("dedup_key").asText()))
        .containsExactlyElementsOf(alerts.stream().map(Notification.Alert::fingerprint).toList());
    List<JsonNode> payloads = pd.requests.stream().map(r -> r.json().path("payload")).toList();
    assertThat(payloads.stream().map(p -> p.path("severity").asText()))
        .containsExactly("warning", "info", "", "error", "critical", "error");
    assertThat(payloads.stream().map(p -> p.path("summary").asText()))
        .containsExactly(
            "shop/a: A down",
            "shop/b: Timeout: no answer within 2s",
            "",
            "shop/d: odd",
            "shop/e: Gone",
            "fp-f: unhealthy");
    // no labels: the route is the source, no component, group or class
    JsonNode bare = payloads.get(5);
    assertThat(bare.path("source").asText()).isEqualTo("shop/oncall");
    assertThat(bare.has("component") || bare.has("group") || bare.has("class")).isFalse();
    assertThat(bare.path("timestamp").asText()).isEqualTo(NOW.toString());
    assertThat(pd.requests.get(0).json().has("links")).isFalse();
  }

  @Test
  void testTriggersThenResolvesADedicatedIncident() throws Exception {
    Delivery d = await(sink().send(testNotification(), TIMEOUT));

    assertThat(d).isEqualTo(Delivery.ok("vigie-test-shop/oncall"));
    assertThat(pd.requests).hasSize(2);
    pd.requests.forEach(r -> assertThat(violations(r.json())).isEmpty());
    assertThat(pd.requests.get(0).json())
        .isEqualTo(
            JSON.readTree(
                "{\"routing_key\":\""
                    + KEY
                    + "\",\"event_action\":\"trigger\",\"dedup_key\":\"vigie-test-shop/oncall\","
                    + "\"client\":\"vigie\",\"payload\":{\"summary\":\"[TEST] vigie test notification"
                    + " of route shop/oncall: vigie test of route shop/oncall (resolved right after)\","
                    + "\"source\":\"vigie\",\"severity\":\"info\",\"timestamp\":\"2025-03-14T09:26:53Z\","
                    + "\"component\":\"vigie\",\"group\":\"shop\",\"class\":\"test\","
                    + "\"custom_details\":{\"route\":\"shop/oncall\",\"sink\":\"chat\","
                    + "\"notification\":\""
                    + testNotification().id()
                    + "\",\"text\":\"This is a test notification, sent because vigie.dihya.io/test"
                    + " changed.\"}}}"));
    assertThat(pd.requests.get(1).json())
        .isEqualTo(
            JSON.readTree(
                "{\"routing_key\":\""
                    + KEY
                    + "\",\"event_action\":\"resolve\",\"dedup_key\":\"vigie-test-shop/oncall\"}"));
  }

  @Test
  void heartbeatIsAChangeEventNotAnIncident() throws Exception {
    Delivery d = await(sink().send(heartbeatNotification(), TIMEOUT));

    assertThat(d).isEqualTo(Delivery.ok("change event"));
    Request r = pd.only();
    assertThat(r.path()).isEqualTo("/v2/change/enqueue");
    assertThat(changeViolations(r.json())).isEmpty();
    assertThat(r.json())
        .isEqualTo(
            JSON.readTree(
                "{\"routing_key\":\""
                    + KEY
                    + "\",\"payload\":{\"summary\":\"[HEARTBEAT] vigie alert pipeline alive:"
                    + " route shop/oncall\",\"timestamp\":\"2025-03-14T09:26:53Z\",\"source\":\"vigie\","
                    + "\"custom_details\":{\"route\":\"shop/oncall\",\"sink\":\"chat\",\"notification\":\""
                    + heartbeatNotification().id()
                    + "\"}}}"));
  }

  @Test
  void twoHundredAlertsAreTwoHundredValidEvents() {
    Notification n = many(200, 5_000);
    long start = System.nanoTime();
    Delivery d = await(sink().send(n, Duration.ofSeconds(30)));
    long ms = (System.nanoTime() - start) / 1_000_000;

    assertThat(d).isEqualTo(Delivery.ok("200 events"));
    assertThat(pd.requests).hasSize(200);
    for (Request r : pd.requests) {
      assertThat(violations(r.json())).isEmpty();
      if (r.json().path("event_action").asText().equals("trigger")) {
        assertThat(r.json().path("payload").path("summary").asText())
            .matches("shop/probe-\\d+: Orders API is unreachable");
        assertThat(
                r.json()
                    .path("payload")
                    .path("custom_details")
                    .path("annotations")
                    .path("message")
                    .asText())
            .hasSize(PagerDutyEvents.MAX_DETAIL);
      }
    }
    assertThat(actions().stream().filter("resolve"::equals).count()).isEqualTo(50);
    System.out.printf("pagerduty: 200 events, one at a time, in %d ms%n", ms);
  }

  @Test
  void summaryIsTheNotificationTextForOneAlertCutTo1024() {
    Notification n = many(1, 10); // its text is 50,000 characters
    assertThat(await(sink().send(n, TIMEOUT)).delivered()).isTrue();

    String summary = pd.only().json().path("payload").path("summary").asText();
    assertThat(summary).hasSize(PagerDutyEvents.MAX_SUMMARY).startsWith("xxx").endsWith("x…");
  }

  @Test
  void dedupKeysAlwaysFitAndTieTriggerToResolve() {
    Notification.Alert longFiring =
        new Notification.Alert(
            "f".repeat(300),
            Notification.Status.FIRING,
            Map.of("probe", "p"),
            Map.of(),
            null,
            null,
            "info");
    Notification.Alert longResolved =
        new Notification.Alert(
            "f".repeat(300),
            Notification.Status.RESOLVED,
            Map.of("probe", "p"),
            Map.of(),
            null,
            null,
            "info");
    Notification.Alert noFingerprint =
        new Notification.Alert(
            null,
            Notification.Status.FIRING,
            Map.of("probe", "p", "namespace", "ns"),
            Map.of(),
            null,
            null,
            "info");
    Notification.Alert noFingerprintAgain =
        new Notification.Alert(
            " ",
            Notification.Status.RESOLVED,
            Map.of("namespace", "ns", "probe", "p"),
            Map.of(),
            null,
            null,
            "info");
    Notification n =
        notification(
            Notification.Kind.ALERTS,
            Notification.Status.FIRING,
            List.of(longFiring, longResolved, noFingerprint, noFingerprintAgain),
            "t",
            "");
    assertThat(await(sink().send(n, TIMEOUT)).delivered()).isTrue();

    List<String> keys = pd.requests.stream().map(r -> r.json().path("dedup_key").asText()).toList();
    assertThat(keys.get(0)).matches("[0-9a-f]{64}").isEqualTo(keys.get(1));
    assertThat(keys.get(2))
        .matches("[0-9a-f]{64}")
        .isEqualTo(keys.get(3))
        .isNotEqualTo(keys.get(0));
    assertThat(PagerDutyEvents.testKey("ns/" + "r".repeat(300))).matches("vigie-test-[0-9a-f]{64}");
    assertThat(PagerDutyEvents.dedupKey(firing())).isEqualTo(firing().fingerprint());
  }

  @Test
  void oneRefusedEventFailsTheNotificationAndTheRetrySendsOnlyTheRest() {
    Notification n = many(5, 10);
    AtomicInteger seen = new AtomicInteger();
    pd.answer = r -> seen.incrementAndGet() == 3 ? Answer.of(503, "unavailable") : asPagerDuty(r);

    AlertSink sink = sink();
    Delivery first = await(sink.send(n, TIMEOUT));
    assertThat(first).isEqualTo(Delivery.retry("HTTP 503 (event 3 of 5)", null));
    assertThat(pd.requests).hasSize(3);

    Delivery retry = await(sink.send(n, TIMEOUT));
    assertThat(retry).isEqualTo(Delivery.ok("5 events"));
    List<String> keys = pd.requests.stream().map(r -> r.json().path("dedup_key").asText()).toList();
    List<String> fps = n.alerts().stream().map(Notification.Alert::fingerprint).toList();
    // 1, 2, 3 (refused), then 3, 4, 5: nothing accepted twice
    assertThat(keys)
        .containsExactly(fps.get(0), fps.get(1), fps.get(2), fps.get(2), fps.get(3), fps.get(4));

    // delivered: forgotten, so sending it again sends it all (PagerDuty deduplicates)
    pd.requests.clear();
    assertThat(await(sink.send(n, TIMEOUT)).delivered()).isTrue();
    assertThat(pd.requests).hasSize(5);
  }

  @Test
  void aTestWhoseResolveFailsIsRetriedFromTheResolve() {
    AtomicInteger seen = new AtomicInteger();
    pd.answer = r -> seen.incrementAndGet() == 2 ? Answer.of(500, "") : asPagerDuty(r);
    AlertSink sink = sink();
    Notification test = testNotification();

    assertThat(await(sink.send(test, TIMEOUT)))
        .isEqualTo(Delivery.retry("HTTP 500 (event 2 of 2)", null));
    assertThat(await(sink.send(test, TIMEOUT))).isEqualTo(Delivery.ok("vigie-test-shop/oncall"));
    assertThat(actions()).containsExactly("trigger", "resolve", "resolve");
  }

  @Test
  void rateLimitAndServerErrorsAreRetryable() {
    pd.answer = r -> Answer.of(429, "{\"status\":\"throttle event\"}").header("Retry-After", "12");
    Delivery d = await(sink().send(firingNotification(), TIMEOUT));
    assertThat(d).isEqualTo(new Delivery(false, true, "HTTP 429", Duration.ofSeconds(12), null));

    pd.answer = r -> Answer.of(502, "");
    assertThat(await(sink().send(firingNotification(), TIMEOUT)))
        .isEqualTo(Delivery.retry("HTTP 502", null));
  }

  @Test
  void invalidEventsArePermanent() {
    pd.answer =
        r ->
            Answer.of(
                400, "{\"status\":\"invalid event\",\"errors\":[\"routing_key " + CANARY + "\"]}");
    Delivery d = await(sink().send(testNotification(), TIMEOUT));

    assertThat(d).isEqualTo(Delivery.fail("HTTP 400 (event 1 of 2)"));
    assertNoCanary(d);
    assertThat(pd.requests).hasSize(1);
  }

  @Test
  void timeoutIsRetryableAndTheCallerIsNotBlocked() {
    pd.answer = r -> asPagerDuty(r).delayed(3_000);
    long start = System.nanoTime();
    CompletableFuture<Delivery> future = sink().send(firingNotification(), Duration.ofMillis(300));
    assertThat(future).isNotDone();
    Delivery d = await(future);
    long ms = (System.nanoTime() - start) / 1_000_000;

    assertTimedOut(d, "no answer within 300ms");
    assertThat(ms).isBetween(250L, 1_500L);
    assertNoCanary(d);
  }

  @Test
  void theTimeoutCoversAllEventsAndProgressIsKept() {
    Notification n = many(6, 10);
    pd.answer = r -> asPagerDuty(r).delayed(150);
    AlertSink sink = sink();
    long start = System.nanoTime();
    Delivery d = await(sink.send(n, Duration.ofMillis(500)));
    long ms = (System.nanoTime() - start) / 1_000_000;

    assertThat(d.delivered()).isFalse();
    assertThat(d.retryable()).isTrue();
    assertThat(d.error())
        .matches(
            "(no answer within 500ms|connection closed before a complete answer)"
                + " \\(event [2-4] of 6\\)");
    assertThat(ms).isBetween(400L, 1_500L);
    int accepted = Integer.parseInt(d.error().replaceAll(".*event (\\d) of.*", "$1")) - 1;

    pd.requests.clear();
    pd.answer = PagerDutyAlertSinkTest::asPagerDuty;
    assertThat(await(sink.send(n, TIMEOUT))).isEqualTo(Delivery.ok("6 events"));
    assertThat(pd.requests).hasSize(6 - accepted);
    System.out.printf(
        "pagerduty: 6 events of 150 ms in 500 ms: %d accepted in %d ms, the retry sent %d%n",
        accepted, ms, pd.requests.size());
  }

  @Test
  void connectionRefusedIsRetryable() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Delivery d =
        await(
            sink("http://127.0.0.1:" + port + "/v2/enqueue", KEY)
                .send(testNotification(), TIMEOUT));
    assertThat(d).isEqualTo(Delivery.retry("connection refused (event 1 of 2)", null));
  }

  @Test
  void oversizedDetailsAreDroppedToStayUnder512Kilobytes() {
    // 100 values of 1,024 control characters: 600 KB of JSON escapes
    Map<String, String> hostile = new LinkedHashMap<>();
    for (int i = 0; i < 150; i++) {
      hostile.put("k" + i, "\u0002".repeat(2_000));
    }
    Map<String, String> labels = new LinkedHashMap<>(hostile);
    labels.put("probe", "p");
    Notification.Alert annotationsOnly =
        new Notification.Alert(
            "fp-1", Notification.Status.FIRING, Map.of("probe", "p"), hostile, null, null, "info");
    Notification.Alert both =
        new Notification.Alert(
            "fp-2", Notification.Status.FIRING, labels, hostile, null, null, "info");
    Notification n =
        notification(
            Notification.Kind.ALERTS,
            Notification.Status.FIRING,
            List.of(annotationsOnly, both),
            "t",
            "");
    assertThat(await(sink().send(n, TIMEOUT)).delivered()).isTrue();

    JsonNode first = pd.requests.get(0).json().path("payload").path("custom_details");
    assertThat(first.has("annotations")).isFalse();
    assertThat(first.path("labels").path("probe").asText()).isEqualTo("p");
    assertThat(first.path("truncated").asText()).contains("512 KB");
    JsonNode second = pd.requests.get(1).json().path("payload").path("custom_details");
    assertThat(second.has("annotations") || second.has("labels")).isFalse();
    pd.requests.forEach(
        r -> assertThat(r.body().length).isLessThanOrEqualTo(PagerDutyEvents.MAX_BODY_BYTES));
  }

  @Test
  void anAlertsNotificationWithoutAlertsSendsNothing() {
    Notification empty =
        notification(Notification.Kind.ALERTS, Notification.Status.FIRING, List.of(), "t", "x");
    assertThat(await(sink().send(empty, TIMEOUT))).isEqualTo(Delivery.ok(null));
    assertThat(pd.requests).isEmpty();
  }

  @Test
  void routingKeyAndUrlAreValidatedWithoutEchoingThem() {
    for (String[] c :
        new String[][] {
          {
            KEY.substring(1),
            "pagerduty.routingKeySecretRef: a routing key has 32 characters, this one has 31"
          },
          {
            KEY + "x",
            "pagerduty.routingKeySecretRef: a routing key has 32 characters, this one has 33"
          },
          {
            KEY.substring(0, 16) + " " + KEY.substring(17),
            "pagerduty.routingKeySecretRef: a routing key is printable ASCII without spaces"
          },
          {
            KEY.substring(0, 31) + "é",
            "pagerduty.routingKeySecretRef: a routing key is printable ASCII without spaces"
          },
          {"", "pagerduty.routingKeySecretRef: a routing key has 32 characters, this one has 0"}
        }) {
      assertThatThrownBy(() -> sink(pd.url("/v2/enqueue"), c[0]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(c[1])
          .message()
          .doesNotContain(CANARY);
    }
    Sink noKey = new Sink();
    noKey.pagerduty = new PagerDutySink();
    assertThatThrownBy(() -> factory.create(noKey, secrets(Map.of()), "spec.sinks[0]"))
        .hasMessage("pagerduty.routingKeySecretRef: required");
    assertThatThrownBy(() -> PagerDutyAlertSink.create(null, secrets(Map.of()), null, null, CLOCK))
        .hasMessage("pagerduty.routingKeySecretRef: required");
    Sink nullKey = new Sink();
    nullKey.pagerduty = new PagerDutySink();
    nullKey.pagerduty.routingKeySecretRef = ref("pd/missing");
    assertThatThrownBy(() -> factory.create(nullKey, secrets(Map.of()), "spec.sinks[0]"))
        .hasMessage(
            "pagerduty.routingKeySecretRef: a routing key has 32 characters, this one has 0");
    assertThatThrownBy(() -> sink("ftp://events.pagerduty.com/v2/enqueue", KEY))
        .hasMessage("pagerduty.url: must start with http:// or https://");
    assertThat(sink(null, KEY)).isNotNull().hasToString("PagerDutyAlertSink");
    assertThat(sink(" ", KEY)).isNotNull();
  }

  @Test
  void changeEventsGoBesideTheEventsEndpoint() {
    assertThat(PagerDutyAlertSink.changeUrl(URI.create(PagerDutyAlertSink.DEFAULT_URL)))
        .hasToString("https://events.pagerduty.com/v2/change/enqueue");
    assertThat(
            PagerDutyAlertSink.changeUrl(URI.create("https://events.eu.pagerduty.com/v2/enqueue")))
        .hasToString("https://events.eu.pagerduty.com/v2/change/enqueue");
    assertThat(PagerDutyAlertSink.changeUrl(URI.create("http://proxy:8080/pd/?tenant=a%20b")))
        .hasToString("http://proxy:8080/pd/change/enqueue?tenant=a%20b");
    assertThat(PagerDutyAlertSink.changeUrl(URI.create("http://proxy:8080")))
        .hasToString("http://proxy:8080/change/enqueue");
    assertThat(PagerDutyEvents.severity(null)).isEqualTo("error");
    assertThat(AlertText.runbook("mailto:ops@example.com")).isNull();
    assertThat(AlertText.runbook("http://bad url")).isNull();
    assertThat(AlertText.runbook(null)).isNull();
    assertThat(AlertText.cut("ab😀cd", 4)).isEqualTo("ab…");
  }

  @Test
  void aSinkOfAClosedFactoryAnswersRetryWithoutThrowing() {
    SinkFactory closing = new SinkFactory(CLOCK);
    Sink spec = new Sink();
    spec.pagerduty = new PagerDutySink();
    spec.pagerduty.routingKeySecretRef = ref("pd/key");
    AlertSink sink = closing.create(spec, secrets(Map.of("pd/key", KEY)), "spec.sinks[0]");
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
        .isEqualTo(Delivery.fail("the events could not be built"));
    Notification noAlerts =
        new Notification(
            null,
            Notification.Kind.ALERTS,
            "shop/oncall",
            "chat",
            "{}",
            Notification.Status.FIRING,
            Map.of(),
            Map.of(),
            Map.of(),
            null,
            "t",
            "x",
            NOW);
    assertThat(await(sink().send(noAlerts, TIMEOUT))).isEqualTo(Delivery.ok(null));
    assertThat(pd.requests).isEmpty();
  }

  @Test
  void testsAndHeartbeatsWithoutTitleTextOrTimeStillMakeValidEvents() {
    for (Notification.Kind kind : List.of(Notification.Kind.TEST, Notification.Kind.HEARTBEAT)) {
      Notification n =
          new Notification(
              null,
              kind,
              "oncall",
              null,
              "{}",
              Notification.Status.FIRING,
              Map.of(),
              Map.of(),
              Map.of(),
              List.of(),
              null,
              null,
              null);
      assertThat(await(sink().send(n, TIMEOUT)).delivered()).isTrue();
    }
    assertThat(pd.requests).hasSize(3);
    JsonNode trigger = pd.requests.get(0).json().path("payload");
    assertThat(trigger.path("summary").asText())
        .isEqualTo("[TEST] vigie test notification of route oncall (resolved right after)");
    assertThat(trigger.path("timestamp").asText()).isEqualTo(NOW.toString());
    assertThat(trigger.has("group")).isFalse();
    assertThat(pd.requests.get(2).json().path("payload").path("timestamp").asText())
        .isEqualTo(NOW.toString());
    assertThat(changeViolations(pd.requests.get(2).json())).isEmpty();
  }

  @Test
  void anEventShowsNeitherItsBodyNorTheRoutingKey() throws Exception {
    List<PagerDutyEvents.Event> events =
        PagerDutyEvents.of(
            firingNotification(),
            KEY,
            URI.create("http://x/v2/enqueue"),
            URI.create("http://x/c"),
            NOW);
    assertThat(events.get(0).toString())
        .isEqualTo("Event[trigger " + firing().fingerprint() + "]")
        .doesNotContain(CANARY);
  }

  @Test
  void alertsWithoutLabelsOrRouteStillHaveASource() throws Exception {
    Notification.Alert noProbe =
        new Notification.Alert(
            null, Notification.Status.FIRING, Map.of("namespace", "ns"), null, null, null, null);
    Notification.Alert nullValue =
        new Notification.Alert(
            "fp",
            Notification.Status.FIRING,
            Map.of("probe", "p"),
            new java.util.HashMap<>(java.util.Collections.singletonMap("k", null)),
            null,
            null,
            null);
    Notification n =
        new Notification(
            "n",
            Notification.Kind.ALERTS,
            null,
            null,
            "{}",
            Notification.Status.FIRING,
            Map.of(),
            Map.of(),
            Map.of(),
            List.of(noProbe, nullValue),
            null,
            null,
            NOW);
    List<PagerDutyEvents.Event> events =
        PagerDutyEvents.of(
            n, KEY, URI.create("http://x/v2/enqueue"), URI.create("http://x/c"), NOW);
    JsonNode first = JSON.readTree(events.get(0).body()).path("payload");
    assertThat(first.path("source").asText()).isEqualTo("vigie");
    assertThat(first.path("summary").asText()).matches("unknown probe: unhealthy");
    JsonNode second = JSON.readTree(events.get(1).body()).path("payload");
    assertThat(second.path("custom_details").path("annotations").path("k").isNull()).isTrue();
  }

  @Test
  void theReceiverRefusesWhatPagerDutyRefuses() throws Exception {
    assertThat(
            violations(
                JSON.readTree(
                    "{\"routing_key\":\"short\",\"event_action\":\"fire\",\"x\":1,"
                        + "\"links\":[{\"href\":\"javascript:x\"}]}")))
        .contains(
            "unknown field x",
            "routing_key length",
            "event_action",
            "dedup_key required for fire",
            "link href",
            "link text");
    assertThat(
            violations(
                JSON.readTree(
                    "{\"routing_key\":\""
                        + KEY
                        + "\",\"event_action\":\"trigger\",\"dedup_key\":\""
                        + "k".repeat(256)
                        + "\",\"payload\":{\"summary\":\"\",\"severity\":\"high\",\"timestamp\":\"yesterday\","
                        + "\"class\":1,\"custom_details\":\"text\"}}")))
        .containsExactlyInAnyOrder(
            "dedup_key length",
            "summary length",
            "source",
            "severity",
            "timestamp",
            "class type",
            "details");
    assertThat(
            violations(
                JSON.readTree("{\"routing_key\":\"" + KEY + "\",\"event_action\":\"trigger\"}")))
        .contains("payload required");
  }
}
