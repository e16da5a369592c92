package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.KubernetesCheck;
import java.util.concurrent.Executor;

/** SCAFFOLD: replaced by the real check. */
final class KubernetesProbeCheck {
  static Check create(
      String namespace, KubernetesCheck spec, Workloads workloads, Executor callbacks) {
    throw new UnsupportedOperationException("the check type is not implemented yet");
  }
}
