package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/** A periodic notification proving the alert pipeline alive. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Heartbeat {

  @Required
  @Pattern(DurationFormat.PATTERN)
  @JsonPropertyDescription("How often to send the heartbeat, e.g. 5m. At least 1m.")
  public String interval;

  @JsonPropertyDescription(
      "Names of the route's sinks that receive the heartbeat, e.g. a dead-man's-switch webhook. Empty:"
          + " every sink (think twice before sending heartbeats to a pager).")
  public List<@Pattern(Names.DNS_LABEL) String> sinks = new ArrayList<>();
}
