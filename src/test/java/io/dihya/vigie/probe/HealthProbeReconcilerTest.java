package io.dihya.vigie.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.api.v1alpha1.Health;
import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.TcpCheck;
import io.dihya.vigie.kube.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The HealthProbe reconciler against the fabric8 mock API server in CRUD mode. */
@QuarkusTest
@WithKubernetesTestServer
class HealthProbeReconcilerTest {

  private static final String NS = "shop";

  @Inject KubernetesClient client;

  @Test
  void validProbeBecomesReadyWithTargetAndNoVerdict() {
    HealthProbe probe = probe("orders");
    probe.getSpec().http = http("http://orders.shop.svc:8080/healthz?token=abc");
    client.resource(probe).create();

    HealthProbe ready = awaitReady("orders", Conditions.TRUE);
    assertThat(ready.getStatus().health).isEqualTo(Health.Unknown);
    assertThat(ready.getStatus().target).isEqualTo("GET http://orders.shop.svc:8080/healthz");
    assertThat(ready.getStatus().observedGeneration).isEqualTo(ready.getMetadata().getGeneration());
    Condition readyCondition = condition(ready, Conditions.READY);
    assertThat(readyCondition.getReason()).isEqualTo(Conditions.REASON_ACCEPTED);
    assertThat(readyCondition.getLastTransitionTime()).isNotBlank();
    Condition healthy = condition(ready, Conditions.HEALTHY);
    assertThat(healthy.getStatus()).isEqualTo(Conditions.UNKNOWN);
    assertThat(healthy.getReason()).isEqualTo(Conditions.REASON_AWAITING_CHECKS);
  }

  @Test
  void probeWithTwoCheckBlocksIsInvalidAndSaysWhichFieldsToFix() {
    HealthProbe probe = probe("two-blocks");
    probe.getSpec().http = http("http://a.shop.svc/");
    probe.getSpec().tcp = new TcpCheck();
    probe.getSpec().tcp.host = "db.shop.svc";
    probe.getSpec().tcp.port = 5432;
    probe.getSpec().timeout = "40s";
    client.resource(probe).create();

    HealthProbe invalid = awaitReady("two-blocks", Conditions.FALSE);
    Condition ready = condition(invalid, Conditions.READY);
    assertThat(ready.getReason()).isEqualTo(Conditions.REASON_INVALID_SPEC);
    assertThat(ready.getMessage())
        .contains("spec: set exactly one check block, found 2: http, tcp")
        .contains("spec.timeout: must be less than spec.interval");
    assertThat(invalid.getStatus().health).isEqualTo(Health.Unknown);
    assertThat(condition(invalid, Conditions.HEALTHY).getReason())
        .isEqualTo(Conditions.REASON_NOT_CHECKED);
  }

  @Test
  void fixingAnInvalidSpecMakesItReadyAndSuspendingShowsSuspended() {
    HealthProbe probe = probe("fixable");
    probe.getSpec().http = http("http://a.shop.svc/");
    probe.getSpec().interval = "500ms";
    client.resource(probe).create();
    assertThat(condition(awaitReady("fixable", Conditions.FALSE), Conditions.READY).getMessage())
        .isEqualTo("spec.interval: must be at least 1s");

    client
        .resources(HealthProbe.class)
        .inNamespace(NS)
        .withName("fixable")
        .edit(
            p -> {
              p.getSpec().interval = "10s";
              p.getSpec().suspend = true;
              return p;
            });
    HealthProbe suspended = awaitReady("fixable", Conditions.TRUE);
    assertThat(suspended.getStatus().health).isEqualTo(Health.Suspended);
    assertThat(condition(suspended, Conditions.READY).getReason())
        .isEqualTo(Conditions.REASON_SUSPENDED);
  }

  private HealthProbe awaitReady(String name, String status) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> client.resources(HealthProbe.class).inNamespace(NS).withName(name).get(),
            p ->
                p != null
                    && p.getStatus() != null
                    && Conditions.find(p.getStatus().conditions, Conditions.READY)
                        .map(c -> status.equals(c.getStatus()))
                        .orElse(false));
  }

  private static Condition condition(HealthProbe probe, String type) {
    return Conditions.find(probe.getStatus().conditions, type).orElseThrow();
  }

  private static HealthProbe probe(String name) {
    HealthProbe probe = new HealthProbe();
    probe.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    return probe;
  }

  private static HttpCheck http(String url) {
    HttpCheck http = new HttpCheck();
    http.url = url;
    return http;
  }
}
