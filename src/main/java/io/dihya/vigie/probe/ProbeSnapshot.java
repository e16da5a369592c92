package io.dihya.vigie.probe;

import io.dihya.vigie.api.v1alpha1.CheckRecord;
import io.dihya.vigie.api.v1alpha1.Health;
import java.time.Instant;

/**
 * An immutable copy of a probe's engine state, for the reconciler to write into status. Messages
 * are already redacted.
 *
 * @param health Unknown until the thresholds give a verdict
 * @param reason the reason of the Healthy condition
 * @param message the message of the Healthy condition
 */
public record ProbeSnapshot(
    Health health,
    String reason,
    String message,
    int consecutiveFailures,
    int consecutiveSuccesses,
    CheckRecord lastCheck,
    CheckRecord lastFailure,
    Instant since,
    Instant certificateNotAfter) {}
