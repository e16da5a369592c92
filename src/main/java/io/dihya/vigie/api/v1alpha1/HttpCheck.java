package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** An HTTP(S) request whose answer must match the expectations. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HttpCheck {

  /** HTTP methods a check may use. */
  public enum Method {
    GET,
    HEAD,
    POST,
    PUT,
    PATCH,
    DELETE,
    OPTIONS
  }

  @Required
  @Pattern("^https?://[^\\s]+$")
  @Size(max = Limits.URL)
  @JsonPropertyDescription(
      "URL to request, http:// or https://, e.g. http://api.shop.svc.cluster.local:8080/healthz."
          + " Never put credentials in it: use headers with valueFrom, basicAuth or"
          + " bearerTokenSecretRef. At most 2048 characters.")
  public String url;

  @Default("GET")
  @JsonPropertyDescription("HTTP method.")
  public Method method = Method.GET;

  @Size(max = Limits.HEADERS)
  @JsonPropertyDescription(
      "Request headers, at most 32; secret values by valueFrom.secretKeyRef. Host,"
          + " Content-Length, Expect and Upgrade are set by the client and cannot be given. Each"
          + " run opens a new connection (Connection: close) unless a header Connection:"
          + " keep-alive keeps it between runs.")
  public List<HttpHeader> headers = new ArrayList<>();

  @Size(max = Limits.BODY)
  @JsonPropertyDescription(
      "Request body, sent as is (set a Content-Type header to match). At most 65536 characters.")
  public String body;

  @Default("[\"200-399\"]")
  @JsonPropertyDescription(
      "Accepted status codes: single codes (\"200\") or inclusive ranges (\"200-299\"). Default"
          + " 200-399.")
  @Size(min = 1, max = Limits.ITEMS)
  public List<@Pattern("^[1-5][0-9]{2}(-[1-5][0-9]{2})?$") @Size(max = 7) String> expectStatus =
      new ArrayList<>(List.of("200-399"));

  @JsonPropertyDescription("What the response body must contain. Bodies are never logged.")
  public ExpectBody expectBody;

  @Default("true")
  @JsonPropertyDescription("Follow redirects (3xx) to their target, at most 5 times.")
  public Boolean followRedirects = true;

  @JsonPropertyDescription("HTTP basic authentication with credentials from Secrets.")
  public BasicAuth basicAuth;

  @JsonProperty("bearerTokenSecretRef")
  @JsonPropertyDescription("Sends Authorization: Bearer with the token from this Secret key.")
  public SecretKeyRef bearerTokenSecretRef;

  @JsonPropertyDescription("TLS settings for https:// URLs.")
  public ClientTls tls;

  /** Body expectation: a substring, a regular expression, or both. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ExpectBody {
    @Size(max = Limits.EXPECTED_TEXT)
    @JsonPropertyDescription("The body must contain this text. At most 4096 characters.")
    public String contains;

    @Size(max = Limits.REGEX)
    @JsonPropertyDescription(
        "The body must match this regular expression (Java syntax, find), at most 1024 characters."
            + " A match may take at most 1s (and no longer than the timeout): a pattern that"
            + " backtracks without end on the body, e.g. (x*)*y on a long run of x, fails the"
            + " check with reason BodyMismatch.")
    public String regex;
  }

  /** Basic authentication credentials, both from Secrets. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BasicAuth {
    @Required
    @JsonPropertyDescription("Secret key holding the user name.")
    public SecretKeyRef usernameSecretRef;

    @Required
    @JsonPropertyDescription("Secret key holding the password.")
    public SecretKeyRef passwordSecretRef;
  }
}
