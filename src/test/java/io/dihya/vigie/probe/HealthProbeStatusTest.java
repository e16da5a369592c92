package io.dihya.vigie.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.Health;
import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.api.v1alpha1.HealthProbeStatus;
import io.dihya.vigie.api.v1alpha1.TcpCheck;
import io.dihya.vigie.kube.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The status the reconciler computes, and when it writes it. */
class HealthProbeStatusTest {

  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

  @Test
  void secondReconcileOfAnUnchangedProbeWritesNothing() {
    HealthProbe probe = tcpProbe();
    UpdateControl<HealthProbe> first = reconcilerAt(T0).reconcile(probe, null);
    assertThat(first.isPatchStatus()).isTrue();
    HealthProbe patch = first.getResource().orElseThrow();
    // Only name, namespace and status are sent.
    assertThat(patch.getSpec().tcp).isNull();
    assertThat(patch.getMetadata().getLabels()).isEmpty();

    probe.setStatus(patch.getStatus());
    UpdateControl<HealthProbe> second = reconcilerAt(T0.plusSeconds(3600)).reconcile(probe, null);
    assertThat(second.isNoUpdate()).isTrue();
  }

  @Test
  void transitionTimeMovesOnlyWhenStatusFlips() {
    HealthProbe probe = tcpProbe();
    HealthProbeStatus first = reconcilerAt(T0).desiredStatus(probe, T0);
    probe.setStatus(first);

    probe.getSpec().interval = "oops";
    probe.getMetadata().setGeneration(2L);
    Instant t1 = T0.plusSeconds(60);
    HealthProbeStatus invalid = reconcilerAt(t1).desiredStatus(probe, t1);
    assertThat(readyTime(invalid)).isEqualTo("2026-11-24T10:01:00Z");
    assertThat(invalid.observedGeneration).isEqualTo(2L);
    // Healthy stayed Unknown: its transition time is kept, only its reason changed.
    assertThat(healthyTime(invalid)).isEqualTo("2026-11-24T10:00:00Z");
    probe.setStatus(invalid);

    probe.getSpec().interval = "oops-again";
    Instant t2 = T0.plusSeconds(120);
    HealthProbeStatus stillInvalid = reconcilerAt(t2).desiredStatus(probe, t2);
    assertThat(readyTime(stillInvalid)).isEqualTo("2026-11-24T10:01:00Z");
  }

  @Test
  void sinceMovesWhenHealthChanges() {
    HealthProbe probe = tcpProbe();
    probe.setStatus(reconcilerAt(T0).desiredStatus(probe, T0));
    assertThat(probe.getStatus().since).isEqualTo("2026-11-24T10:00:00Z");

    probe.getSpec().suspend = true;
    Instant later = T0.plusSeconds(30);
    HealthProbeStatus suspended = reconcilerAt(later).desiredStatus(probe, later);
    assertThat(suspended.health).isEqualTo(Health.Suspended);
    assertThat(suspended.since).isEqualTo("2026-11-24T10:00:30Z");
  }

  @Test
  void aVerdictRecordedByTheEngineIsKept() {
    HealthProbe probe = tcpProbe();
    HealthProbeStatus status = reconcilerAt(T0).desiredStatus(probe, T0);
    status.conditions =
        Conditions.set(
            status.conditions,
            Conditions.HEALTHY,
            Conditions.FALSE,
            "ConnectionRefused",
            "connection refused",
            1L,
            T0);
    status.health = Health.Unhealthy;
    status.consecutiveFailures = 3;
    probe.setStatus(status);

    HealthProbeStatus next = reconcilerAt(T0).desiredStatus(probe, T0.plusSeconds(5));
    assertThat(next.health).isEqualTo(Health.Unhealthy);
    assertThat(next.consecutiveFailures).isEqualTo(3);
    assertThat(Conditions.find(next.conditions, Conditions.HEALTHY).orElseThrow().getReason())
        .isEqualTo("ConnectionRefused");
  }

  private static String readyTime(HealthProbeStatus status) {
    return Conditions.find(status.conditions, Conditions.READY)
        .orElseThrow()
        .getLastTransitionTime();
  }

  private static String healthyTime(HealthProbeStatus status) {
    return Conditions.find(status.conditions, Conditions.HEALTHY)
        .orElseThrow()
        .getLastTransitionTime();
  }

  private static HealthProbeReconciler reconcilerAt(Instant now) {
    return new HealthProbeReconciler(Clock.fixed(now, ZoneOffset.UTC));
  }

  private static HealthProbe tcpProbe() {
    HealthProbe probe = new HealthProbe();
    probe.setMetadata(
        new ObjectMetaBuilder().withName("db").withNamespace("clinic").withGeneration(1L).build());
    probe.getSpec().tcp = new TcpCheck();
    probe.getSpec().tcp.host = "db.clinic.svc";
    probe.getSpec().tcp.port = 5432;
    return probe;
  }
}
