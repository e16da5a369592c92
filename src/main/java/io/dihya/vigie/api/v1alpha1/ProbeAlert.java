package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a probe adds to the alerts it raises. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProbeAlert {

  @JsonPropertyDescription(
      "Extra alert labels, e.g. team: payments. Alerts also carry namespace, probe, severity, check"
          + " and the probe's own labels. Routes group on alert labels (groupBy) and select probes by"
          + " the probe's metadata labels (probeSelector); labels also reach Alertmanager and"
          + " PagerDuty. At most 32, values at most 1024 characters.")
  @Size(max = Limits.MAP_ENTRIES)
  public Map<String, @Size(max = Limits.SHORT_TEXT) String> labels = new LinkedHashMap<>();

  @JsonPropertyDescription(
      "Extra alert annotations, e.g. summary, description and runbook_url. Redacted like every"
          + " other text that leaves the operator. At most 32, values at most 8192 characters.")
  @Size(max = Limits.MAP_ENTRIES)
  public Map<String, @Size(max = Limits.LONG_TEXT) String> annotations = new LinkedHashMap<>();
}
