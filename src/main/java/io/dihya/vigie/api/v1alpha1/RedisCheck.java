package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Redis PING that must answer PONG. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RedisCheck {

  @Required
  @Size(max = Limits.NAME)
  @JsonPropertyDescription("Host name or IP address of the Redis server.")
  public String host;

  @Default("6379")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port of the Redis server.")
  public Integer port = 6379;

  @JsonPropertyDescription("Secret key holding the ACL user name (Redis 6+); needs a password.")
  public SecretKeyRef usernameSecretRef;

  @JsonPropertyDescription("Secret key holding the password (AUTH).")
  public SecretKeyRef passwordSecretRef;

  @JsonPropertyDescription("TLS settings; when absent the connection is plaintext.")
  public ClientTls tls;
}
