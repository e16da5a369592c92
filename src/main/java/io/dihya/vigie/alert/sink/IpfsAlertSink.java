package io.dihya.vigie.alert.sink;

import io.dihya.vigie.api.v1alpha1.IpfsSink;
import io.dihya.vigie.probe.check.SecretValues;
import java.time.Clock;
import java.util.concurrent.Executor;

/** SCAFFOLD: replaced by the real sink. */
final class IpfsAlertSink {
  static AlertSink create(
      IpfsSink spec, SecretValues secrets, SinkHttp http, Executor executor, Clock clock) {
    throw new UnsupportedOperationException("the sink is not implemented yet");
  }
}
