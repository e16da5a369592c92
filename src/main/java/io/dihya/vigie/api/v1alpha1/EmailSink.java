package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** E-mail over SMTP, with a plain-text and an HTML body. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EmailSink {

  /** How the SMTP connection is secured. */
  public enum Security {
    /**
     * Plain connection upgraded with STARTTLS (port 587); fails if the server does not offer it.
     */
    starttls,
    /** TLS from the first byte (port 465). */
    tls,
    /** No TLS: only for a relay on the same host or a test server. */
    none
  }

  @Required
  @Size(max = Limits.NAME)
  @JsonPropertyDescription("SMTP server host name.")
  public String host;

  @Min(1)
  @Max(65535)
  @JsonPropertyDescription(
      "SMTP server port. Defaults to 587, or 465 with security tls, or 25 with none.")
  public Integer port;

  @Default("starttls")
  @JsonPropertyDescription("Connection security: starttls, tls or none.")
  public Security security = Security.starttls;

  @JsonPropertyDescription("Secret key holding the SMTP user name.")
  public SecretKeyRef usernameSecretRef;

  @JsonPropertyDescription("Secret key holding the SMTP password.")
  public SecretKeyRef passwordSecretRef;

  @JsonPropertyDescription("TLS settings of the SMTP connection.")
  public ClientTls tls;

  @Required
  @Size(max = Limits.EMAIL)
  @JsonPropertyDescription("Sender address, e.g. vigie@example.org.")
  public String from;

  @Required
  @Size(min = 1, max = 50)
  @JsonPropertyDescription("Recipient addresses.")
  public List<@Size(max = Limits.EMAIL) String> to = new ArrayList<>();
}
