package io.dihya.vigie.api;

import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Runs at build time on the generated CRDs (quarkus.operator-sdk.crd.post-processor). The fabric8
 * generator sorts printer columns by JSON path, which would show AGE first in {@code kubectl get};
 * this puts them back in the order the {@link AdditionalPrinterColumn} annotations are written on
 * the resource class.
 */
public class PrinterColumnOrder implements CRDPostProcessor {

  @Override
  public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
    if (crd instanceof CustomResourceDefinition v1) {
      List<String> order = declaredOrder(v1.getSpec().getNames().getKind());
      for (CustomResourceDefinitionVersion version : v1.getSpec().getVersions()) {
        List<CustomResourceColumnDefinition> columns =
            new ArrayList<>(version.getAdditionalPrinterColumns());
        columns.sort(Comparator.comparingInt(c -> rank(order, c.getName())));
        version.setAdditionalPrinterColumns(columns);
      }
    }
    return crd;
  }

  private static List<String> declaredOrder(String kind) {
    try {
      Class<?> type = Class.forName(HealthProbe.class.getPackageName() + "." + kind);
      return Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
          .map(AdditionalPrinterColumn::name)
          .toList();
    } catch (ClassNotFoundException e) {
      return List.of();
    }
  }

  private static int rank(List<String> order, String name) {
    int index = order.indexOf(name);
    return index < 0 ? Integer.MAX_VALUE : index;
  }
}
