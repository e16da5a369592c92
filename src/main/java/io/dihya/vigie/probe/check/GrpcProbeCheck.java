package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.GrpcCheck;
import java.util.concurrent.Executor;

/** SCAFFOLD: replaced by the real check. */
final class GrpcProbeCheck {
  static Check create(GrpcCheck spec, SecretValues secrets, Executor executor, Executor callbacks) {
    throw new UnsupportedOperationException("the check type is not implemented yet");
  }
}
