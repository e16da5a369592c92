package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A TCP connection, optionally with a line sent and an answer expected. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TcpCheck {

  /**
   * The longest expected answer: it is looked for in up to a mebibyte of what the server sends,
   * once per byte received.
   */
  public static final int EXPECT_LENGTH = 256;

  @Required
  @Size(max = Limits.NAME)
  @JsonPropertyDescription("Host name or IP address, e.g. mail.infra.svc.cluster.local.")
  public String host;

  @Required
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("TCP port.")
  public Integer port;

  @JsonPropertyDescription(
      "Text to send once connected, as is (UTF-8). For line endings use a YAML double-quoted string:"
          + " \"PING\\r\\n\". At most 65536 characters.")
  @Size(max = Limits.BODY)
  public String send;

  @Size(max = EXPECT_LENGTH)
  @JsonPropertyDescription(
      "Text the server must send back (substring) before the timeout, e.g. a banner or a status"
          + " line. At most 256 characters.")
  public String expect;
}
