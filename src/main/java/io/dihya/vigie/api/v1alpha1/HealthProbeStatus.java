package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator knows of a probe. Written only when something a user cares about changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HealthProbeStatus {

  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription(
      "Ready: the spec was accepted and the probe is scheduled. Healthy: the target's health after"
          + " thresholds.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Healthy, Unhealthy, Unknown or Suspended.")
  public Health health;

  @JsonPropertyDescription("A short, redacted rendering of what is checked (the TARGET column).")
  public String target;

  @JsonPropertyDescription("The most recent check.")
  public CheckRecord lastCheck;

  @JsonPropertyDescription("Failed checks in a row.")
  public Integer consecutiveFailures;

  @JsonPropertyDescription("Successful checks in a row.")
  public Integer consecutiveSuccesses;

  @JsonPropertyDescription("The most recent failed check.")
  public CheckRecord lastFailure;

  @JsonPropertyDescription("When health last changed (RFC 3339, UTC).")
  public String since;

  @JsonPropertyDescription(
      "Expiry (RFC 3339) of the earliest-expiring certificate the target presented, for tls checks"
          + " and https URLs.")
  public String certificateNotAfter;
}
