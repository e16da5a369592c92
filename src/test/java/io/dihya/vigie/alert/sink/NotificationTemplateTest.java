package io.dihya.vigie.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dihya.vigie.alert.sink.Notification.Alert;
import io.dihya.vigie.alert.sink.Notification.Kind;
import io.dihya.vigie.alert.sink.Notification.Status;
import io.dihya.vigie.alert.sink.NotificationTemplate.InvalidTemplate;
import io.dihya.vigie.alert.sink.NotificationTemplate.Rendering;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Notification templates: the data they see, the json helper, loops, errors and bounds. */
class NotificationTemplateTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String FIELD = "spec.template.message";
  static final String CANARY = "CANARY-7d41";

  /** Label and annotation values a probe author could write to break a hand-built JSON body. */
  static final String HOSTILE =
      "quote \" backslash \\ slash / newline \n cr \r tab \t nul \u0000 bell \u0007"
          + " separators \u2028\u2029 emoji \uD83D\uDE80 accents é ß 中文 } { \"a\":1} <b>&amp;";

  final List<String> warnings = new CopyOnWriteArrayList<>();
  final Logger category = Logger.getLogger(NotificationTemplate.class.getName());
  final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(
                record instanceof ExtLogRecord ext
                    ? ext.getFormattedMessage()
                    : String.valueOf(record.getMessage()));
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void attach() {
    capture.setLevel(Level.ALL);
    category.addHandler(capture);
  }

  @AfterEach
  void detach() {
    category.removeHandler(capture);
  }

  // ---------------------------------------------------------------- the data

  @Test
  void everyVariableOfTheNotificationRenders() {
    String source =
        String.join(
            "\n",
            "id={id} kind={kind} status={status} route={route} receiver={receiver}",
            "groupKey={groupKey}",
            "groupLabels={groupLabels.probe} commonLabels={commonLabels.namespace}"
                + " commonAnnotations={commonAnnotations.summary}",
            "title={title}",
            "text={text}",
            "createdAt={createdAt}",
            "{#for a in alerts}",
            "alert {a.fingerprint} {a.status} {a.labels.probe} {a.annotations.reason}"
                + " {a.startsAt} [{a.endsAt}] {a.severity}",
            "{/for}",
            "firing={firing.size} resolved={resolved.size} alerts={alerts.size}");

    String text = render(source, WebhookTestNotifications.firing());

    assertThat(text)
        .isEqualTo(
            String.join(
                "\n",
                "id=n-0001 kind=alerts status=firing route=shop/oncall receiver=hook",
                "groupKey=shop/oncall:{probe=orders-api}",
                "groupLabels=orders-api commonLabels=shop"
                    + " commonAnnotations=orders-api is unhealthy",
                "title=[FIRING:1] shop/orders-api ConnectionRefused",
                "text=orders-api: connection refused",
                "createdAt=2026-11-24T12:00:30Z",
                "alert a1b2c3d4e5f60718 firing orders-api ConnectionRefused"
                    + " 2026-11-24T12:00:00Z [] critical",
                "firing=1 resolved=0 alerts=1"));
  }

  @Test
  void resolvedAlertsHaveTheirEndAndTheirOwnList() {
    Notification n = group(WebhookTestNotifications.firingAlert(), resolvedOther());

    String text =
        render(
            "{#for a in resolved}{a.labels.probe} ended {a.endsAt}{/for};"
                + "{#each firing}{it.labels.probe}{/each}",
            n);

    assertThat(text).isEqualTo("carts-api ended 2026-11-24T12:05:30.250Z;orders-api");
  }

  @Test
  void kindsAndAHeartbeatWithoutDataRenderEmptyWhereNothingIs() {
    String source = "[{kind}|{status}|{groupKey}|{text}|{commonLabels.probe}|{alerts.size}]";

    assertThat(render(source, WebhookTestNotifications.test()))
        .isEqualTo("[test|firing|shop/oncall:test|a test" + " notification||0]");
    assertThat(render(source, WebhookTestNotifications.heartbeat())).isEqualTo("[heartbeat|||||0]");
  }

  @Test
  void labelsLoopInNameOrderAsEntries() {
    String text =
        render(
            "{#for l in commonLabels}{l.key}={l.value}{#if l_hasNext},{/if}{/for}",
            WebhookTestNotifications.firing());

    assertThat(text).isEqualTo("check=http,namespace=shop,probe=orders-api,severity=critical");
  }

  @Test
  void theTemplateReachesNoMethodOfAJavaObject() {
    String source =
        "[{alerts.getClass}|{this.getClass}|{status.getClass.forName('java.lang.Runtime')}"
            + "|{text.length}|{kind.toUpperCase}|{alerts.toString}|{commonLabels.getClass.name}"
            + "|{alerts.0.getClass}|{createdAt.substring(0)}|{route.hashCode}]";

    assertThat(render(source, WebhookTestNotifications.firing())).isEqualTo("[|||||||||]");
  }

  @Test
  void missingValuesRenderEmptyAndOrGivesADefault() {
    String source =
        "[{nope}|{commonLabels.nope}|{alerts.0.labels.nope.deeper}|{commonLabels.team.or('ops')}"
            + "|{#for x in nope}never{/for}|{#for x in nope}{x}{#else}none{/for}"
            + "|{#for x in alerts}{x.fingerprint}{#else}none{/for}]"
            + "[{alerts.0.labels.probe}|{alerts.first.severity}|{alerts.last.status}"
            + "|{alerts.1.labels.probe}|{alerts.123456789.status}]";

    assertThat(render(source, WebhookTestNotifications.firing()))
        .isEqualTo("[|||ops||none|a1b2c3d4e5f60718][orders-api|critical|firing||]");
    // A test notification has no alerts: what a template reads of them is empty, not an error.
    assertThat(render(source, WebhookTestNotifications.test()))
        .isEqualTo("[|||ops||none|none][||||]");
    assertThat(render(source, WebhookTestNotifications.heartbeat()))
        .isEqualTo("[|||ops||none|none][||||]");
  }

  @Test
  void conditionsAndLets() {
    String source =
        "{#if status == 'firing'}FIRE{#else}OK{/if}"
            + " {#let n=alerts.size}{n}{/let}"
            + " {#when kind}{#is 'alerts'}A{#is 'test'}T{/when}"
            + " {#with commonLabels}{probe}{/with}";

    assertThat(render(source, WebhookTestNotifications.firing())).isEqualTo("FIRE 1 A orders-api");
    assertThat(render(source, WebhookTestNotifications.resolved())).isEqualTo("OK 1 A orders-api");
  }

  @Test
  void theSampleMessageOfTheReadmeRenders() {
    String source =
        "vigie: {status} for {alerts.size} probe(s) of the school\n"
            + "{#for alert in alerts}\n"
            + "- {alert.labels.probe} ({alert.labels.severity}): {alert.annotations.summary}\n"
            + "{/for}\n";

    assertThat(render(source, group(WebhookTestNotifications.firingAlert(), resolvedOther())))
        .isEqualTo(
            "vigie: firing for 2 probe(s) of the school\n"
                + "- orders-api (critical): orders-api is unhealthy\n"
                + "- carts-api (critical): carts-api is unhealthy\n");
  }

  @Test
  void theReadmeExampleRenders() throws Exception {
    String message =
        "{#if status == 'firing'}🔴{#else}✅{/if} {alerts.size} alert(s) in"
            + " {commonLabels.namespace}\n"
            + "{#for alert in alerts}\n"
            + "- {alert.labels.probe} ({alert.severity}): {alert.annotations.summary}"
            + "{#if alert.annotations.runbook_url} {alert.annotations.runbook_url}{/if}\n"
            + "{/for}\n";
    String payload =
        "{ \"source\": \"vigie\", \"status\": {status.json}, \"route\": {route.json},\n"
            + "  \"probes\": [{#for alert in alerts}{alert.labels.probe.json}"
            + "{#if alert_hasNext}, {/if}{/for}],\n"
            + "  \"labels\": {commonLabels.json}, \"startedAt\": {alerts.first.startsAt.json} }\n";
    Alert withRunbook =
        new Alert(
            "0f0f0f0f0f0f0f0f",
            Status.FIRING,
            Map.of("probe", "carts-api"),
            Map.of("summary", "carts-api is slow", "runbook_url", "https://runbooks/carts"),
            WebhookTestNotifications.STARTED,
            null,
            "warning");
    Notification n = group(WebhookTestNotifications.firingAlert(), withRunbook);

    assertThat(render(message, n))
        .isEqualTo(
            "🔴 2 alert(s) in shop\n"
                + "- orders-api (critical): orders-api is unhealthy\n"
                + "- carts-api (warning): carts-api is slow https://runbooks/carts\n");
    JsonNode body =
        JSON.readTree(
            NotificationTemplate.compilePayload(payload, "spec.template.payload").renderPayload(n));
    assertThat(body.get("probes").toString()).isEqualTo("[\"orders-api\",\"carts-api\"]");
    assertThat(body.get("startedAt").asText()).isEqualTo("2026-11-24T12:00:00Z");
    assertThat(body.get("route").asText()).isEqualTo("shop/oncall");
    JsonNode test =
        JSON.readTree(
            NotificationTemplate.compilePayload(payload, "spec.template.payload")
                .renderPayload(WebhookTestNotifications.test()));
    assertThat(test.get("probes").size()).isZero();
    assertThat(test.get("startedAt").isNull()).isTrue();
  }

  // ---------------------------------------------------------------- json

  @Test
  void jsonWritesHostileValuesAsValidJsonThatReadsBackTheSame() throws Exception {
    Notification n = hostile();
    NotificationTemplate t =
        NotificationTemplate.compilePayload(
            "{ \"probe\": {commonLabels.probe.json}, \"summary\": {commonAnnotations.summary.json},"
                + " \"labels\": {commonLabels.json}, \"alerts\": {alerts.json},"
                + " \"names\": [{#for a in alerts}{a.labels.probe.json}{#if a_hasNext},{/if}{/for}],"
                + " \"count\": {alerts.size.json}, \"firing\": {alerts.isEmpty.json},"
                + " \"missing\": {commonLabels.nope.json}, \"nothing\": {nope.json},"
                + " \"entries\": [{#for e in commonLabels}{e.json}{#if e_hasNext},{/if}{/for}],"
                + "{#let word=\"it's\" real=2.5d big=10000000000L}"
                + " \"literal\": {word.json}, \"number\": {real.json}, \"long\": {big.json}"
                + "{/let} }",
            "spec.template.payload");

    String body = t.renderPayload(n);

    assertThat(body).isNotNull();
    JsonNode json = JSON.readTree(body);
    assertThat(json.get("probe").asText()).isEqualTo(HOSTILE);
    assertThat(json.get("summary").asText()).isEqualTo(HOSTILE);
    assertThat(json.at("/labels/probe").asText()).isEqualTo(HOSTILE);
    assertThat(json.at("/labels/namespace").asText()).isEqualTo("shop");
    assertThat(json.at("/alerts/0/labels/probe").asText()).isEqualTo(HOSTILE);
    assertThat(json.at("/alerts/0/annotations/summary").asText()).isEqualTo(HOSTILE);
    assertThat(json.at("/alerts/0/endsAt").isNull()).isTrue();
    assertThat(json.at("/alerts/1/status").asText()).isEqualTo("resolved");
    assertThat(json.at("/names/0").asText()).isEqualTo(HOSTILE);
    assertThat(json.at("/names/1").asText()).isEqualTo("carts-api");
    assertThat(json.get("count").asInt()).isEqualTo(2);
    assertThat(json.get("firing").asBoolean()).isFalse();
    assertThat(json.get("missing").isNull()).isTrue();
    assertThat(json.get("nothing").isNull()).isTrue();
    assertThat(json.at("/entries/0/key").asText()).isEqualTo("namespace");
    assertThat(json.at("/entries/1/value").asText()).isEqualTo(HOSTILE);
    assertThat(json.get("literal").asText()).isEqualTo("it's");
    assertThat(json.get("number").asDouble()).isEqualTo(2.5);
    assertThat(json.get("long").asLong()).isEqualTo(10_000_000_000L);
    assertThat(warnings).isEmpty();
  }

  @Test
  void jsonOfAMapIsTheMapEvenWithALabelNamedJson() throws Exception {
    Notification n =
        notification(
            Map.of("json", "x", "probe", "p"), List.of(WebhookTestNotifications.firingAlert()));

    String out = render("{commonLabels.json}|{commonLabels.get('json')}", n);

    assertThat(out).isEqualTo("{\"json\":\"x\",\"probe\":\"p\"}|x");
  }

  @Test
  void jsonOfValuesTheDataNeverHoldsIsNull() {
    assertThat(TemplateJson.write(Double.NaN)).isEqualTo("null");
    assertThat(TemplateJson.write(new Object())).isEqualTo("null");
    assertThat(TemplateJson.write(null)).isEqualTo("null");
  }

  @Test
  void aPayloadWithoutTheJsonHelperFallsBackOnHostileData() {
    NotificationTemplate t =
        NotificationTemplate.compilePayload(
            "{\"probe\": \"{commonLabels.probe}\"}", "spec.template.payload");

    assertThat(t.renderPayload(WebhookTestNotifications.firing()))
        .isEqualTo("{\"probe\": \"orders-api\"}");
    assertThat(t.renderPayload(hostile())).isNull();
    assertThat(warnings)
        .singleElement()
        .asString()
        .isEqualTo(
            "spec.template.payload of AlertRoute shop/oncall could not be rendered (not JSON"
                + " (line 1, column 20 of the output)); the built-in payload was sent instead")
        .doesNotContain("backslash");
  }

  @Test
  void aPayloadMustBeJsonForTheSampleNotification() {
    assertThatThrownBy(
            () ->
                NotificationTemplate.compilePayload(
                    "[{#for a in alerts}\n{a.fingerprint.json},\n{/for}]", "spec.template.payload"))
        .isInstanceOf(InvalidTemplate.class)
        .hasMessage(
            "spec.template.payload: gives no valid JSON for a sample notification: not JSON"
                + " (line 5, column 1 of the output)");
    assertThatThrownBy(() -> NotificationTemplate.compilePayload("", "spec.template.payload"))
        .hasMessage(
            "spec.template.payload: gives no valid JSON for a sample notification: the output is"
                + " empty, not JSON");
    assertThatThrownBy(() -> NotificationTemplate.compilePayload("{status.json} trailing", "p"))
        .hasMessageStartingWith("p: gives no valid JSON for a sample notification: not JSON");
  }

  // ---------------------------------------------------------------- errors

  @Test
  void parseErrorsNameTheFieldAndTheLineButNotTheSource() {
    assertInvalid(
        "ok\n{#for a in alerts}\n" + CANARY,
        "unterminated section #for: {/for} is missing (line 3)");
    assertInvalid("line\n\n{" + CANARY, "unterminated expression: a } is missing (line 3)");
    assertInvalid(
        "{#include " + CANARY + " /}",
        "unknown section #include; the sections are #if,"
            + " #for, #each, #let, #set, #with, #when and #switch (line 1)");
    assertInvalid(
        "{#eval text /}",
        "unknown section #eval; the sections are #if, #for, #each, #let, #set, #with, #when and"
            + " #switch (line 1)");
    assertInvalid(
        "{#" + "x".repeat(40) + CANARY + "}{/" + "x".repeat(40) + CANARY + "}",
        "unknown section; the sections are #if, #for, #each, #let, #set, #with, #when and #switch"
            + " (line 1)");
    assertInvalid(
        "a\n{#if status}{/for}", "an end tag does not match the section it closes" + " (line 2)");
    assertInvalid("{/if}", "an end tag without its section (line 1)");
    assertInvalid(
        "{alerts.get('" + CANARY + "}", "unterminated string literal or parenthesis" + " (line 1)");
    assertInvalid("{#if}{/if}", "a section lacks a parameter it needs (line 1)");
    assertInvalid(
        "{#if status ==}{/if}",
        "not a valid template" + " (BINARY_OPERATOR_MISSING_SECOND_OPERAND) (line 1)");
    assertInvalid("{#}", "a section tag without a name (line 1)");
    assertInvalid("{a.b(}", "invalid method call in an expression (line 1)");
    assertInvalid("{foo.bar(1)x}", "invalid method call in an expression (line 1)");
    assertInvalid("{foo[}", "invalid bracket notation in an expression (line 1)");
    assertInvalid("{@ x}", "invalid parameter declaration (line 1)");
    assertInvalid("ok\n{!" + CANARY, "not a valid template (line 2)");
  }

  @Test
  void aTemplateThatFailsForTheSampleIsRejected() {
    assertInvalid(
        "\n{#for x in status}{x}{/for}",
        "fails for a sample notification: a #for over a value that is not a list or a map"
            + " (line 2)");
    assertInvalid(
        "{#for i in 100000}{/for}",
        "fails for a sample notification: the loops ran more than 10000 iterations");
  }

  @Test
  void aSourceOverTheLimitOrMissingIsRejected() {
    String big = "x".repeat(NotificationTemplate.MAX_SOURCE_CHARS + 1);
    assertThatThrownBy(() -> NotificationTemplate.compile(big, FIELD))
        .isInstanceOf(InvalidTemplate.class)
        .hasMessage("spec.template.message: longer than 16384 characters");
    assertThat(
            render(
                "x".repeat(NotificationTemplate.MAX_SOURCE_CHARS), WebhookTestNotifications.test()))
        .hasSize(NotificationTemplate.MAX_SOURCE_CHARS);
    assertThatThrownBy(() -> NotificationTemplate.compile(null, FIELD))
        .isInstanceOfSatisfying(
            InvalidTemplate.class,
            e -> {
              assertThat(e.field()).isEqualTo(FIELD);
              assertThat(e.problem()).isEqualTo("required");
            });
  }

  @Test
  void aFailureAtRenderTimeGivesTheBuiltInTextAndAWarningWithoutData() {
    NotificationTemplate t =
        NotificationTemplate.compile(
            "{#if kind == 'test'}{#for c in title}{c}{/for}{#else}{title}{/if}", FIELD);

    Notification test = WebhookTestNotifications.test();
    Rendering failed = t.tryRender(test);

    assertThat(failed.ok()).isFalse();
    assertThat(failed.text()).isNull();
    assertThat(failed.problem())
        .isEqualTo("a #for over a value that is not a list or a map (line 1)");
    assertThat(t.render(test)).isEqualTo("a test notification");
    assertThat(warnings)
        .containsExactly(
            "spec.template.message of AlertRoute shop/oncall could not be rendered (a #for over a"
                + " value that is not a list or a map (line 1)); the built-in text was sent"
                + " instead");
    assertThat(t.render(WebhookTestNotifications.firing()))
        .isEqualTo("[FIRING:1] shop/orders-api ConnectionRefused");
    assertThat(t.field()).isEqualTo(FIELD);
    assertThat(t.toString()).isEqualTo("NotificationTemplate[spec.template.message]");
  }

  @Test
  void otherRenderFailuresAreNamedByCodeOrGenerically() {
    NotificationTemplate indexed =
        NotificationTemplate.compile("{#if kind == 'test'}{alerts.get(0)}{/if}", FIELD);
    assertThat(indexed.tryRender(WebhookTestNotifications.test()).problem())
        .isEqualTo("the template failed");

    NotificationTemplate namespaced =
        NotificationTemplate.compile("{#if kind == 'test'}{foo:bar}{/if}", FIELD);
    assertThat(namespaced.tryRender(WebhookTestNotifications.test()).problem())
        .isEqualTo("the template failed (NAMESPACE_RESOLVER_NOT_FOUND) (line 1)");
  }

  // ---------------------------------------------------------------- bounds

  @Test
  void loopsTogetherRunAtMostTheBudget() {
    NotificationTemplate t =
        NotificationTemplate.compile(
            "{#if kind == 'test'}{#for i in 100}{#for j in 100}{#for k in 2}{/for}{/for}{/for}"
                + "{/if}done",
            FIELD);

    assertThat(t.tryRender(WebhookTestNotifications.test()).problem())
        .isEqualTo("the loops ran more than 10000 iterations");
    assertThat(t.render(WebhookTestNotifications.firing())).isEqualTo("done");

    NotificationTemplate huge =
        NotificationTemplate.compile(
            "{#if kind == 'test'}{#for i in 2000000000}{/for}{/if}ok", FIELD);
    long started = System.nanoTime();
    assertThat(huge.render(WebhookTestNotifications.test())).isEqualTo("a test notification");
    assertThat(System.nanoTime() - started).isLessThan(2_000_000_000L);

    NotificationTemplate exact =
        NotificationTemplate.compile("{#for i in 100}{#for j in 99}{/for}{/for}ok", FIELD);
    assertThat(exact.render(WebhookTestNotifications.firing())).isEqualTo("ok");
  }

  @Test
  void longOutputIsCutWithAMarker() {
    NotificationTemplate t = NotificationTemplate.compile("{#for i in 9000}{title}{/for}", FIELD);

    Rendering r = t.tryRender(WebhookTestNotifications.firing());

    assertThat(r.ok()).isTrue();
    assertThat(r.truncated()).isTrue();
    assertThat(r.text()).hasSize(NotificationTemplate.MAX_OUTPUT_CHARS);
    assertThat(r.text())
        .startsWith("[FIRING:1] shop/orders-api")
        .endsWith(NotificationTemplate.CUT_MARKER);
    assertThat(t.render(WebhookTestNotifications.firing())).isEqualTo(r.text());

    Rendering json = t.tryRenderJson(WebhookTestNotifications.firing());
    assertThat(json.problem()).isEqualTo("the output is longer than 65536 characters");
  }

  @Test
  void aCutNeverSplitsACharacter() {
    int room = NotificationTemplate.MAX_OUTPUT_CHARS - NotificationTemplate.CUT_MARKER.length();
    // Rockets (two chars each) over an odd room: the cut falls inside one unless it steps back.
    Notification n =
        notification(
            Map.of("probe", "\uD83D\uDE80".repeat(room)),
            List.of(WebhookTestNotifications.firingAlert()));

    Rendering r = NotificationTemplate.compile("{commonLabels.probe}", FIELD).tryRender(n);

    assertThat(r.truncated()).isTrue();
    String kept =
        r.text().substring(0, r.text().length() - NotificationTemplate.CUT_MARKER.length());
    assertThat(kept).hasSize(room - 1);
    assertThat(Character.isHighSurrogate(kept.charAt(kept.length() - 1))).isFalse();
  }

  // ---------------------------------------------------------------- helpers

  static String render(String source, Notification n) {
    Rendering r = NotificationTemplate.compile(source, FIELD).tryRender(n);
    assertThat(r.problem()).as("problem").isNull();
    return r.text();
  }

  static void assertInvalid(String source, String problem) {
    assertThatThrownBy(() -> NotificationTemplate.compile(source, FIELD))
        .isInstanceOf(InvalidTemplate.class)
        .hasMessage(FIELD + ": " + problem)
        .hasMessageNotContaining(CANARY);
  }

  static Alert resolvedOther() {
    Map<String, String> labels = new HashMap<>(WebhookTestNotifications.firingAlert().labels());
    labels.put("probe", "carts-api");
    return new Alert(
        "0f0f0f0f0f0f0f0f",
        Status.RESOLVED,
        labels,
        Map.of("summary", "carts-api is unhealthy"),
        WebhookTestNotifications.STARTED,
        WebhookTestNotifications.ENDED,
        "critical");
  }

  static Notification group(Alert... alerts) {
    return notification(
        Map.of("namespace", "shop", "severity", "critical", "check", "http"), List.of(alerts));
  }

  static Notification notification(Map<String, String> common, List<Alert> alerts) {
    return new Notification(
        "n-1",
        Kind.ALERTS,
        "shop/oncall",
        "hook",
        "shop/oncall:{}",
        Status.FIRING,
        Map.of(),
        common,
        Map.of(),
        alerts,
        "title",
        "text",
        WebhookTestNotifications.CREATED);
  }

  /** A group whose first alert's probe label and summary are {@link #HOSTILE}. */
  static Notification hostile() {
    Map<String, String> labels =
        new LinkedHashMap<>(WebhookTestNotifications.firingAlert().labels());
    labels.put("probe", HOSTILE);
    Alert first =
        new Alert(
            "a1b2c3d4e5f60718",
            Status.FIRING,
            labels,
            Map.of("summary", HOSTILE),
            WebhookTestNotifications.STARTED,
            null,
            "critical");
    List<Alert> alerts = new ArrayList<>(List.of(first, resolvedOther()));
    return new Notification(
        "n-1",
        Kind.ALERTS,
        "shop/oncall",
        "hook",
        "shop/oncall:{}",
        Status.FIRING,
        Map.of(),
        Map.of("namespace", "shop", "probe", HOSTILE),
        Map.of("summary", HOSTILE),
        alerts,
        "title",
        "text",
        WebhookTestNotifications.CREATED);
  }
}
