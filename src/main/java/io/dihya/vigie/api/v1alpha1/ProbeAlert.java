package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a probe adds to the alerts it raises. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProbeAlert {

  @JsonPropertyDescription(
      "Extra alert labels, e.g. team: payments. Alerts also carry namespace, probe, severity, check"
          + " and the probe's own labels. Routes group on alert labels (groupBy) and select probes by"
          + " the probe's metadata labels (probeSelector); labels also reach Alertmanager and"
          + " PagerDuty.")
  public Map<String, String> labels = new LinkedHashMap<>();

  @JsonPropertyDescription(
      "Extra alert annotations, e.g. summary, description and runbook_url. Redacted like every"
          + " other text that leaves the operator.")
  public Map<String, String> annotations = new LinkedHashMap<>();
}
