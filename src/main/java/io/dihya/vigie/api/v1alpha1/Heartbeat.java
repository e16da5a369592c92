package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** A periodic notification proving the alert pipeline alive. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Heartbeat {

  @Required
  @Pattern(DurationFormat.PATTERN)
  @Size(max = DurationFormat.MAX_LENGTH)
  @JsonPropertyDescription("How often to send the heartbeat, e.g. 5m. At least 1m, at most 24h.")
  public String interval;

  @JsonPropertyDescription(
      "Names of the route's sinks that receive the heartbeat, e.g. a dead-man's-switch webhook. Empty:"
          + " every sink (think twice before sending heartbeats to a pager).")
  @Size(max = Limits.ITEMS)
  public List<@Pattern(Names.DNS_LABEL) @Size(max = Limits.LABEL) String> sinks = new ArrayList<>();
}
