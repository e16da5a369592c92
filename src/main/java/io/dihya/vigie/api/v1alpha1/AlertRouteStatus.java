package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator knows of a route and its sinks. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AlertRouteStatus {

  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Ready: the spec is valid and in effect; False with a reason (InvalidSpec, SecretNotFound) and"
          + " a message that says what to fix.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("The sinks' names, comma-separated (the SINKS column).")
  public String sinkNames;

  @JsonPropertyDescription("Delivery counts and the last outcome of each sink.")
  public List<SinkStatus> sinks = new ArrayList<>();

  @JsonPropertyDescription("When a notification was last delivered by any sink (RFC 3339).")
  public String lastDeliveryTime;

  @JsonPropertyDescription(
      "The last test alert, sent when the annotation vigie.dihya.io/test changes value.")
  public TestRecord lastTest;

  @JsonPropertyDescription(
      "The alerts whose firing was notified, and resolved ones still being delivered. A restarted"
          + " operator starts from this list, so nothing is notified twice or lost.")
  public List<NotifiedAlert> alerts;

  /** What the route's receivers were told of one alert. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class NotifiedAlert {
    @JsonPropertyDescription("The alert's fingerprint (16 hex digits; PagerDuty's dedup_key).")
    public String fingerprint;

    @JsonPropertyDescription("The HealthProbe's name.")
    public String probe;

    @JsonPropertyDescription("The probe's severity.")
    public String severity;

    @JsonPropertyDescription("The alert's values of the route's groupBy labels.")
    public java.util.Map<String, String> groupLabels;

    @JsonPropertyDescription(
        "Firing once its firing was notified; Resolved while its resolved notification is"
            + " delivered.")
    public String state;

    @JsonPropertyDescription(
        "True until every sink has delivered (or given up on) the latest notification of it.")
    public Boolean pending;

    @JsonPropertyDescription("When it started firing (RFC 3339).")
    public String startsAt;

    @JsonPropertyDescription("When it was last notified (RFC 3339).")
    public String notifiedAt;
  }

  /** One sink's delivery record. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SinkStatus {
    @JsonPropertyDescription("The sink's name.")
    public String name;

    @JsonPropertyDescription("Notifications delivered.")
    public Long delivered;

    @JsonPropertyDescription("Notifications given up after retries, or dropped.")
    public Long failed;

    @JsonPropertyDescription("When a notification was last delivered (RFC 3339).")
    public String lastDeliveryTime;

    @JsonPropertyDescription("The last delivery error, redacted.")
    public String lastError;

    @JsonPropertyDescription("ipfs sinks: the CID of the last notification added.")
    public String lastCid;
  }

  /** The outcome of a test alert. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class TestRecord {
    @JsonPropertyDescription("When the test was sent (RFC 3339).")
    public String time;

    @JsonPropertyDescription("The annotation value that asked for it.")
    public String request;

    @JsonPropertyDescription("Succeeded when every sink delivered it, otherwise Failed.")
    public String result;

    @JsonPropertyDescription("Which sinks failed, redacted.")
    public String message;
  }
}
