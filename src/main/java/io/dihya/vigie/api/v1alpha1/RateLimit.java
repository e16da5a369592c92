package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** A per-sink notification budget; what exceeds it waits in the sink's bounded queue. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RateLimit {

  @Required
  @Min(1)
  @Max(600)
  @JsonPropertyDescription("Notifications per minute, per sink.")
  public Integer perMinute;
}
