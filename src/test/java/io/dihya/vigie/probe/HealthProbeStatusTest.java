package io.dihya.vigie.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.dihya.vigie.api.v1alpha1.CheckRecord;
import io.dihya.vigie.api.v1alpha1.Health;
import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.api.v1alpha1.HealthProbeStatus;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.kube.Conditions;
import io.dihya.vigie.kube.StatusPatcher;
import io.dihya.vigie.redact.Redactor;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The status composed from the reconciler's verdict and the engine's state, and when it is written.
 */
class HealthProbeStatusTest {

  private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

  @Test
  void anUnchangedStatusIsNotWrittenAndOnlyNameNamespaceAndStatusAreSent() {
    HealthProbe probe = httpProbe();
    UpdateControl<HealthProbe> first =
        StatusPatcher.patchIfChanged(
            probe, accepted(probe, snapshot(Health.Healthy), T0), HealthProbe::new);
    assertThat(first.isPatchStatus()).isTrue();
    HealthProbe patch = first.getResource().orElseThrow();
    assertThat(patch.getSpec().http).isNull();
    assertThat(patch.getMetadata().getLabels()).isEmpty();
    assertThat(patch.getMetadata().getName()).isEqualTo("orders");

    probe.setStatus(patch.getStatus());
    UpdateControl<HealthProbe> second =
        StatusPatcher.patchIfChanged(
            probe,
            accepted(probe, snapshot(Health.Healthy), T0.plusSeconds(3600)),
            HealthProbe::new);
    assertThat(second.isNoUpdate()).isTrue();
  }

  @Test
  void theEngineVerdictBecomesTheHealthyCondition() {
    HealthProbe probe = httpProbe();
    HealthProbeStatus status = accepted(probe, snapshot(Health.Unhealthy), T0);
    assertThat(status.health).isEqualTo(Health.Unhealthy);
    assertThat(status.consecutiveFailures).isEqualTo(3);
    assertThat(status.lastCheck.reason).isEqualTo("ConnectionRefused");
    assertThat(status.since).isEqualTo("2026-11-24T09:59:00Z");
    assertThat(status.certificateNotAfter).isEqualTo("2027-01-01T00:00:00Z");
    Condition healthy = condition(status, Conditions.HEALTHY);
    assertThat(healthy.getStatus()).isEqualTo(Conditions.FALSE);
    assertThat(healthy.getReason()).isEqualTo("ConnectionRefused");
    assertThat(healthy.getMessage()).isEqualTo("connection refused");
    assertThat(condition(status, Conditions.READY).getReason())
        .isEqualTo(Conditions.REASON_ACCEPTED);
    assertThat(status.target).isEqualTo("GET http://orders.shop.svc:8080/healthz");
  }

  @Test
  void transitionTimeMovesOnlyWhenStatusFlips() {
    HealthProbe probe = httpProbe();
    probe.setStatus(accepted(probe, snapshot(Health.Healthy), T0));

    probe.getMetadata().setGeneration(2L);
    Instant t1 = T0.plusSeconds(60);
    HealthProbeStatus invalid =
        ProbeStatus.compose(
            probe,
            Conditions.FALSE,
            Conditions.REASON_INVALID_SPEC,
            "spec.interval: not a duration",
            null,
            Redactor.standard(),
            t1);
    assertThat(condition(invalid, Conditions.READY).getLastTransitionTime())
        .isEqualTo("2026-11-24T10:01:00Z");
    assertThat(invalid.observedGeneration).isEqualTo(2L);
    assertThat(invalid.health).isEqualTo(Health.Unknown);
    assertThat(condition(invalid, Conditions.HEALTHY).getReason())
        .isEqualTo(Conditions.REASON_NOT_CHECKED);
    // What the engine recorded stays visible.
    assertThat(invalid.lastCheck.reason).isEqualTo("Succeeded");
    probe.setStatus(invalid);

    HealthProbeStatus stillInvalid =
        ProbeStatus.compose(
            probe,
            Conditions.FALSE,
            Conditions.REASON_INVALID_SPEC,
            "spec.timeout: not a duration",
            null,
            Redactor.standard(),
            T0.plusSeconds(120));
    assertThat(condition(stillInvalid, Conditions.READY).getLastTransitionTime())
        .isEqualTo("2026-11-24T10:01:00Z");
    assertThat(stillInvalid.since).isEqualTo(invalid.since);
  }

  @Test
  void sinceAndTheHealthyTransitionAreTheEnginesEvenWhenTheStatusReadIsStale() {
    HealthProbe probe = httpProbe();
    // What the cache holds: Healthy since 09:59, though the probe failed and recovered since, the
    // failure's status written while the cache was not watching (after an outage).
    probe.setStatus(accepted(probe, snapshot(Health.Healthy), T0));
    ProbeSnapshot recovered = snapshot(Health.Healthy);
    recovered =
        new ProbeSnapshot(
            recovered.health(),
            recovered.reason(),
            recovered.message(),
            recovered.consecutiveFailures(),
            1,
            recovered.lastCheck(),
            recovered.lastFailure(),
            T0.plusSeconds(90),
            recovered.certificateNotAfter());
    HealthProbeStatus status = accepted(probe, recovered, T0.plusSeconds(95));
    assertThat(status.since).isEqualTo("2026-11-24T10:01:30Z");
    assertThat(condition(status, Conditions.HEALTHY).getLastTransitionTime())
        .isEqualTo("2026-11-24T10:01:30Z");
    assertThat(condition(status, Conditions.READY).getLastTransitionTime())
        .isEqualTo(condition(probe.getStatus(), Conditions.READY).getLastTransitionTime());
  }

  @Test
  void suspendedProbesSaySoAndSinceMoves() {
    HealthProbe probe = httpProbe();
    probe.setStatus(accepted(probe, snapshot(Health.Healthy), T0));
    HealthProbeStatus suspended =
        ProbeStatus.compose(
            probe,
            Conditions.TRUE,
            Conditions.REASON_SUSPENDED,
            "checks are suspended",
            null,
            Redactor.standard(),
            T0.plusSeconds(30));
    assertThat(suspended.health).isEqualTo(Health.Suspended);
    assertThat(suspended.since).isEqualTo("2026-11-24T10:00:30Z");
    assertThat(condition(suspended, Conditions.HEALTHY).getReason())
        .isEqualTo(Conditions.REASON_SUSPENDED);
  }

  @Test
  void readyMessagesAndTargetsAreRedacted() {
    HealthProbe probe = httpProbe();
    probe.getSpec().http.url = "http://orders.shop.svc:8080/hooks/tok-CANARY-1234/x?token=CANARY";
    Redactor redactor = Redactor.standard().withSecrets(List.of("tok-CANARY-1234"));
    HealthProbeStatus status =
        ProbeStatus.compose(
            probe,
            Conditions.FALSE,
            Conditions.REASON_INVALID_SPEC,
            "spec.http.tls.caSecretRef: not a PEM certificate (tok-CANARY-1234)",
            null,
            redactor,
            T0);
    assertThat(status.target).doesNotContain("CANARY");
    assertThat(condition(status, Conditions.READY).getMessage()).doesNotContain("CANARY");
  }

  private static HealthProbeStatus accepted(
      HealthProbe probe, ProbeSnapshot snapshot, Instant now) {
    return ProbeStatus.compose(
        probe,
        Conditions.TRUE,
        Conditions.REASON_ACCEPTED,
        "Spec accepted.",
        snapshot,
        Redactor.standard(),
        now);
  }

  @Test
  void aNewerSampleAloneIsNotWrittenBeforeTheRefreshInterval() {
    HealthProbe probe = httpProbe();
    probe.setStatus(accepted(probe, snapshot(Health.Unhealthy), T0));
    Duration refresh = Duration.ofMinutes(30);
    Instant later = Instant.parse("2026-11-24T10:00:40Z"); // 50 s after the written lastCheck

    // The same verdict with a newer check and a longer streak: the written sample stands.
    HealthProbeStatus newer = accepted(probe, sampled(Health.Unhealthy, "10:00:30Z", 6), later);
    HealthProbeStatus kept = ProbeStatus.keepSample(newer, probe.getStatus(), later, refresh);
    assertThat(kept.lastCheck.time).isEqualTo("2026-11-24T09:59:50Z");
    assertThat(kept.consecutiveFailures).isEqualTo(3);
    assertThat(StatusPatcher.patchIfChanged(probe, kept, HealthProbe::new).isNoUpdate()).isTrue();

    // Anything else changed: everything is written, the newer sample with it.
    HealthProbeStatus healthy = accepted(probe, sampled(Health.Healthy, "10:00:30Z", 0), later);
    HealthProbeStatus fresh = ProbeStatus.keepSample(healthy, probe.getStatus(), later, refresh);
    assertThat(fresh.lastCheck.time).isEqualTo("2026-11-24T10:00:30Z");
    assertThat(fresh.health).isEqualTo(Health.Healthy);

    // The written sample is as old as the refresh interval: the newer one is written.
    Instant due = Instant.parse("2026-11-24T10:29:50Z");
    HealthProbeStatus refreshed =
        ProbeStatus.keepSample(
            accepted(probe, sampled(Health.Unhealthy, "10:29:45Z", 180), due),
            probe.getStatus(),
            due,
            refresh);
    assertThat(refreshed.lastCheck.time).isEqualTo("2026-11-24T10:29:45Z");
    assertThat(refreshed.consecutiveFailures).isEqualTo(180);

    // Nothing written yet: nothing to keep.
    HealthProbe unwritten = httpProbe();
    HealthProbeStatus first = accepted(unwritten, snapshot(Health.Unhealthy), T0);
    assertThat(ProbeStatus.keepSample(first, null, T0, refresh)).isSameAs(first);
  }

  /** A snapshot of the same verdict as {@link #snapshot} with another last check and streak. */
  private static ProbeSnapshot sampled(Health health, String time, int failures) {
    ProbeSnapshot base = snapshot(health);
    CheckRecord last = new CheckRecord();
    last.time = "2026-11-24T" + time;
    last.latencyMs = 7L;
    last.result = base.lastCheck().result;
    last.reason = base.lastCheck().reason;
    last.message = base.lastCheck().message;
    return new ProbeSnapshot(
        health,
        base.reason(),
        base.message(),
        failures,
        health == Health.Healthy ? 6 : 0,
        last,
        health == Health.Healthy ? null : last,
        base.since(),
        base.certificateNotAfter());
  }

  private static ProbeSnapshot snapshot(Health health) {
    CheckRecord last = new CheckRecord();
    last.time = "2026-11-24T09:59:50Z";
    last.latencyMs = 4L;
    boolean healthy = health == Health.Healthy;
    last.result = healthy ? CheckRecord.Result.Success : CheckRecord.Result.Failure;
    last.reason = healthy ? "Succeeded" : "ConnectionRefused";
    last.message = healthy ? "answered 200" : "connection refused";
    return new ProbeSnapshot(
        health,
        last.reason,
        last.message,
        healthy ? 0 : 3,
        healthy ? 5 : 0,
        last,
        healthy ? null : last,
        Instant.parse("2026-11-24T09:59:00Z"),
        Instant.parse("2027-01-01T00:00:00Z"));
  }

  private static Condition condition(HealthProbeStatus status, String type) {
    return Conditions.find(status.conditions, type).orElseThrow();
  }

  private static HealthProbe httpProbe() {
    HealthProbe probe = new HealthProbe();
    probe.setMetadata(
        new ObjectMetaBuilder()
            .withName("orders")
            .withNamespace("shop")
            .withGeneration(1L)
            .build());
    probe.getSpec().http = new HttpCheck();
    probe.getSpec().http.url = "http://orders.shop.svc:8080/healthz";
    return probe;
  }
}
