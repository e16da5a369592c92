package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * PagerDuty Events API v2: a trigger on firing, a resolve on recovery, tied by the alert's
 * fingerprint as dedup_key. Severities map critical to critical, warning to warning, info to info.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PagerDutySink {

  @Required
  @JsonPropertyDescription("Secret key holding the integration's routing key (32 characters).")
  public SecretKeyRef routingKeySecretRef;

  @Default("https://events.pagerduty.com/v2/enqueue")
  @Pattern("^https?://[^\\s]+$")
  @Size(max = Limits.URL)
  @JsonPropertyDescription(
      "Events API endpoint; change it for the EU service region"
          + " (https://events.eu.pagerduty.com/v2/enqueue).")
  public String url = "https://events.pagerduty.com/v2/enqueue";
}
