package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** Route-specific redaction, on top of the operator's built-in rules. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Redaction {

  @Size(max = 32)
  @JsonPropertyDescription(
      "Regular expressions (Java syntax) whose matches are replaced by [REDACTED], e.g. patient or"
          + " student identifiers: PAT-[0-9]{8}. At most 32, each at most 1024 characters.")
  public List<@Size(max = Limits.REGEX) String> patterns = new ArrayList<>();

  @JsonPropertyDescription("Replace personal data by stable pseudonyms.")
  public Anonymize anonymize;

  /** Switches for anonymising personal data. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Anonymize {
    @Default("false")
    @JsonPropertyDescription("Replace e-mail addresses.")
    public Boolean emails = false;

    @Default("false")
    @JsonPropertyDescription("Replace IPv4 and IPv6 addresses.")
    public Boolean ipAddresses = false;
  }
}
