package io.dihya.vigie.testing;

import io.dihya.vigie.alert.sink.AlertSink;
import io.dihya.vigie.alert.sink.Delivery;
import io.dihya.vigie.alert.sink.Notification;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a real sink to see what the dispatcher asks of it: every attempt (when, on the test's
 * clock, which notification, what came of it), and whether one is in flight. An attempt counts as
 * finished once the dispatcher has handled its outcome, so that {@link #awaitQuiet} returning means
 * the dispatcher is idle or waiting on its timer.
 */
public final class ObservedSink implements AlertSink {

  /** One attempt: when it started, the notification, its outcome. */
  public record Attempt(Instant at, Notification notification, Delivery delivery) {}

  private final AlertSink real;
  private final Clock clock;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();

  public ObservedSink(AlertSink real, Clock clock) {
    this.real = real;
    this.clock = clock;
  }

  @Override
  public CompletableFuture<Delivery> send(Notification notification, Duration timeout) {
    Instant at = clock.instant();
    CompletableFuture<Delivery> handed = new CompletableFuture<>();
    inFlight.incrementAndGet();
    real.send(notification, timeout)
        .whenComplete(
            (delivery, error) -> {
              attempts.add(new Attempt(at, notification, delivery));
              try {
                // Runs the dispatcher's handling of the outcome on this thread, before the count
                // drops (or, if it attaches later, on the caller's thread before send returns).
                handed.complete(delivery);
              } finally {
                inFlight.decrementAndGet();
              }
            });
    return handed;
  }

  /** Waits (real time) until no attempt is in flight. */
  public void awaitQuiet(Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (inFlight.get() > 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("an attempt is still in flight after " + atMost);
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
    }
  }

  public List<Attempt> attempts() {
    return attempts;
  }

  @Override
  public void close() {
    real.close();
  }
}
