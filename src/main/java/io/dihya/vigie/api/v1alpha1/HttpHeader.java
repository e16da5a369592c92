package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An HTTP request header, its value given inline or taken from a Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HttpHeader {

  /** An HTTP field name (RFC 9110 token). */
  public static final String TOKEN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

  @Required
  @Pattern(TOKEN)
  @Size(max = Limits.HEADER_NAME)
  @JsonPropertyDescription("Header name, e.g. X-Request-Source. At most 256 characters.")
  public String name;

  @Size(max = Limits.HEADER_VALUE)
  @JsonPropertyDescription(
      "Header value in plain text: printable ASCII, spaces and tabs, at most 8192 characters. Use"
          + " valueFrom for anything secret: values of Authorization, Cookie and API-key headers are"
          + " redacted everywhere, but a Secret keeps them out of the spec.")
  public String value;

  @JsonPropertyDescription(
      "Takes the header value from a Secret. Exactly one of value and valueFrom.")
  public ValueFrom valueFrom;

  /** Where a value comes from when it is not inline. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ValueFrom {
    @Required
    @JsonPropertyDescription("The Secret key holding the value.")
    public SecretKeyRef secretKeyRef;
  }
}
