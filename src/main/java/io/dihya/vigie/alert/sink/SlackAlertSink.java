package io.dihya.vigie.alert.sink;

import io.dihya.vigie.api.v1alpha1.SlackSink;
import io.dihya.vigie.probe.check.SecretValues;
import java.time.Clock;
import java.util.concurrent.Executor;

/** SCAFFOLD: replaced by the real sink. */
final class SlackAlertSink {
  static AlertSink create(
      SlackSink spec, SecretValues secrets, SinkHttp http, Executor executor, Clock clock) {
    throw new UnsupportedOperationException("the sink is not implemented yet");
  }
}
