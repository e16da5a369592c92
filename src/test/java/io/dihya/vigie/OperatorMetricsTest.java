package io.dihya.vigie;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.TcpCheck;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The operator SDK's meters are kept by controller, never by resource: their number does not grow
 * with the probes (at 10,000 probes the per-resource ones filled the heap).
 */
@QuarkusTest
@WithKubernetesTestServer
class OperatorMetricsTest {

  @Inject KubernetesClient client;
  @Inject MeterRegistry registry;

  @Test
  void theOperatorSdkMetersDoNotGrowWithTheProbes() {
    String namespace = "metrics-" + System.nanoTime();
    for (int i = 0; i < 5; i++) {
      HealthProbe probe = new HealthProbe();
      probe.setMetadata(
          new ObjectMetaBuilder().withName("probe-" + i).withNamespace(namespace).build());
      probe.setSpec(new HealthProbeSpec());
      probe.getSpec().tcp = new TcpCheck();
      probe.getSpec().tcp.host = "127.0.0.1";
      probe.getSpec().tcp.port = 1;
      probe.getSpec().interval = "1h";
      client.resource(probe).create();
    }
    // The operator SDK counts reconciliations: its meters exist, and the probes were reconciled.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                registry.getMeters().stream()
                    .anyMatch(
                        m ->
                            m.getId().getName().startsWith("operator.sdk.")
                                && m.getId().getName().contains("reconciliations")));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                client
                    .resources(HealthProbe.class)
                    .inNamespace(namespace)
                    .list()
                    .getItems()
                    .stream()
                    .allMatch(p -> p.getStatus() != null));
    List<Meter.Id> tagged =
        registry.getMeters().stream()
            .map(Meter::getId)
            .filter(
                id ->
                    id.getTags().stream()
                        .anyMatch(
                            t ->
                                t.getValue().equals(namespace)
                                    || t.getValue().startsWith("probe-")))
            .toList();
    assertThat(tagged).as("meters tagged with a probe's name or namespace").isEmpty();
  }
}
