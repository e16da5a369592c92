package io.dihya.vigie.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.api.v1alpha1.Health;
import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.testing.LoopbackHttpServer;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A check that changes nothing writes nothing: 100 probes at 1s for 20s of steady health cost the
 * initial writes plus one refresh per probe per refresh interval (5s in tests), not a write per
 * check.
 */
@QuarkusTest
@WithKubernetesTestServer
class StatusWriteBudgetTest {

  private static final String NS = "budget";
  private static final int PROBES = 100;
  private static final int SECONDS = 20;

  @Inject KubernetesClient client;
  @Inject ProbeScheduler scheduler;
  @KubernetesTestServer KubernetesServer server;

  @Test
  void steadyHealthCostsOnlyTheInitialAndRefreshWrites() throws Exception {
    try (LoopbackHttpServer target = LoopbackHttpServer.start()) {
      for (int i = 0; i < PROBES; i++) {
        HealthProbe probe = new HealthProbe();
        probe.setMetadata(new ObjectMetaBuilder().withName("p" + i).withNamespace(NS).build());
        probe.getSpec().interval = "1s";
        probe.getSpec().timeout = "500ms";
        probe.getSpec().http = new HttpCheck();
        probe.getSpec().http.url = target.url("/p" + i);
        client.resource(probe).create();
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  client.resources(HealthProbe.class).inNamespace(NS).list().getItems().stream()
                          .filter(
                              p -> p.getStatus() != null && p.getStatus().health == Health.Healthy)
                          .count()
                      == PROBES);
      drainStatusPatches();
      long checksBefore = scheduler.checksStarted();

      Thread.sleep(SECONDS * 1000L);

      long checks = scheduler.checksStarted() - checksBefore;
      long patches = drainStatusPatches();
      long refreshBound = (long) PROBES * (SECONDS / 5 + 1);
      System.out.printf(
          "status write budget: %d probes, %d checks, %d status patches in %ds (%.3f per check)%n",
          PROBES, checks, patches, SECONDS, (double) patches / checks);
      assertThat(checks).isGreaterThanOrEqualTo((long) PROBES * (SECONDS - 2));
      assertThat(patches).isLessThanOrEqualTo(refreshBound);
      assertThat(patches).isLessThan(checks / 3);
    }
  }

  /** Takes every request the mock API server recorded so far; counts the status patches. */
  private long drainStatusPatches() throws InterruptedException {
    long patches = 0;
    RecordedRequest request;
    while ((request = server.getKubernetesMockServer().takeRequest(10, TimeUnit.MILLISECONDS))
        != null) {
      if ("PATCH".equals(request.getMethod()) && request.getPath().contains("/status")) {
        patches++;
      }
    }
    return patches;
  }
}
