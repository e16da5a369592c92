package io.dihya.vigie.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.AlertRouteSpec;
import io.dihya.vigie.api.v1alpha1.EmailSink;
import io.dihya.vigie.api.v1alpha1.Heartbeat;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.LogSink;
import io.dihya.vigie.api.v1alpha1.MessageTemplate;
import io.dihya.vigie.api.v1alpha1.Redaction;
import io.dihya.vigie.api.v1alpha1.Silence;
import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.api.v1alpha1.WebhookSink;
import io.dihya.vigie.kube.SpecProblems;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Routes written to hurt the operator: refused with the field named, quickly, without echoes. */
class HostileAlertRouteSpecTest {

  private static final String MEGABYTE = "a".repeat(1 << 20);

  @Test
  void durationsOutOfRangeAreRefused() {
    AlertRouteSpec spec = route(logSink("audit"));
    spec.groupWait = "25h";
    spec.groupInterval = "999999999d";
    spec.repeatInterval = "31d";
    spec.heartbeat = new Heartbeat();
    spec.heartbeat.interval = "2d";
    assertThat(problems(spec))
        .containsExactly(
            "spec.groupWait: must be at most 24h",
            "spec.groupInterval: must be at most 24h",
            "spec.repeatInterval: must be at most 30d",
            "spec.heartbeat.interval: must be at most 24h");
  }

  @Test
  void hugeListsAndTextsAreRefusedBeforeAnyRuleRuns() {
    AlertRouteSpec spec = route(logSink("audit"));
    spec.silences = Collections.nCopies(10_000, new Silence());
    spec.redaction = new Redaction();
    spec.redaction.patterns = List.of("(a|aa)+" + MEGABYTE);
    spec.template = new MessageTemplate();
    spec.template.message = MEGABYTE;
    spec.groupBy = Collections.nCopies(1000, "namespace");
    long start = System.nanoTime();
    List<String> found = problems(spec);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(found)
        .containsExactly(
            "spec.groupBy: at most 32 items (found 1000)",
            "spec.silences: at most 64 items (found 10000)",
            "spec.redaction.patterns[0]: at most 1024 characters (found 1048583)",
            "spec.template.message: at most 16384 characters (found 1048576)");
  }

  @Test
  void aHugeOrHostileProbeSelectorIsRefused() {
    AlertRouteSpec spec = route(logSink("audit"));
    spec.probeSelector =
        new LabelSelectorBuilder()
            .withMatchLabels(Map.of("team", "pay\u202ements"))
            .addNewMatchExpression()
            .withKey("tier")
            .withOperator("In")
            .withValues(Collections.nCopies(1000, "web"))
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey(MEGABYTE)
            .withOperator("Exists")
            .endMatchExpression()
            .build();
    assertThat(problems(spec))
        .containsExactly(
            "spec.probeSelector.matchLabels (entry 0): contains a bidirectional control character"
                + " (U+202E) at index 3: remove it",
            "spec.probeSelector.matchExpressions[0].values: at most 32 items",
            "spec.probeSelector.matchExpressions[1].key: at most 253 characters");
  }

  @Test
  void headerInjectionAndInvisibleCharactersInSinksAreRefused() {
    Sink hook = new Sink();
    hook.name = "hook";
    hook.webhook = new WebhookSink();
    hook.webhook.url = "http://hook.svc/\u200b";
    HttpHeader injected = new HttpHeader();
    injected.name = "Authorization";
    injected.value = "Bearer x\r\nX-Forwarded-For: 10.0.0.1";
    hook.webhook.headers = List.of(injected);
    Sink mail = new Sink();
    mail.name = "mail";
    mail.email = new EmailSink();
    mail.email.host = "smtp.svc";
    mail.email.from = "vigie@example.org";
    mail.email.to = List.of("ops@example.org\r\nBcc: everyone@example.org");
    assertThat(problems(route(hook, mail)))
        .containsExactly(
            "spec.sinks[1].email.to[0]: not an e-mail address",
            "spec.sinks[0].webhook.url: contains an invisible character (U+200B) at index 16:"
                + " remove it",
            "spec.sinks[0].webhook.headers[0].value: contains a control character (U+000D) at"
                + " index 8: header values are printable ASCII, spaces and tabs");
  }

  @Test
  void proseMayHoldLineBreaksJoinersAndMarksButNoOverrides() {
    AlertRouteSpec spec = route(logSink("audit"));
    spec.template = new MessageTemplate();
    spec.template.message = "{#if status == 'firing'}🧑‍🚒{/if}\n\u200f{alerts.size}\tprobes";
    Silence silence = new Silence();
    silence.startsAt = "2026-11-24T22:00:00Z";
    silence.endsAt = "2026-11-25T02:00:00Z";
    silence.comment = "change \u2067ticket\u2069 CHG-1";
    spec.silences = List.of(silence);
    assertThat(problems(spec))
        .containsExactly(
            "spec.silences[0].comment: contains a bidirectional control character (U+2067) at"
                + " index 7: remove it");
  }

  private static List<String> problems(AlertRouteSpec spec) {
    SpecProblems problems = AlertRouteValidator.validate(spec);
    assertThat(problems.message()).doesNotContain("aaaaaaaa").doesNotContain("everyone");
    return problems.list();
  }

  private static AlertRouteSpec route(Sink... sinks) {
    AlertRouteSpec spec = new AlertRouteSpec();
    spec.sinks = List.of(sinks);
    return spec;
  }

  private static Sink logSink(String name) {
    Sink sink = new Sink();
    sink.name = name;
    sink.log = new LogSink();
    return sink;
  }
}
