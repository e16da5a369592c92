package io.dihya.vigie.probe.check;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Runs the work of a blocking client (JDBC, Jedis, a TLS socket) on the factory's check pool, never
 * on the caller's thread, with the {@link Check#run} contract: the future completes normally, with
 * a failure for any exception (classified by {@link Failures}) and with reason Timeout once the
 * timeout has passed. The body should set its client's own connect and read timeouts from {@code
 * deadlineNanos} so that its thread is freed soon after.
 */
final class Blocking {

  /** The blocking part of a check. */
  @FunctionalInterface
  interface Body {
    /**
     * @param startNanos {@link System#nanoTime()} when the check started, for its latency
     * @param deadlineNanos {@link System#nanoTime()} by which the answer is due
     */
    CheckResult run(long startNanos, long deadlineNanos) throws Exception;
  }

  private Blocking() {}

  static CompletableFuture<CheckResult> run(
      Executor executor, Executor callbacks, Duration timeout, String target, Body body) {
    long start = System.nanoTime();
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      return CompletableFuture.completedFuture(
          CheckResult.failure(Reasons.INVALID_SPEC, "the timeout must be positive", 0));
    }
    long deadline = start + timeout.toNanos();
    CompletableFuture<CheckResult> work;
    try {
      work =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return body.run(start, deadline);
                } catch (Exception e) {
                  throw new CompletionException(e);
                }
              },
              executor);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failure(e, timeout, target, start));
    }
    return work.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handleAsync(
            (result, error) -> error == null ? result : failure(error, timeout, target, start),
            callbacks);
  }

  /**
   * Milliseconds left until {@code deadlineNanos}, at least 1 (0 means "no limit" to most APIs).
   */
  static int millisLeft(long deadlineNanos) {
    long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left));
  }

  /** Milliseconds since {@code startNanos}. */
  static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  private static CheckResult failure(Throwable error, Duration timeout, String target, long start) {
    Failures.Failure f = Failures.classify(error, timeout);
    return CheckResult.failure(f.reason(), target + ": " + f.text(), millisSince(start));
  }
}
