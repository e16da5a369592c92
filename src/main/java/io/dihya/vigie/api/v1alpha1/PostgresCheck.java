package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A PostgreSQL login and query. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PostgresCheck {

  /** libpq's sslmode values. */
  public enum SslMode {
    @JsonProperty("disable")
    DISABLE,
    @JsonProperty("allow")
    ALLOW,
    @JsonProperty("prefer")
    PREFER,
    @JsonProperty("require")
    REQUIRE,
    @JsonProperty("verify-ca")
    VERIFY_CA,
    @JsonProperty("verify-full")
    VERIFY_FULL
  }

  @Required
  @Size(max = Limits.NAME)
  @JsonPropertyDescription("Host name or IP address of the PostgreSQL server.")
  public String host;

  @Default("5432")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port of the PostgreSQL server.")
  public Integer port = 5432;

  @Required
  @Size(max = Limits.LABEL)
  @JsonPropertyDescription("Database to connect to (PostgreSQL names have at most 63 bytes).")
  public String database;

  @Required
  @JsonPropertyDescription("Secret key holding the user name.")
  public SecretKeyRef usernameSecretRef;

  @JsonPropertyDescription("Secret key holding the password.")
  public SecretKeyRef passwordSecretRef;

  @Default("prefer")
  @JsonPropertyDescription("TLS mode, as libpq's sslmode.")
  public SslMode sslMode = SslMode.PREFER;

  @JsonPropertyDescription(
      "PEM certificate authorities for verify-ca and verify-full, from a Secret.")
  public SecretKeyRef caSecretRef;

  @JsonPropertyDescription("PEM client certificate for certificate login, from a Secret.")
  public SecretKeyRef certSecretRef;

  @JsonPropertyDescription("PEM private key (PKCS#8) of the client certificate, from a Secret.")
  public SecretKeyRef keySecretRef;

  @Default("SELECT 1")
  @Size(max = Limits.LONG_TEXT)
  @JsonPropertyDescription(
      "Query to run; it must succeed. Runs in a read-only transaction. Its rows are available to"
          + " assertions. At most 8192 characters.")
  public String query = "SELECT 1";
}
