package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A TLS handshake whose certificate chain must be valid for long enough. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TlsCheck {

  @Required
  @Size(max = Limits.NAME)
  @JsonPropertyDescription("Host name or IP address to connect to.")
  public String host;

  @Default("443")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port to connect to.")
  public Integer port = 443;

  @Size(max = Limits.NAME)
  @JsonPropertyDescription("Server name to send (SNI) and to verify. Defaults to host.")
  public String serverName;

  @Default("14d")
  @Pattern(DurationFormat.PATTERN)
  @Size(max = DurationFormat.MAX_LENGTH)
  @JsonPropertyDescription(
      "How long every certificate of the chain must stay valid, e.g. 14d, at most 3650d. Less fails"
          + " with CertificateExpiring; already expired fails with CertificateExpired.")
  public String minValidFor = "14d";

  @JsonPropertyDescription(
      "PEM bundle of certificate authorities to verify the chain against, from a Secret. Defaults to"
          + " the JVM's trust store.")
  public SecretKeyRef caSecretRef;

  @Default("false")
  @JsonPropertyDescription(
      "Check only the expiry dates, not who signed the chain or the host name. For self-signed"
          + " certificates.")
  public Boolean insecureSkipVerify = false;
}
