package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.LinkedHashMap;
import java.util.Map;

/** A one-off window during which matching alerts are not sent. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Silence {

  @Required
  @Size(max = Limits.LABEL)
  @JsonPropertyDescription("Start (RFC 3339), e.g. 2026-11-24T22:00:00Z.")
  public String startsAt;

  @Required
  @Size(max = Limits.LABEL)
  @JsonPropertyDescription("End (RFC 3339), after startsAt.")
  public String endsAt;

  @JsonPropertyDescription(
      "Alert labels that must all be equal for an alert to be silenced. Empty: every alert of the"
          + " route. At most 32.")
  @Size(max = Limits.MAP_ENTRIES)
  public Map<String, @Size(max = Limits.SHORT_TEXT) String> matchLabels = new LinkedHashMap<>();

  @Size(max = Limits.SHORT_TEXT)
  @JsonPropertyDescription(
      "Why, for the audit log (e.g. a change ticket). At most 1024 characters.")
  public String comment;
}
