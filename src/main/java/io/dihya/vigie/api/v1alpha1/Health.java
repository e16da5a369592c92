package io.dihya.vigie.api.v1alpha1;

/** A probe's health after thresholds, as shown in the HEALTH column. */
public enum Health {
  /** The last successThreshold checks succeeded. */
  Healthy,
  /** The last failureThreshold checks failed. */
  Unhealthy,
  /** No verdict yet: too few checks, or the spec is invalid. */
  Unknown,
  /** spec.suspend is true: no checks run. */
  Suspended
}
