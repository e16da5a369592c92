package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * Which probes' incidents go where, and how often. A route sees only the probes of its own
 * namespace.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AlertRouteSpec {

  /** Most silences of one route. */
  public static final int SILENCES = 64;

  @JsonPropertyDescription(
      "Selects the HealthProbes of this namespace whose alerts this route receives, by their labels."
          + " Empty or absent: every probe of the namespace.")
  public LabelSelector probeSelector;

  @Size(max = 3)
  @JsonPropertyDescription("Severities to receive (critical, warning, info). Empty: all.")
  public List<Severity> severities = new ArrayList<>();

  @Default("[\"namespace\",\"probe\"]")
  @JsonPropertyDescription(
      "Alert labels whose values form a group: alerts of one group go out together in one"
          + " notification. Default: namespace and probe (one group per probe). At most 32.")
  @Size(max = Limits.ITEMS)
  public List<@Size(max = Limits.NAME) String> groupBy =
      new ArrayList<>(List.of("namespace", "probe"));

  @Default("30s")
  @Pattern(DurationFormat.PATTERN)
  @Size(max = DurationFormat.MAX_LENGTH)
  @JsonPropertyDescription(
      "How long a new group waits for more alerts before its first notification, at most 24h. A"
          + " probe that fails and recovers within it sends nothing.")
  public String groupWait = "30s";

  @Default("5m")
  @Pattern(DurationFormat.PATTERN)
  @Size(max = DurationFormat.MAX_LENGTH)
  @JsonPropertyDescription(
      "Least time between two notifications of a group that changed; 1s to 24h.")
  public String groupInterval = "5m";

  @Default("4h")
  @Pattern(DurationFormat.PATTERN)
  @Size(max = DurationFormat.MAX_LENGTH)
  @JsonPropertyDescription(
      "How often a group that is still firing, unchanged, is notified again; 1s to 30d.")
  public String repeatInterval = "4h";

  @Default("true")
  @JsonPropertyDescription("Notify when a firing alert resolves.")
  public Boolean sendResolved = true;

  @JsonPropertyDescription(
      "Recurring weekly windows (e.g. a maintenance night) during which alerts are recorded but not"
          + " sent. At most 32.")
  @Size(max = Limits.ITEMS)
  public List<MuteTimeInterval> muteTimeIntervals = new ArrayList<>();

  @Size(max = SILENCES)
  @JsonPropertyDescription(
      "One-off windows during which matching alerts are recorded but not sent. At most 64.")
  public List<Silence> silences = new ArrayList<>();

  @JsonPropertyDescription("Most notifications each sink of this route sends per minute.")
  public RateLimit rateLimit;

  @JsonPropertyDescription(
      "A periodic \"pipeline alive\" notification to every sink, for a dead-man's switch elsewhere.")
  public Heartbeat heartbeat;

  @JsonPropertyDescription(
      "Redaction added to the operator's own for this route's notifications: extra patterns and"
          + " anonymisation switches.")
  public Redaction redaction;

  @JsonPropertyDescription(
      "Qute templates for the notification text and the webhook body, with the alert group as data."
          + " Defaults are built in.")
  public MessageTemplate template;

  @Required
  @Size(min = 1, max = 16)
  @JsonPropertyDescription("Where notifications go. Each sink has a name and exactly one kind.")
  public List<Sink> sinks = new ArrayList<>();
}
