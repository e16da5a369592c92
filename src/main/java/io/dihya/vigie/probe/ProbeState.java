package io.dihya.vigie.probe;

import io.dihya.vigie.api.v1alpha1.CheckRecord;
import io.dihya.vigie.api.v1alpha1.Health;
import io.dihya.vigie.api.v1alpha1.HealthProbeStatus;
import io.dihya.vigie.kube.Conditions;
import io.dihya.vigie.probe.check.CheckResult;
import io.dihya.vigie.probe.check.Reasons;
import java.time.Instant;

/**
 * What the engine knows of one probe, in memory: streaks, the last results and the health after
 * thresholds. Guarded by its own monitor: results arrive on I/O threads, snapshots are taken by the
 * reconciler.
 */
final class ProbeState {

  /** What one result changed, for the scheduler to decide whether status must be written. */
  enum Change {
    /** Nothing a user would see at once: streaks and lastCheck only. */
    NONE,
    /**
     * The reason of the current verdict changed (e.g. Timeout, then ConnectionRefused), or the
     * target became forbidden or allowed again (which the Ready condition shows at once).
     */
    REASON,
    /** Health changed: Unknown, Healthy, Unhealthy. */
    HEALTH
  }

  private int failureThreshold;
  private int successThreshold;

  private Health health = Health.Unknown;
  private String verdictReason = Conditions.REASON_AWAITING_CHECKS;
  private String verdictMessage = "No verdict yet.";
  private int consecutiveFailures;
  private int consecutiveSuccesses;
  private CheckRecord lastCheck;
  private CheckRecord lastFailure;
  private Instant since;
  private Instant certificateNotAfter;

  ProbeState(int failureThreshold, int successThreshold, Instant now) {
    this.failureThreshold = failureThreshold;
    this.successThreshold = successThreshold;
    this.since = now;
  }

  /**
   * Picks up what a previous operator process wrote, so a restart causes no transition: health,
   * streaks, the last results and the verdict's reason.
   */
  static ProbeState restore(
      HealthProbeStatus status, int failureThreshold, int successThreshold, Instant now) {
    ProbeState state = new ProbeState(failureThreshold, successThreshold, now);
    if (status == null) {
      return state;
    }
    if (status.health == Health.Healthy || status.health == Health.Unhealthy) {
      state.health = status.health;
      Conditions.find(status.conditions, Conditions.HEALTHY)
          .ifPresent(
              c -> {
                state.verdictReason = c.getReason();
                state.verdictMessage = c.getMessage();
              });
    }
    state.consecutiveFailures = orZero(status.consecutiveFailures);
    state.consecutiveSuccesses = orZero(status.consecutiveSuccesses);
    state.lastCheck = status.lastCheck;
    state.lastFailure = status.lastFailure;
    // (Unknown too: a restart changes nothing; Suspended is not restored, its since is not either)
    if (status.since != null
        && (state.health != Health.Unknown || status.health == Health.Unknown)) {
      state.since = Instant.parse(status.since);
    }
    if (status.certificateNotAfter != null) {
      state.certificateNotAfter = Instant.parse(status.certificateNotAfter);
    }
    return state;
  }

  synchronized void thresholds(int failureThreshold, int successThreshold) {
    this.failureThreshold = failureThreshold;
    this.successThreshold = successThreshold;
  }

  /** Records a result (its message already redacted) and applies the thresholds. */
  synchronized Change apply(CheckResult result, Instant started) {
    CheckRecord record = new CheckRecord();
    record.time = Conditions.timestamp(started);
    record.latencyMs = result.latencyMs();
    record.result = result.success() ? CheckRecord.Result.Success : CheckRecord.Result.Failure;
    record.reason = result.reason();
    record.message = result.message();
    boolean forbiddenBefore = forbidden(lastCheck);
    lastCheck = record;
    if (result.certificateNotAfter() != null) {
      certificateNotAfter = result.certificateNotAfter();
    }
    Health before = health;
    String reasonBefore = verdictReason;
    if (result.success()) {
      consecutiveSuccesses++;
      consecutiveFailures = 0;
      if (health != Health.Healthy && consecutiveSuccesses >= successThreshold) {
        health = Health.Healthy;
      }
      if (health == Health.Healthy) {
        verdictReason = Reasons.SUCCEEDED;
        verdictMessage = result.message();
      }
    } else {
      consecutiveFailures++;
      consecutiveSuccesses = 0;
      lastFailure = record;
      if (health != Health.Unhealthy && consecutiveFailures >= failureThreshold) {
        health = Health.Unhealthy;
      }
      if (health == Health.Unhealthy) {
        verdictReason = result.reason();
        verdictMessage = result.message();
      }
    }
    if (health != before) {
      since = started;
      return Change.HEALTH;
    }
    return verdictReason.equals(reasonBefore) && forbidden(record) == forbiddenBefore
        ? Change.NONE
        : Change.REASON;
  }

  private static boolean forbidden(CheckRecord record) {
    return record != null && Reasons.TARGET_FORBIDDEN.equals(record.reason);
  }

  synchronized Health health() {
    return health;
  }

  synchronized int consecutiveFailures() {
    return consecutiveFailures;
  }

  synchronized ProbeSnapshot snapshot() {
    return new ProbeSnapshot(
        health,
        verdictReason,
        verdictMessage,
        consecutiveFailures,
        consecutiveSuccesses,
        lastCheck,
        lastFailure,
        since,
        certificateNotAfter);
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
