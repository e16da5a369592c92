package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.SecretKeyRef;

/** Values of the Secret keys a probe references, already resolved by the caller. */
@FunctionalInterface
public interface SecretValues {

  /**
   * The value of the key; the caller guarantees every ref in the spec resolves (else it never
   * builds a Check).
   */
  String get(SecretKeyRef ref);
}
