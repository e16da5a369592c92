package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * An Alertmanager, sent alerts through POST /api/v2/alerts: firing alerts are re-posted while they
 * last, resolved ones are posted with endsAt set.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AlertmanagerSink {

  @Required
  @Pattern("^https?://[^\\s]+$")
  @Size(max = Limits.URL)
  @JsonPropertyDescription(
      "Base URL of the Alertmanager, e.g. http://alertmanager.monitoring:9093.")
  public String url;

  @JsonPropertyDescription("Sends Authorization: Bearer with the token from this Secret key.")
  public SecretKeyRef bearerTokenSecretRef;

  @JsonPropertyDescription("HTTP basic authentication with credentials from Secrets.")
  public HttpCheck.BasicAuth basicAuth;

  @JsonPropertyDescription("TLS settings for https:// URLs.")
  public ClientTls tls;
}
