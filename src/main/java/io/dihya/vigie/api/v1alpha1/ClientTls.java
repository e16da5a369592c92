package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;

/** TLS settings of a client connection made by a check or a sink. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClientTls {

  @JsonPropertyDescription(
      "PEM bundle of the certificate authorities to trust, from a Secret. When absent the JVM's"
          + " default trust store is used.")
  public SecretKeyRef caSecretRef;

  @JsonPropertyDescription("PEM client certificate for mutual TLS, from a Secret.")
  public SecretKeyRef certSecretRef;

  @JsonPropertyDescription("PEM private key (PKCS#8) of the client certificate, from a Secret.")
  public SecretKeyRef keySecretRef;

  @Size(max = Limits.NAME)
  @JsonPropertyDescription(
      "Server name to send (SNI) and to verify the certificate against. Defaults to the target host.")
  public String serverName;

  @JsonPropertyDescription(
      "Accept any server certificate. For tests only: the connection is then open to interception.")
  @Default("false")
  public Boolean insecureSkipVerify = false;
}
