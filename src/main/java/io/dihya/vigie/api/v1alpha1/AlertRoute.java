package io.dihya.vigie.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** Which probes' incidents go where: matching, grouping, timing, and the sinks. */
@Group(HealthProbe.GROUP)
@Version(HealthProbe.VERSION)
@ShortNames("ar")
@Categories("vigie")
@AdditionalPrinterColumn(
    name = "Sinks",
    jsonPath = ".status.sinkNames",
    type = AdditionalPrinterColumn.Type.STRING,
    getDescription = "Names of the sinks")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Last Delivery",
    jsonPath = ".status.lastDeliveryTime",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class AlertRoute extends CustomResource<AlertRouteSpec, AlertRouteStatus>
    implements Namespaced {

  /** Changing this annotation's value sends a test notification to every sink. */
  public static final String TEST_ANNOTATION = HealthProbe.GROUP + "/test";

  @Override
  protected AlertRouteSpec initSpec() {
    return new AlertRouteSpec();
  }
}
