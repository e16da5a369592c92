package io.dihya.vigie.alert.sink;

import io.dihya.vigie.api.v1alpha1.TeamsSink;
import io.dihya.vigie.probe.check.SecretValues;
import java.time.Clock;
import java.util.concurrent.Executor;

/** SCAFFOLD: replaced by the real sink. */
final class TeamsAlertSink {
  static AlertSink create(
      TeamsSink spec, SecretValues secrets, SinkHttp http, Executor executor, Clock clock) {
    throw new UnsupportedOperationException("the sink is not implemented yet");
  }
}
