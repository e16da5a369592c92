package io.dihya.vigie.alert;

import io.dihya.vigie.alert.sink.NotificationTemplate;
import io.dihya.vigie.api.v1alpha1.AlertRouteSpec;
import io.dihya.vigie.api.v1alpha1.Limits;
import io.dihya.vigie.api.v1alpha1.MuteTimeInterval;
import io.dihya.vigie.api.v1alpha1.Silence;
import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.api.v1alpha1.WebhookSink;
import io.dihya.vigie.kube.SpecBounds;
import io.dihya.vigie.kube.SpecProblems;
import io.dihya.vigie.kube.SpecText;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks the rules of an AlertRoute spec that the CRD schema cannot express. */
public final class AlertRouteValidator {

  static final Duration MIN_GROUP_INTERVAL = Duration.ofSeconds(1);
  static final Duration MIN_HEARTBEAT = Duration.ofMinutes(1);
  static final Duration MAX_GROUP_INTERVAL = Duration.ofHours(24);
  static final Duration MAX_REPEAT_INTERVAL = Duration.ofDays(30);
  static final Duration MAX_HEARTBEAT = Duration.ofHours(24);

  private static final Pattern LABEL_NAME = Pattern.compile("^[a-zA-Z_][a-zA-Z0-9_]*$");
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s<>]+@[^@\\s<>]+$");
  private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");
  static final int MAX_SELECTOR_TERMS = 32;

  private AlertRouteValidator() {}

  public static SpecProblems validate(AlertRouteSpec spec) {
    SpecProblems problems = new SpecProblems();
    if (spec == null) {
      problems.add("spec", "required");
      return problems;
    }
    selectorBounds(spec.probeSelector, problems);
    SpecBounds.sizes("spec", spec, problems);
    if (!problems.isEmpty()) {
      return problems; // past the schema's bounds: not worth looking into, nor safe to
    }
    problems.duration("spec.groupWait", spec.groupWait, Duration.ZERO, MAX_GROUP_INTERVAL);
    problems.duration(
        "spec.groupInterval", spec.groupInterval, MIN_GROUP_INTERVAL, MAX_GROUP_INTERVAL);
    problems.duration(
        "spec.repeatInterval", spec.repeatInterval, MIN_GROUP_INTERVAL, MAX_REPEAT_INTERVAL);
    if (spec.heartbeat != null) {
      problems.duration(
          "spec.heartbeat.interval", spec.heartbeat.interval, MIN_HEARTBEAT, MAX_HEARTBEAT);
      Set<String> sinkNames = new HashSet<>();
      (spec.sinks == null ? List.<Sink>of() : spec.sinks).forEach(s -> sinkNames.add(s.name));
      for (int i = 0; i < spec.heartbeat.sinks.size(); i++) {
        problems.check(
            !sinkNames.contains(spec.heartbeat.sinks.get(i)),
            "spec.heartbeat.sinks[" + i + "]",
            "names no sink of this route");
      }
    }
    for (int i = 0; i < spec.groupBy.size(); i++) {
      String label = spec.groupBy.get(i);
      problems.check(
          label == null || !LABEL_NAME.matcher(label).matches(),
          "spec.groupBy[" + i + "]",
          "not a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
    }
    if (spec.probeSelector != null) {
      validateSelector(spec.probeSelector.getMatchExpressions(), problems);
    }
    validateMuteTimeIntervals(spec.muteTimeIntervals, problems);
    validateSilences(spec.silences, problems);
    if (spec.redaction != null) {
      for (int i = 0; i < spec.redaction.patterns.size(); i++) {
        String pattern = spec.redaction.patterns.get(i);
        String path = "spec.redaction.patterns[" + i + "]";
        if (pattern == null || pattern.isEmpty()) {
          problems.add(path, "must not be empty");
        } else {
          problems.regex(path, pattern);
        }
      }
    }
    validateSinks(spec.sinks, problems);
    validateTemplate(spec, problems);
    // Last: ranges and characters of every field, except where a rule above said more.
    SpecBounds.contents("spec", spec, problems);
    return problems;
  }

  /**
   * The bounds of the probe selector, a Kubernetes type the schema takes as it is: at most {@value
   * #MAX_SELECTOR_TERMS} labels and expressions, {@value #MAX_SELECTOR_TERMS} values each, every
   * key and value one line of at most {@link Limits#NAME} characters.
   */
  private static void selectorBounds(LabelSelector selector, SpecProblems problems) {
    if (selector == null) {
      return;
    }
    String path = "spec.probeSelector";
    Map<String, String> labels = selector.getMatchLabels();
    if (labels != null && labels.size() > MAX_SELECTOR_TERMS) {
      problems.add(path + ".matchLabels", "at most " + MAX_SELECTOR_TERMS + " entries");
    } else if (labels != null) {
      int index = 0;
      for (Map.Entry<String, String> label : labels.entrySet()) {
        String at = path + ".matchLabels (entry " + index++ + ")";
        selectorText(at, label.getKey(), problems);
        selectorText(at, label.getValue(), problems);
      }
    }
    List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
    if (expressions != null && expressions.size() > MAX_SELECTOR_TERMS) {
      problems.add(path + ".matchExpressions", "at most " + MAX_SELECTOR_TERMS + " items");
      return;
    }
    for (int i = 0; expressions != null && i < expressions.size(); i++) {
      LabelSelectorRequirement r = expressions.get(i);
      String at = path + ".matchExpressions[" + i + "]";
      selectorText(at + ".key", r.getKey(), problems);
      selectorText(at + ".operator", r.getOperator(), problems);
      List<String> values = r.getValues();
      if (values != null && values.size() > MAX_SELECTOR_TERMS) {
        problems.add(at + ".values", "at most " + MAX_SELECTOR_TERMS + " items");
      } else if (values != null) {
        for (int j = 0; j < values.size(); j++) {
          selectorText(at + ".values[" + j + "]", values.get(j), problems);
        }
      }
    }
  }

  private static void selectorText(String path, String text, SpecProblems problems) {
    if (text == null || problems.has(path)) {
      return;
    }
    String problem =
        text.length() > Limits.NAME
            ? "at most " + Limits.NAME + " characters"
            : SpecText.LINE.problem(text);
    if (problem != null) {
      problems.add(path, problem);
    }
  }

  /** The names of the sink kinds set on {@code sink}. */
  public static List<String> sinkKinds(Sink sink) {
    List<String> kinds = new ArrayList<>();
    addIf(kinds, sink.log, "log");
    addIf(kinds, sink.webhook, "webhook");
    addIf(kinds, sink.slack, "slack");
    addIf(kinds, sink.teams, "teams");
    addIf(kinds, sink.pagerduty, "pagerduty");
    addIf(kinds, sink.email, "email");
    addIf(kinds, sink.alertmanager, "alertmanager");
    addIf(kinds, sink.ipfs, "ipfs");
    return kinds;
  }

  private static void addIf(List<String> kinds, Object block, String kind) {
    if (block != null) {
      kinds.add(kind);
    }
  }

  private static void validateSelector(
      List<LabelSelectorRequirement> requirements, SpecProblems problems) {
    if (requirements == null) {
      return;
    }
    for (int i = 0; i < requirements.size(); i++) {
      LabelSelectorRequirement r = requirements.get(i);
      String path = "spec.probeSelector.matchExpressions[" + i + "]";
      if (!OPERATORS.contains(r.getOperator())) {
        problems.add(path + ".operator", "must be In, NotIn, Exists or DoesNotExist");
        continue;
      }
      boolean needsValues = r.getOperator().equals("In") || r.getOperator().equals("NotIn");
      boolean hasValues = r.getValues() != null && !r.getValues().isEmpty();
      problems.check(
          needsValues != hasValues,
          path + ".values",
          needsValues
              ? "required with In and NotIn"
              : "must be empty with Exists and DoesNotExist");
    }
  }

  private static void validateMuteTimeIntervals(
      List<MuteTimeInterval> intervals, SpecProblems problems) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < intervals.size(); i++) {
      MuteTimeInterval interval = intervals.get(i);
      String path = "spec.muteTimeIntervals[" + i + "]";
      problems.check(!names.add(String.valueOf(interval.name)), path + ".name", "used twice");
      try {
        ZoneId.of(interval.timeZone == null ? "UTC" : interval.timeZone);
      } catch (DateTimeException e) {
        problems.add(path + ".timeZone", "not an IANA time zone such as Europe/Paris");
      }
      for (int j = 0; j < interval.times.size(); j++) {
        MuteTimeInterval.TimeRange range = interval.times.get(j);
        boolean valid =
            range.start != null
                && range.end != null
                && range.start.matches(MuteTimeInterval.TimeRange.CLOCK_PATTERN)
                && range.end.matches(MuteTimeInterval.TimeRange.CLOCK_PATTERN);
        String rangePath = path + ".times[" + j + "]";
        if (!valid) {
          problems.add(rangePath, "start and end must be HH:MM");
        } else {
          problems.check(
              range.end.compareTo(range.start) <= 0, rangePath, "end must be after start");
        }
      }
      for (int j = 0; j < interval.weekdays.size(); j++) {
        String days = interval.weekdays.get(j);
        problems.check(
            days == null || !days.matches(MuteTimeInterval.WEEKDAYS_PATTERN),
            path + ".weekdays[" + j + "]",
            "write a weekday (monday) or a range (monday:friday)");
      }
    }
  }

  private static void validateSilences(List<Silence> silences, SpecProblems problems) {
    for (int i = 0; i < silences.size(); i++) {
      Silence silence = silences.get(i);
      String path = "spec.silences[" + i + "]";
      OffsetDateTime start = time(silence.startsAt, path + ".startsAt", problems);
      OffsetDateTime end = time(silence.endsAt, path + ".endsAt", problems);
      if (start != null && end != null) {
        problems.check(!end.isAfter(start), path + ".endsAt", "must be after startsAt");
      }
    }
  }

  private static OffsetDateTime time(String text, String path, SpecProblems problems) {
    if (text == null) {
      problems.add(path, "required");
      return null;
    }
    try {
      return OffsetDateTime.parse(text);
    } catch (DateTimeParseException e) {
      problems.add(path, "not an RFC 3339 time such as 2026-11-24T22:00:00Z");
      return null;
    }
  }

  /**
   * Compiles the templates (each also rendered for a sample notification, the payload parsed as
   * JSON) and checks that a payload template meets only json webhooks.
   */
  private static void validateTemplate(AlertRouteSpec spec, SpecProblems problems) {
    if (spec.template == null) {
      return;
    }
    if (spec.template.message != null) {
      try {
        NotificationTemplate.compile(spec.template.message, "spec.template.message");
      } catch (NotificationTemplate.InvalidTemplate e) {
        problems.add(e.field(), e.problem());
      }
    }
    if (spec.template.payload != null) {
      try {
        NotificationTemplate.compilePayload(spec.template.payload, "spec.template.payload");
      } catch (NotificationTemplate.InvalidTemplate e) {
        problems.add(e.field(), e.problem());
      }
    }
    if (spec.template.payload == null || spec.sinks == null) {
      return;
    }
    for (int i = 0; i < spec.sinks.size(); i++) {
      WebhookSink webhook = spec.sinks.get(i).webhook;
      if (webhook != null && webhook.format != null && webhook.format != WebhookSink.Format.json) {
        problems.add(
            "spec.sinks[" + i + "].webhook.format",
            NotificationTemplate.payloadFormatProblem(webhook.format.name()));
      }
    }
  }

  private static void validateSinks(List<Sink> sinks, SpecProblems problems) {
    if (sinks == null || sinks.isEmpty()) {
      problems.add("spec.sinks", "at least one sink is required");
      return;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < sinks.size(); i++) {
      Sink sink = sinks.get(i);
      String path = "spec.sinks[" + i + "]";
      problems.check(sink.name == null, path + ".name", "required");
      problems.check(sink.name != null && !names.add(sink.name), path + ".name", "used twice");
      List<String> kinds = sinkKinds(sink);
      if (kinds.size() != 1) {
        problems.add(
            path,
            "set exactly one of log, webhook, slack, teams, pagerduty, email, alertmanager, ipfs"
                + (kinds.isEmpty() ? "" : "; found " + String.join(", ", kinds)));
      }
      if (sink.webhook != null) {
        problems.check(
            (sink.webhook.url == null) == (sink.webhook.urlSecretRef == null),
            path + ".webhook",
            "set exactly one of url and urlSecretRef");
        problems.headers(path + ".webhook.headers", sink.webhook.headers);
        problems.tls(path + ".webhook.tls", sink.webhook.tls);
      }
      if (sink.ipfs != null) {
        problems.headers(path + ".ipfs.headers", sink.ipfs.headers);
        problems.tls(path + ".ipfs.tls", sink.ipfs.tls);
      }
      if (sink.email != null) {
        problems.check(
            sink.email.from == null || !EMAIL.matcher(sink.email.from).matches(),
            path + ".email.from",
            "not an e-mail address");
        for (int j = 0; j < sink.email.to.size(); j++) {
          String to = sink.email.to.get(j);
          problems.check(
              to == null || !EMAIL.matcher(to).matches(),
              path + ".email.to[" + j + "]",
              "not an e-mail address");
        }
        problems.check(
            sink.email.usernameSecretRef != null && sink.email.passwordSecretRef == null,
            path + ".email.usernameSecretRef",
            "needs passwordSecretRef too");
      }
      if (sink.alertmanager != null) {
        problems.check(
            sink.alertmanager.basicAuth != null && sink.alertmanager.bearerTokenSecretRef != null,
            path + ".alertmanager",
            "set at most one of basicAuth and bearerTokenSecretRef");
        problems.tls(path + ".alertmanager.tls", sink.alertmanager.tls);
      }
      if (sink.email != null) {
        problems.tls(path + ".email.tls", sink.email.tls);
      }
    }
  }
}
