package io.dihya.vigie.alert.sink;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One destination of a route, built once per route configuration by {@link SinkFactory}. Retries,
 * queues and rate limits are the pipeline's; a sink makes exactly one attempt per call.
 */
public interface AlertSink extends AutoCloseable {

  /**
   * Sends one notification. The future ALWAYS completes normally (never exceptionally), at the
   * latest shortly after {@code timeout}, and never blocks the caller's thread on I/O.
   */
  CompletableFuture<Delivery> send(Notification notification, Duration timeout);

  /**
   * The sink's type as a route's spec names it (webhook, slack, email...), the sink_type label of
   * the notification metrics.
   */
  default String type() {
    return "other";
  }

  /** Releases what the sink holds. Never throws. */
  @Override
  default void close() {}
}
