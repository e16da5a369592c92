package io.dihya.vigie.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The health of a workload in the probe's namespace, as Kubernetes reports it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KubernetesCheck {

  /** Kinds of workload a check can watch. */
  public enum Kind {
    Deployment,
    StatefulSet,
    DaemonSet,
    Service,
    PersistentVolumeClaim
  }

  @Required
  @JsonPropertyDescription(
      "Kind of the object: Deployment, StatefulSet or DaemonSet (ready replicas), Service (ready"
          + " endpoints) or PersistentVolumeClaim (Bound).")
  public Kind kind;

  @Required
  @Pattern(Names.DNS_SUBDOMAIN)
  @Size(max = Limits.NAME)
  @JsonPropertyDescription("Name of the object, in the probe's namespace.")
  public String name;

  @Min(0)
  @JsonPropertyDescription(
      "Least number of ready replicas (workloads) or ready endpoints (Service). Defaults to all"
          + " desired replicas, or 1 endpoint for a Service. Ignored for PersistentVolumeClaim.")
  public Integer minReady;
}
