package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** A POST of each notification to an HTTP endpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WebhookSink {

  /** Body formats. */
  public enum Format {
    /** vigie's own JSON: the group with its alerts. */
    json,
    /** A CloudEvents 1.0 event in structured mode (application/cloudevents+json). */
    cloudevents,
    /** The Alertmanager webhook payload, version 4. */
    alertmanager
  }

  @Pattern("^https?://[^\\s]+$")
  @Size(max = Limits.URL)
  @JsonPropertyDescription(
      "Endpoint URL. Use urlSecretRef instead when the URL carries a token. Exactly one of url and"
          + " urlSecretRef.")
  public String url;

  @JsonPropertyDescription("Secret key holding the endpoint URL.")
  public SecretKeyRef urlSecretRef;

  @Size(max = Limits.HEADERS)
  @JsonPropertyDescription(
      "Extra request headers, at most 32; secret values by valueFrom.secretKeyRef.")
  public List<HttpHeader> headers = new ArrayList<>();

  @Default("json")
  @JsonPropertyDescription("Body format: json, cloudevents or alertmanager.")
  public Format format = Format.json;

  @JsonPropertyDescription(
      "Secret key holding an HMAC-SHA256 key (whsec_-prefixed base64, or raw bytes). When set, every"
          + " request carries Standard Webhooks headers webhook-id, webhook-timestamp and"
          + " webhook-signature.")
  public SecretKeyRef signingKeySecretRef;

  @JsonPropertyDescription("TLS settings for https:// endpoints.")
  public ClientTls tls;
}
