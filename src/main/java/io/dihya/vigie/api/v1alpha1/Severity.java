package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How urgent a probe's incidents are; routes select on it and sinks map it to their own levels. */
public enum Severity {
  @JsonProperty("critical")
  CRITICAL,
  @JsonProperty("warning")
  WARNING,
  @JsonProperty("info")
  INFO
}
