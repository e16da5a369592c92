package io.dihya.vigie.probe.check;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** A check whose successful results must also satisfy the probe's {@link Assertions}. */
final class AssertingCheck implements Check {

  private final Check check;
  private final String type;
  private final Assertions assertions;
  private final Executor callbacks;

  AssertingCheck(Check check, String type, Assertions assertions, Executor callbacks) {
    this.check = check;
    this.type = type;
    this.assertions = assertions;
    this.callbacks = callbacks;
  }

  @Override
  public CompletableFuture<CheckResult> run(Duration timeout) {
    // On the factory's threads: an assertion over a 1 MiB JSON body is work.
    return check.run(timeout).thenApplyAsync(result -> assertions.apply(result, type), callbacks);
  }

  @Override
  public void close() {
    check.close();
  }
}
