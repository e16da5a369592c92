package io.dihya.vigie.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A check against a service, run on a schedule by the operator, with its health in status. */
@Group(HealthProbe.GROUP)
@Version(HealthProbe.VERSION)
@ShortNames("hp")
@Categories("vigie")
@AdditionalPrinterColumn(
    name = "Target",
    jsonPath = ".status.target",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "What is checked, redacted")
@AdditionalPrinterColumn(
    name = "Health",
    jsonPath = ".status.health",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Health after thresholds")
@AdditionalPrinterColumn(
    name = "Latency",
    jsonPath = ".status.lastCheck.latencyMs",
    type = AdditionalPrinterColumn.Type.INTEGER,
    getDescription = "Latency of the last check in milliseconds")
@AdditionalPrinterColumn(
    name = "Since",
    jsonPath = ".status.since",
    type = AdditionalPrinterColumn.Type.DATE,
    getDescription = "Time of the last health change")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Interval",
    jsonPath = ".spec.interval",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Severity",
    jsonPath = ".spec.severity",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
public class HealthProbe extends CustomResource<HealthProbeSpec, HealthProbeStatus>
    implements Namespaced {

  /** The API group of every vigie resource. */
  public static final String GROUP = "vigie.dihya.io";

  /** The API version of this package. */
  public static final String VERSION = "v1alpha1";

  @Override
  protected HealthProbeSpec initSpec() {
    return new HealthProbeSpec();
  }
}
