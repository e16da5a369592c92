package io.dihya.vigie.probe.check;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One check of one probe, built once per spec and run many times. Implementations are thread-safe.
 */
public interface Check extends AutoCloseable {

  /**
   * Starts one check. The future ALWAYS completes normally (never exceptionally) with a result, at
   * the latest shortly after {@code timeout} (a hard timeout: the result is then reason {@link
   * Reasons#TIMEOUT}). Must not block the calling thread on I/O.
   *
   * <p>The future completes on one of the factory's threads, never on a selector or channel thread
   * (or is already complete when returned); dependent actions should still be short.
   */
  CompletableFuture<CheckResult> run(Duration timeout);

  /**
   * Releases what this check holds between runs (a gRPC channel, an informer's interest). Called
   * once, when the check is replaced or its probe removed, after its last run completed. Never
   * throws.
   */
  @Override
  default void close() {}
}
