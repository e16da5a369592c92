package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * An IPFS node's RPC API (/api/v0/add): each notification batch is added as a file and its CID is
 * recorded in the audit log and in status.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IpfsSink {

  @Required
  @Pattern("^https?://[^\\s]+$")
  @Size(max = Limits.URL)
  @JsonPropertyDescription("Base URL of the node's RPC API, e.g. http://ipfs.archive:5001.")
  public String url;

  @JsonPropertyDescription(
      "Extra request headers, e.g. the Authorization of a proxy in front of the RPC API; secret"
          + " values by valueFrom.secretKeyRef. At most 32.")
  @Size(max = Limits.HEADERS)
  public List<HttpHeader> headers = new ArrayList<>();

  @JsonPropertyDescription("TLS settings for https:// URLs.")
  public ClientTls tls;

  @Default("true")
  @JsonPropertyDescription("Pin the added content so the node keeps it.")
  public Boolean pin = true;
}
