package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A Slack incoming webhook. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SlackSink {

  @Required
  @JsonPropertyDescription(
      "Secret key holding the incoming-webhook URL (https://hooks.slack.com/services/...).")
  public SecretKeyRef urlSecretRef;
}
