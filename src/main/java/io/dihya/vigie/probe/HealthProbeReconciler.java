package io.dihya.vigie.probe;

import io.dihya.vigie.alert.routing.AlertRouter;
import io.dihya.vigie.alert.routing.ProbeTransition;
import io.dihya.vigie.api.v1alpha1.DurationFormat;
import io.dihya.vigie.api.v1alpha1.Health;
import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.api.v1alpha1.HealthProbeSpec;
import io.dihya.vigie.api.v1alpha1.HealthProbeStatus;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.api.v1alpha1.Severity;
import io.dihya.vigie.config.VigieConfig;
import io.dihya.vigie.kube.Conditions;
import io.dihya.vigie.kube.ConfigFingerprint;
import io.dihya.vigie.kube.EventPublisher;
import io.dihya.vigie.kube.ReconcileTrigger;
import io.dihya.vigie.kube.SecretRefs;
import io.dihya.vigie.kube.SecretResolver;
import io.dihya.vigie.kube.SpecProblems;
import io.dihya.vigie.kube.StatusPatcher;
import io.dihya.vigie.probe.check.Check;
import io.dihya.vigie.probe.check.CheckFactory;
import io.dihya.vigie.redact.Redactor;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Level-based and cheap: validates the spec, resolves the Secrets it references, registers, updates
 * or removes the probe in the {@link ProbeScheduler}, and writes what the engine knows into status.
 * Checks never run here; the engine brings a probe back here (through a {@link ReconcileTrigger})
 * when its status should change.
 */
@ControllerConfiguration(
    name = "healthprobe",
    informer =
        @io.javaoperatorsdk.operator.api.config.informer.Informer(
            itemStore = io.dihya.vigie.kube.LeanItemStore.class))
public class HealthProbeReconciler implements Reconciler<HealthProbe> {

  private static final Logger LOG = Logger.getLogger(HealthProbeReconciler.class);

  private final ProbeScheduler scheduler;
  private final CheckFactory checks;
  private final SecretResolver secrets;
  private final EventPublisher events;
  private final Counter statusPatches;
  private final AlertRouter alerts;

  /** How long a new probe's first status waits for its first verdict. */
  static final Duration FIRST_VERDICT_WAIT = Duration.ofSeconds(2);

  private final Clock clock;
  private final Duration secretRetry;

  /** How long a written lastCheck may stand while nothing else changes (the engine's refresh). */
  private final Duration refresh;

  private final ReconcileTrigger<HealthProbe> engineEvents = new ReconcileTrigger<>("probe-engine");

  /**
   * Orders what the alert pipeline hears of a probe: transitions (from check threads), the health
   * reported when it is scheduled, its withdrawal when it is unscheduled.
   */
  private final Object alerting = new Object();

  /**
   * The health each probe's Events last told (from its status when it was scheduled), so that each
   * change of health gets one Event however stale the cached status is: after an outage it lags
   * behind the API server until the watch is back.
   */
  private final Map<ResourceID, Health> evented = new ConcurrentHashMap<>();

  public HealthProbeReconciler(
      ProbeScheduler scheduler,
      CheckFactory checks,
      SecretResolver secrets,
      EventPublisher events,
      AlertRouter alerts,
      Clock clock,
      VigieConfig config,
      MeterRegistry registry) {
    this.statusPatches = StatusPatcher.counter(registry, "HealthProbe");
    this.scheduler = scheduler;
    this.checks = checks;
    this.secrets = secrets;
    this.events = events;
    this.alerts = alerts;
    this.clock = clock;
    this.secretRetry = config.secrets().retryInterval();
    this.refresh = config.status().refreshInterval();
  }

  @Override
  public List<EventSource<?, HealthProbe>> prepareEventSources(
      EventSourceContext<HealthProbe> context) {
    scheduler.onChange(engineEvents::fire);
    var cache = context.getPrimaryCache();
    cache.addIndexer(DEPENDS_ON_INDEX, HealthProbeReconciler::dependencyKeys);
    // Transitions go to the alert pipeline straight from the engine, not through a reconcile: a
    // reconcile waits on the API server (Events, the status patch), notifications must not.
    scheduler.onTransition(
        (id, snapshot, redactor) -> {
          synchronized (alerting) {
            if (scheduler.isScheduled(id)) {
              cache
                  .get(id)
                  .ifPresent(
                      probe -> {
                        tellAlerts(probe, snapshot, redactor);
                        wakeDependants(probe, cache);
                      });
            }
          }
        });
    scheduler.existsWhen(id -> cache.get(id).isPresent());
    return List.of(engineEvents);
  }

  @Override
  public UpdateControl<HealthProbe> reconcile(HealthProbe probe, Context<HealthProbe> context) {
    return StatusPatcher.writeNow(probe, decide(probe, context), context, statusPatches);
  }

  /** What the reconcile does: everything but the status write, which it returns. */
  private UpdateControl<HealthProbe> decide(HealthProbe probe, Context<HealthProbe> context) {
    Instant now = clock.instant();
    ResourceID id = ResourceID.fromResource(probe);
    var cache = context.getPrimaryCache();
    // Reconciles start once the cache has synced: from now on it tells which probes were deleted.
    alerts.probesExistWhen(probeId -> cache.get(probeId).isPresent());
    HealthProbeSpec spec = probe.getSpec();
    SpecProblems problems = HealthProbeValidator.validate(probe.getMetadata().getName(), spec);
    if (!problems.isEmpty()) {
      unschedule(probe);
      return notReady(
          probe, Conditions.REASON_INVALID_SPEC, problems.message(), Redactor.standard(), now);
    }
    if (Boolean.TRUE.equals(spec.suspend)) {
      unschedule(probe);
      HealthProbeStatus status =
          ProbeStatus.compose(
              probe,
              Conditions.TRUE,
              Conditions.REASON_SUSPENDED,
              "Spec accepted; checks are suspended (spec.suspend is true).",
              null,
              Redactor.standard(),
              now);
      return StatusPatcher.patchIfChanged(probe, status, HealthProbe::new);
    }
    Set<SecretKeyRef> refs = SecretRefs.of(spec);
    SecretResolver.Resolution resolution =
        secrets.resolve(probe.getMetadata().getNamespace(), refs);
    if (!resolution.complete()) {
      unschedule(probe);
      return notReady(
              probe,
              Conditions.REASON_SECRET_NOT_FOUND,
              String.join("; ", resolution.missing()),
              Redactor.standard(),
              now)
          .rescheduleAfter(secretRetry);
    }
    Redactor redactor = Redactor.standard().withSecrets(resolution.values().values());
    String fingerprint = ConfigFingerprint.of(probe, resolution.values());
    if (!scheduler.hasFingerprint(id, fingerprint)) {
      Check check;
      try {
        check = checks.create(probe.getMetadata().getNamespace(), spec, resolution::get);
      } catch (IllegalArgumentException e) {
        unschedule(probe);
        return notReady(probe, Conditions.REASON_INVALID_SPEC, e.getMessage(), redactor, now);
      } catch (UnsupportedOperationException e) {
        unschedule(probe);
        return notReady(probe, Conditions.REASON_UNSUPPORTED_CHECK, e.getMessage(), redactor, now);
      }
      synchronized (alerting) {
        scheduler.schedule(id, timing(spec, fingerprint), check, redactor, probe.getStatus());
        ProbeSnapshot scheduled = scheduler.snapshot(id).orElse(null);
        tellAlerts(probe, scheduled, redactor);
        if (scheduled != null) {
          evented.putIfAbsent(id, scheduled.health()); // restored from status: no Event
        }
      }
    }
    ProbeSnapshot snapshot = scheduler.snapshot(id).orElse(null);
    ProbeStatus.Readiness readiness = ProbeStatus.Readiness.of(snapshot);
    if (probe.getStatus() == null
        && snapshot != null
        && snapshot.lastCheck() == null
        && !readiness.forbidden()) {
      // A new probe's first check runs at once: its first status waits for the verdict (one write
      // instead of two, 10,000 of them when 10,000 probes are applied), FIRST_VERDICT_WAIT at most.
      Duration waited = scheduler.scheduledFor(id).orElse(FIRST_VERDICT_WAIT);
      if (waited.compareTo(FIRST_VERDICT_WAIT) < 0) {
        return UpdateControl.<HealthProbe>noUpdate()
            .rescheduleAfter(FIRST_VERDICT_WAIT.minus(waited));
      }
    }
    if (readiness.forbidden() && !readiness.shownIn(probe)) {
      events.publish(
          probe,
          EventPublisher.WARNING,
          readiness.reason(),
          "Check",
          readiness.message(),
          redactor);
    }
    HealthProbeStatus status =
        ProbeStatus.compose(
            probe,
            readiness.status(),
            readiness.reason(),
            readiness.message(),
            snapshot,
            redactor,
            now);
    if (snapshot != null && snapshot.health() == Health.Unhealthy) {
      alerts
          .unhealthyDependency(probe.getMetadata().getNamespace(), spec.dependsOn)
          .ifPresent(
              dependency ->
                  status.conditions =
                      Conditions.set(
                          status.conditions,
                          Conditions.HEALTHY,
                          Conditions.FALSE,
                          Conditions.REASON_DEPENDENCY_UNHEALTHY,
                          redactor.redact(
                              "Dependency "
                                  + dependency
                                  + " is unhealthy, so the alerts of this probe are held back."
                                  + " This probe's own check: "
                                  + snapshot.reason()
                                  + ": "
                                  + snapshot.message()),
                          probe.getMetadata().getGeneration(),
                          now));
    }
    announceTransition(probe, snapshot, redactor);
    return StatusPatcher.patchIfChanged(
        probe, ProbeStatus.keepSample(status, probe.getStatus(), now, refresh), HealthProbe::new);
  }

  /** Stops the probe's checks; its alerts, if any fire, resolve (it has no verdict any more). */
  private void unschedule(HealthProbe probe) {
    synchronized (alerting) {
      scheduler.remove(ResourceID.fromResource(probe));
      evented.remove(ResourceID.fromResource(probe));
      alerts.withdraw(probe.getMetadata().getNamespace(), probe.getMetadata().getName());
    }
  }

  /**
   * Tells the alert pipeline the probe's health: on every transition, and when it is (re)scheduled
   * (after a restart or a change of spec, routes learn what fires without waiting for a
   * transition); a state they already hold changes nothing.
   */
  private void tellAlerts(HealthProbe probe, ProbeSnapshot snapshot, Redactor redactor) {
    if (snapshot != null && snapshot.health() == Health.Unhealthy) {
      alerts.transition(transition(probe, snapshot, true, redactor));
    } else if (snapshot != null && snapshot.health() == Health.Healthy) {
      alerts.transition(transition(probe, snapshot, false, redactor));
    }
  }

  /**
   * A probe's health changed: the probes that depend on it recompute their status. Looked up in an
   * index (namespace/name of each dependency): a scan of the namespace cost O(probes) for every
   * transition, 10,000 × 10,000 comparisons when 10,000 new probes got their first verdict.
   */
  private void wakeDependants(HealthProbe probe, IndexedResourceCache<HealthProbe> cache) {
    String key = probe.getMetadata().getNamespace() + "/" + probe.getMetadata().getName();
    for (HealthProbe dependant : cache.byIndex(DEPENDS_ON_INDEX, key)) {
      engineEvents.fire(ResourceID.fromResource(dependant));
    }
  }

  static final String DEPENDS_ON_INDEX = "vigie-depends-on";

  /**
   * namespace/name of each probe the probe depends on (dependsOn names probes of its namespace).
   */
  static List<String> dependencyKeys(HealthProbe probe) {
    if (probe.getSpec() == null || probe.getSpec().dependsOn == null) {
      return List.of();
    }
    String namespace = probe.getMetadata().getNamespace();
    return probe.getSpec().dependsOn.stream()
        .distinct()
        .map(name -> namespace + "/" + name)
        .toList();
  }

  private UpdateControl<HealthProbe> notReady(
      HealthProbe probe, String reason, String message, Redactor redactor, Instant now) {
    HealthProbeStatus current = probe.getStatus();
    boolean already =
        current != null
            && Conditions.find(current.conditions, Conditions.READY)
                .map(
                    c ->
                        reason.equals(c.getReason())
                            && Objects.equals(redactor.redact(message), c.getMessage()))
                .orElse(false);
    if (!already) {
      LOG.infof(
          "HealthProbe %s/%s is not ready (%s): %s",
          probe.getMetadata().getNamespace(),
          probe.getMetadata().getName(),
          reason,
          redactor.redact(message));
      events.publish(probe, EventPublisher.WARNING, reason, "Validate", message, redactor);
    }
    HealthProbeStatus status =
        ProbeStatus.compose(probe, Conditions.FALSE, reason, message, null, redactor, now);
    return StatusPatcher.patchIfChanged(probe, status, HealthProbe::new);
  }

  /**
   * One Event per change of health (the alert pipeline heard of it from the engine already); one
   * that cannot be written now is tried again at the next reconcile.
   */
  private void announceTransition(HealthProbe probe, ProbeSnapshot snapshot, Redactor redactor) {
    if (snapshot == null) {
      return;
    }
    ResourceID id = ResourceID.fromResource(probe);
    if (evented.size() > scheduler.size()) {
      evented.keySet().removeIf(known -> !scheduler.isScheduled(known)); // deleted probes
    }
    Health before =
        evented.computeIfAbsent(
            id, known -> probe.getStatus() == null ? null : probe.getStatus().health);
    if (snapshot.health() == before) {
      return;
    }
    boolean written = true;
    if (snapshot.health() == Health.Unhealthy) {
      written =
          events.publish(
              probe,
              EventPublisher.WARNING,
              "ProbeFailed",
              "Check",
              snapshot.reason() + ": " + snapshot.message(),
              redactor);
    } else if (snapshot.health() == Health.Healthy && before == Health.Unhealthy) {
      written =
          events.publish(
              probe,
              EventPublisher.NORMAL,
              "ProbeRecovered",
              "Check",
              "The target is healthy again: " + snapshot.message(),
              redactor);
    }
    if (written) {
      evented.put(id, snapshot.health());
    }
  }

  private static ProbeScheduler.Timing timing(HealthProbeSpec spec, String fingerprint) {
    return new ProbeScheduler.Timing(
        DurationFormat.parse(spec.interval).orElseThrow(),
        DurationFormat.parse(spec.timeout).orElseThrow(),
        spec.failureThreshold == null ? 3 : spec.failureThreshold,
        spec.successThreshold == null ? 1 : spec.successThreshold,
        fingerprint,
        TargetRenderer.checkType(spec));
  }

  /** The alert pipeline's view of a transition; texts redacted with the probe's redactor. */
  private static ProbeTransition transition(
      HealthProbe probe, ProbeSnapshot snapshot, boolean unhealthy, Redactor redactor) {
    HealthProbeSpec spec = probe.getSpec();
    Map<String, String> annotations = new LinkedHashMap<>();
    if (spec.alert != null && spec.alert.annotations != null) {
      spec.alert.annotations.forEach((k, v) -> annotations.put(k, redactor.redact(v)));
    }
    return new ProbeTransition(
        probe.getMetadata().getNamespace(),
        probe.getMetadata().getName(),
        unhealthy,
        (spec.severity == null ? Severity.WARNING : spec.severity).name().toLowerCase(Locale.ROOT),
        TargetRenderer.checkType(spec),
        snapshot.reason(),
        redactor.redact(snapshot.message()),
        probe.getMetadata().getLabels() == null ? Map.of() : probe.getMetadata().getLabels(),
        spec.alert == null || spec.alert.labels == null ? Map.of() : spec.alert.labels,
        annotations,
        snapshot.since() == null ? Instant.now() : snapshot.since(),
        spec.dependsOn);
  }
}
