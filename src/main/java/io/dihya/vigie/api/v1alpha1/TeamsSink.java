package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A Microsoft Teams Workflows webhook, sent an Adaptive Card 1.4. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TeamsSink {

  @Required
  @JsonPropertyDescription("Secret key holding the Workflows webhook URL.")
  public SecretKeyRef urlSecretRef;
}
