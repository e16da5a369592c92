package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;

/**
 * Qute templates over the alert group (the data model is documented on the operator's
 * NotificationTemplate). Both are compiled and rendered for a sample notification when the route is
 * validated, so a broken template is InvalidSpec rather than a failed notification.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MessageTemplate {

  /** The longest template, in characters; the operator checks it again when it compiles one. */
  public static final int MAX_LENGTH = 16384;

  @JsonPropertyDescription(
      "Qute template of the notification's text (Slack text, Teams card, e-mail body, PagerDuty"
          + " summary), over the fields of vigie's json payload (status, alerts, commonLabels,"
          + " commonAnnotations...) and the lists firing and resolved. A missing value renders"
          + " empty; the text is redacted before it is sent.")
  @Size(max = MAX_LENGTH)
  public String message;

  @JsonPropertyDescription(
      "Qute template of the body of format json webhooks, replacing vigie's json payload; not"
          + " allowed with cloudevents or alertmanager webhooks in the same route. Write values"
          + " with .json ({commonLabels.probe.json}) so they stay valid JSON. It must give JSON;"
          + " when it does not for a notification, the built-in payload is sent.")
  @Size(max = MAX_LENGTH)
  public String payload;
}
