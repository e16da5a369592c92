package io.dihya.vigie.probe;

import io.dihya.vigie.api.v1alpha1.Health;
import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.api.v1alpha1.HealthProbeStatus;
import io.dihya.vigie.kube.Conditions;
import io.dihya.vigie.kube.SpecProblems;
import io.dihya.vigie.kube.StatusPatcher;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Level-based and cheap: validates the spec and writes Ready, Healthy, health and the TARGET column
 * into status. Checks never run here.
 */
@ControllerConfiguration(name = "healthprobe")
public class HealthProbeReconciler implements Reconciler<HealthProbe> {

  private static final Logger LOG = Logger.getLogger(HealthProbeReconciler.class);

  private final Clock clock;

  public HealthProbeReconciler() {
    this(Clock.systemUTC());
  }

  HealthProbeReconciler(Clock clock) {
    this.clock = clock;
  }

  @Override
  public UpdateControl<HealthProbe> reconcile(HealthProbe probe, Context<HealthProbe> context) {
    HealthProbeStatus desired = desiredStatus(probe, clock.instant());
    return StatusPatcher.patchIfChanged(probe, desired, HealthProbe::new);
  }

  /** The status {@code probe} should have now, carrying over what the engine recorded. */
  HealthProbeStatus desiredStatus(HealthProbe probe, Instant now) {
    HealthProbeStatus current =
        probe.getStatus() == null ? new HealthProbeStatus() : probe.getStatus();
    Long generation = probe.getMetadata().getGeneration();
    SpecProblems problems =
        HealthProbeValidator.validate(probe.getMetadata().getName(), probe.getSpec());

    HealthProbeStatus status = new HealthProbeStatus();
    status.observedGeneration = generation;
    status.lastCheck = current.lastCheck;
    status.lastFailure = current.lastFailure;
    status.consecutiveFailures = current.consecutiveFailures;
    status.consecutiveSuccesses = current.consecutiveSuccesses;
    status.certificateNotAfter = current.certificateNotAfter;
    status.target = probe.getSpec() == null ? "" : TargetRenderer.render(probe.getSpec());

    var conditions = current.conditions;
    if (!problems.isEmpty()) {
      if (!Conditions.REASON_INVALID_SPEC.equals(readyReason(current))) {
        LOG.infof(
            "HealthProbe %s/%s has an invalid spec: %s",
            probe.getMetadata().getNamespace(), probe.getMetadata().getName(), problems.message());
      }
      conditions =
          Conditions.set(
              conditions,
              Conditions.READY,
              Conditions.FALSE,
              Conditions.REASON_INVALID_SPEC,
              problems.message(),
              generation,
              now);
      conditions =
          Conditions.set(
              conditions,
              Conditions.HEALTHY,
              Conditions.UNKNOWN,
              Conditions.REASON_NOT_CHECKED,
              "No check runs while the spec is invalid.",
              generation,
              now);
      status.health = Health.Unknown;
    } else if (Boolean.TRUE.equals(probe.getSpec().suspend)) {
      conditions =
          Conditions.set(
              conditions,
              Conditions.READY,
              Conditions.TRUE,
              Conditions.REASON_SUSPENDED,
              "Spec accepted; checks are suspended (spec.suspend is true).",
              generation,
              now);
      conditions =
          Conditions.set(
              conditions,
              Conditions.HEALTHY,
              Conditions.UNKNOWN,
              Conditions.REASON_SUSPENDED,
              "No check runs while the probe is suspended.",
              generation,
              now);
      status.health = Health.Suspended;
    } else {
      conditions =
          Conditions.set(
              conditions,
              Conditions.READY,
              Conditions.TRUE,
              Conditions.REASON_ACCEPTED,
              "Spec accepted.",
              generation,
              now);
      var healthy = Conditions.find(conditions, Conditions.HEALTHY);
      if (healthy.isEmpty() || Conditions.UNKNOWN.equals(healthy.get().getStatus())) {
        conditions =
            Conditions.set(
                conditions,
                Conditions.HEALTHY,
                Conditions.UNKNOWN,
                Conditions.REASON_AWAITING_CHECKS,
                "No verdict yet.",
                generation,
                now);
        status.health = Health.Unknown;
      } else {
        status.health = current.health;
      }
    }
    status.conditions = conditions;
    status.since =
        status.health == current.health && current.since != null
            ? current.since
            : Conditions.timestamp(now);
    return status;
  }

  private static String readyReason(HealthProbeStatus status) {
    return Conditions.find(status.conditions, Conditions.READY).map(c -> c.getReason()).orElse("");
  }
}
