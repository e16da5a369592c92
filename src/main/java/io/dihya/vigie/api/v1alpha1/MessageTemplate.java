package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Qute templates over the alert group. The rendered text is redacted before it is sent. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MessageTemplate {

  @JsonPropertyDescription(
      "Template of the notification's text (Slack text, Teams card, e-mail body, PagerDuty"
          + " summary).")
  public String message;

  @JsonPropertyDescription("Template of the webhook body, replacing the format's payload (json).")
  public String payload;
}
