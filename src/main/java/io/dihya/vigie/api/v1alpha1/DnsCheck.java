package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** A DNS query whose answer must exist and, optionally, contain the expected values. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DnsCheck {

  /** Record types a check may query. */
  public enum RecordType {
    A,
    AAAA,
    CNAME,
    SRV,
    TXT,
    MX
  }

  /** Transport of the query. */
  public enum Transport {
    udp,
    tcp
  }

  @Required
  @Pattern("^[A-Za-z0-9_]([-A-Za-z0-9_.]*[A-Za-z0-9_.])?$")
  @Size(max = Limits.NAME)
  @JsonPropertyDescription(
      "Name to resolve, e.g. db.shop.svc.cluster.local. Always absolute: no search list applies.")
  public String name;

  @Default("A")
  @JsonPropertyDescription("Record type to query.")
  public RecordType recordType = RecordType.A;

  @Size(max = Limits.NAME)
  @JsonPropertyDescription(
      "DNS server to ask (host name or IP address). Defaults to the resolvers of the operator's pod.")
  public String server;

  @Default("53")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port of the DNS server; only with server.")
  public Integer port = 53;

  @Default("udp")
  @JsonPropertyDescription("Transport of the query: udp or tcp.")
  public Transport transport = Transport.udp;

  @JsonPropertyDescription(
      "Values the answer must contain, each in the record's text form: A/AAAA an address"
          + " (10.0.0.7), CNAME a host name without the trailing dot, TXT the text, MX"
          + " \"preference host\" (10 mail.example.org), SRV \"priority weight port target\" (0 5"
          + " 5432 db.example.org). Empty: any non-empty answer is accepted. At most 32.")
  @Size(max = Limits.ITEMS)
  public List<@Size(max = Limits.SHORT_TEXT) String> expect = new ArrayList<>();
}
