package io.dihya.vigie.probe.check;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One check of one probe, built once per spec and run many times. Implementations are thread-safe.
 */
public interface Check {

  /**
   * Starts one check. The future ALWAYS completes normally (never exceptionally) with a result, at
   * the latest shortly after {@code timeout} (a hard timeout: the result is then reason {@link
   * Reasons#TIMEOUT}). Must not block the calling thread on I/O.
   *
   * <p>The future completes on one of the factory's threads, never on a selector or channel thread
   * (or is already complete when returned); dependent actions should still be short.
   */
  CompletableFuture<CheckResult> run(Duration timeout);
}
