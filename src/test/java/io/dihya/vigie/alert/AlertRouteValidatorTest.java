package io.dihya.vigie.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.AlertRouteSpec;
import io.dihya.vigie.api.v1alpha1.AlertmanagerSink;
import io.dihya.vigie.api.v1alpha1.EmailSink;
import io.dihya.vigie.api.v1alpha1.Heartbeat;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.LogSink;
import io.dihya.vigie.api.v1alpha1.MessageTemplate;
import io.dihya.vigie.api.v1alpha1.MuteTimeInterval;
import io.dihya.vigie.api.v1alpha1.Redaction;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.api.v1alpha1.Silence;
import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.api.v1alpha1.WebhookSink;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertRouteValidatorTest {

  @Test
  void aRouteWithOneLogSinkIsValid() {
    assertThat(AlertRouteValidator.validate(route(logSink("audit"))).list()).isEmpty();
  }

  @Test
  void missingSpecOrSinks() {
    assertThat(AlertRouteValidator.validate(null).list()).containsExactly("spec: required");
    assertThat(AlertRouteValidator.validate(new AlertRouteSpec()).list())
        .containsExactly("spec.sinks: at least one sink is required");
  }

  @Test
  void timingGroupingAndSelectorRules() {
    AlertRouteSpec spec = route(logSink("audit"));
    spec.groupWait = "later";
    spec.groupInterval = "0s";
    spec.heartbeat = new Heartbeat();
    spec.heartbeat.interval = "30s";
    spec.groupBy = List.of("namespace", "probe-name");
    spec.probeSelector =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("team")
            .withOperator("Equals")
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey("tier")
            .withOperator("In")
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey("sector")
            .withOperator("Exists")
            .withValues("health")
            .endMatchExpression()
            .build();
    assertThat(AlertRouteValidator.validate(spec).list())
        .containsExactly(
            "spec.groupWait: not a duration; write it like 30s, 5m, 1h30m or 14d",
            "spec.groupInterval: must be at least 1s",
            "spec.heartbeat.interval: must be at least 1m",
            "spec.groupBy[1]: not a label name ([a-zA-Z_][a-zA-Z0-9_]*)",
            "spec.probeSelector.matchExpressions[0].operator: must be In, NotIn, Exists or"
                + " DoesNotExist",
            "spec.probeSelector.matchExpressions[1].values: required with In and NotIn",
            "spec.probeSelector.matchExpressions[2].values: must be empty with Exists and"
                + " DoesNotExist");
  }

  @Test
  void muteWindowsSilencesAndRedactionRules() {
    AlertRouteSpec spec = route(logSink("audit"));
    MuteTimeInterval night = new MuteTimeInterval();
    night.name = "night";
    night.timeZone = "Mars/Olympus";
    MuteTimeInterval.TimeRange backwards = new MuteTimeInterval.TimeRange();
    backwards.start = "22:00";
    backwards.end = "06:00";
    MuteTimeInterval.TimeRange garbled = new MuteTimeInterval.TimeRange();
    garbled.start = "7am";
    garbled.end = "09:00";
    night.times = List.of(backwards, garbled);
    night.weekdays = List.of("monday:friday", "funday");
    MuteTimeInterval again = new MuteTimeInterval();
    again.name = "night";
    spec.muteTimeIntervals = List.of(night, again);
    Silence inverted = new Silence();
    inverted.startsAt = "2026-11-25T10:00:00Z";
    inverted.endsAt = "2026-11-25T09:00:00Z";
    Silence garbledSilence = new Silence();
    garbledSilence.startsAt = "tomorrow";
    spec.silences = List.of(inverted, garbledSilence);
    spec.redaction = new Redaction();
    spec.redaction.patterns = List.of("PAT-[0-9]{8}", "[", "");
    assertThat(AlertRouteValidator.validate(spec).list())
        .containsExactly(
            "spec.muteTimeIntervals[0].timeZone: not an IANA time zone such as Europe/Paris",
            "spec.muteTimeIntervals[0].times[0]: end must be after start",
            "spec.muteTimeIntervals[0].times[1]: start and end must be HH:MM",
            "spec.muteTimeIntervals[0].weekdays[1]: write a weekday (monday) or a range"
                + " (monday:friday)",
            "spec.muteTimeIntervals[1].name: used twice",
            "spec.silences[0].endsAt: must be after startsAt",
            "spec.silences[1].startsAt: not an RFC 3339 time such as 2026-11-24T22:00:00Z",
            "spec.silences[1].endsAt: required",
            "spec.redaction.patterns[1]: not a valid regular expression: Unclosed character class",
            "spec.redaction.patterns[2]: must not be empty");
  }

  @Test
  void sinkRulesNeverEchoAddresses() {
    Sink noKind = new Sink();
    noKind.name = "empty";
    Sink hook = new Sink();
    hook.name = "hook";
    hook.webhook = new WebhookSink();
    hook.webhook.url = "http://a.svc/";
    hook.webhook.urlSecretRef = new SecretKeyRef("hook", "url");
    HttpHeader header = new HttpHeader();
    header.name = "X-Key";
    hook.webhook.headers = List.of(header);
    Sink mail = new Sink();
    mail.name = "mail";
    mail.email = new EmailSink();
    mail.email.host = "smtp";
    mail.email.from = "not-an-address";
    mail.email.to = List.of("nurse.jane@clinic.example", "jane at clinic");
    mail.email.usernameSecretRef = new SecretKeyRef("smtp", "user");
    Sink am = new Sink();
    am.name = "am";
    am.alertmanager = new AlertmanagerSink();
    am.alertmanager.url = "http://am:9093";
    am.alertmanager.basicAuth = new HttpCheck.BasicAuth();
    am.alertmanager.bearerTokenSecretRef = new SecretKeyRef("am", "token");
    Sink unnamed = logSink(null);
    var problems = AlertRouteValidator.validate(route(noKind, hook, mail, am, unnamed));
    assertThat(problems.list())
        .containsExactly(
            "spec.sinks[0]: set exactly one of log, webhook, slack, teams, pagerduty, email,"
                + " alertmanager, ipfs",
            "spec.sinks[1].webhook: set exactly one of url and urlSecretRef",
            "spec.sinks[1].webhook.headers[0]: set exactly one of value and valueFrom",
            "spec.sinks[2].email.from: not an e-mail address",
            "spec.sinks[2].email.to[1]: not an e-mail address",
            "spec.sinks[2].email.usernameSecretRef: needs passwordSecretRef too",
            "spec.sinks[3].alertmanager: set at most one of basicAuth and bearerTokenSecretRef",
            "spec.sinks[4].name: required");
    assertThat(problems.message()).doesNotContain("jane");
  }

  @Test
  void heartbeatSinksMustExistAndClientCertificatesNeedTheirKeys() {
    Sink hook = new Sink();
    hook.name = "hook";
    hook.webhook = new WebhookSink();
    hook.webhook.url = "https://dms.example/ping";
    hook.webhook.tls = new io.dihya.vigie.api.v1alpha1.ClientTls();
    hook.webhook.tls.certSecretRef = new SecretKeyRef("client", "tls.crt");
    AlertRouteSpec spec = route(hook);
    spec.heartbeat = new Heartbeat();
    spec.heartbeat.interval = "5m";
    spec.heartbeat.sinks = List.of("hook", "pager");
    assertThat(AlertRouteValidator.validate(spec).list())
        .containsExactly(
            "spec.heartbeat.sinks[1]: names no sink of this route",
            "spec.sinks[0].webhook.tls: certSecretRef and keySecretRef go together: set both or"
                + " neither");
  }

  @Test
  void templatesMustCompileAndAPayloadMeetsOnlyJsonWebhooks() {
    Sink json = webhook("json", WebhookSink.Format.json);
    Sink plain = webhook("plain", null);
    Sink events = webhook("events", WebhookSink.Format.cloudevents);
    Sink am = webhook("am", WebhookSink.Format.alertmanager);
    AlertRouteSpec spec = route(json, plain, events, am);
    spec.template = new MessageTemplate();
    spec.template.message = "{#for a in alerts}\n{a.labels.probe} SECRET-NOTE";
    spec.template.payload = "[{#for a in alerts}{a.fingerprint.json},{/for}]";

    assertThat(AlertRouteValidator.validate(spec).list())
        .containsExactly(
            "spec.template.message: unterminated section #for: {/for} is missing (line 2)",
            "spec.template.payload: gives no valid JSON for a sample notification: not JSON"
                + " (line 1, column 40 of the output)",
            "spec.sinks[2].webhook.format: cloudevents has a fixed schema;"
                + " spec.template.payload applies only to format json (use format json, or put"
                + " this sink in an AlertRoute without a payload template)",
            "spec.sinks[3].webhook.format: alertmanager has a fixed schema;"
                + " spec.template.payload applies only to format json (use format json, or put"
                + " this sink in an AlertRoute without a payload template)");

    spec.template.message = "{status}: {alerts.size} alert(s)";
    spec.template.payload = "[{#for a in alerts}{a.fingerprint.json}{#if a_hasNext},{/if}{/for}]";
    spec.sinks = List.of(json, plain);
    assertThat(AlertRouteValidator.validate(spec).list()).isEmpty();

    // A message template alone goes with every format.
    spec.template.payload = null;
    spec.sinks = List.of(json, events, am);
    assertThat(AlertRouteValidator.validate(spec).list()).isEmpty();
  }

  private static Sink webhook(String name, WebhookSink.Format format) {
    Sink sink = new Sink();
    sink.name = name;
    sink.webhook = new WebhookSink();
    sink.webhook.url = "http://" + name + ".svc/";
    sink.webhook.format = format;
    return sink;
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
