package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A call to the standard gRPC health service, grpc.health.v1.Health/Check. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GrpcCheck {

  @Required
  @Size(max = Limits.NAME)
  @JsonPropertyDescription("Host name or IP address of the gRPC server.")
  public String host;

  @Required
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port of the gRPC server.")
  public Integer port;

  @Default("")
  @Size(max = Limits.SHORT_TEXT)
  @JsonPropertyDescription(
      "Service name to ask about; empty asks about the server as a whole. The answer must be"
          + " SERVING.")
  public String service = "";

  @JsonPropertyDescription("TLS settings; when absent the connection is plaintext.")
  public ClientTls tls;
}
