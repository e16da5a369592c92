package io.dihya.vigie.probe.check;

import io.dihya.vigie.api.v1alpha1.DnsCheck;
import java.util.concurrent.Executor;

/** SCAFFOLD: replaced by the real check. */
final class DnsProbeCheck {
  static Check create(DnsCheck spec, Executor executor, Executor callbacks) {
    throw new UnsupportedOperationException("the check type is not implemented yet");
  }
}
