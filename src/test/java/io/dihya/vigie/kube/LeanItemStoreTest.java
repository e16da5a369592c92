package io.dihya.vigie.kube;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeanItemStoreTest {

  @Test
  void keepsTheObjectWithoutItsManagedFields() {
    HealthProbe probe = new HealthProbe();
    FieldsV1 fields = new FieldsV1();
    fields.setAdditionalProperty("f:spec", Map.of("f:http", Map.of("f:url", Map.of())));
    probe.setMetadata(
        new ObjectMetaBuilder()
            .withName("orders")
            .withNamespace("shop")
            .withResourceVersion("7")
            .withLabels(Map.of("team", "shop"))
            .withManagedFields(
                List.of(
                    new ManagedFieldsEntryBuilder()
                        .withManager("kubectl")
                        .withOperation("Apply")
                        .withFieldsV1(fields)
                        .build()))
            .build());
    LeanItemStore<HealthProbe> store = new LeanItemStore<>();

    store.put(store.getKey(probe), probe);

    HealthProbe cached = store.get("shop/orders");
    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(cached.getMetadata().getLabels()).containsEntry("team", "shop");
    assertThat(store.size()).isEqualTo(1);
  }
}
