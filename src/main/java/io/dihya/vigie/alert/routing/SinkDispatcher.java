package io.dihya.vigie.alert.routing;

import io.dihya.vigie.alert.sink.AlertSink;
import io.dihya.vigie.alert.sink.Delivery;
import io.dihya.vigie.alert.sink.Notification;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Delivers one sink's notifications, one at a time and in order, at least once:
 *
 * <ul>
 *   <li>A retryable failure (timeout, connection failure, HTTP 408/429/5xx) is retried with
 *       exponential backoff from {@code initialBackoff} doubling up to {@code maxBackoff}, or after
 *       the receiver's Retry-After when longer, never more than {@code maxBackoff}; a permanent one
 *       (HTTP 4xx) is dropped and counted. There is no retry budget: a notification is retried
 *       until it is delivered, superseded or dropped.
 *   <li>Memory is bounded while a sink is down for hours: a waiting notification of a group (also
 *       one waiting for its retry; only the one being sent is left alone) is replaced by the
 *       group's newer one when that one carries all its alerts and resolves none that it fires: the
 *       receiver still hears of every alert that fired, then of its latest state (PagerDuty ignores
 *       a resolve whose incident it never opened, Alertmanager never pages for it), and a group of
 *       one flapping alert waits as at most one firing notification and its resolve; only the
 *       latest heartbeat waits; beyond {@code capacity} waiting besides the one being sent and that
 *       heartbeat, the oldest is dropped, counted and reported.
 *   <li>At most {@code perMinute} attempts a minute when a rate limit is set.
 * </ul>
 *
 * <p>Every outcome goes to the {@code outcomes} callback (the audit log and status.sinks).
 */
public final class SinkDispatcher implements AutoCloseable {

  /**
   * Counters of the sink, for status.sinks and the metrics endpoint.
   *
   * @param failed given up: a failure that is not retried
   * @param dropped dropped from a full queue
   * @param retried failed attempts that are retried
   * @param waiting notifications in the queue (the one being sent included)
   */
  public record Stats(
      long delivered,
      long failed,
      long dropped,
      long retried,
      int waiting,
      Instant lastDelivery,
      String lastError,
      String lastReference) {}

  /** Tuning of a dispatcher. */
  public record Settings(
      Duration timeout,
      Duration initialBackoff,
      Duration maxBackoff,
      int capacity,
      Integer perMinute) {}

  private static final String DROPPED = "dropped: the sink's queue is full";

  private final AlertSink sink;
  private final ScheduledExecutorService timer;
  private final Clock clock;
  private final Settings settings;
  private final BiConsumer<Notification, Delivery> outcomes;
  private final Deque<Notification> waiting = new ArrayDeque<>();
  private final Deque<Long> recentAttempts = new ArrayDeque<>();

  /** Whether an attempt is in flight or scheduled (a retry, a rate-limit wait). */
  private boolean busy;

  /**
   * The notification inside {@link AlertSink#send}, or null: the only one that can be neither
   * superseded nor dropped. One waiting for its retry can be, and the retry takes the new head.
   */
  private Notification sending;

  private boolean closed;
  private Duration backoff;
  private long delivered;
  private long failed;
  private long dropped;
  private long retried;
  private Instant lastDelivery;
  private String lastError;
  private String lastReference;

  /**
   * @param outcomes called with each notification and its final or retried outcome (DROPPED and
   *     SUPERSEDED are reported with a failed Delivery whose error says so)
   */
  public SinkDispatcher(
      AlertSink sink,
      ScheduledExecutorService timer,
      Clock clock,
      Settings settings,
      BiConsumer<Notification, Delivery> outcomes) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.timer = Objects.requireNonNull(timer, "timer");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
    this.backoff = settings.initialBackoff();
  }

  /** Queues a notification for delivery. */
  public void offer(Notification notification) {
    List<Notification> superseded = new ArrayList<>();
    Notification overflow = null;
    synchronized (this) {
      if (closed) {
        return;
      }
      // The one being sent and the one heartbeat that may wait are not counted against capacity.
      int uncounted = notification.kind() == Notification.Kind.HEARTBEAT ? 1 : 0;
      Iterator<Notification> it = waiting.iterator();
      while (it.hasNext()) {
        Notification queued = it.next();
        if (queued != sending && supersedes(notification, queued)) {
          it.remove();
          superseded.add(queued);
        } else if (queued == sending || queued.kind() == Notification.Kind.HEARTBEAT) {
          uncounted++;
        }
      }
      waiting.addLast(notification);
      if (waiting.size() - uncounted > settings.capacity()) {
        overflow = removeOldestCounted();
        dropped++;
        lastError = DROPPED;
      }
    }
    for (Notification old : superseded) {
      outcomes.accept(old, Delivery.fail("superseded by a newer notification of its group"));
    }
    if (overflow != null) {
      outcomes.accept(overflow, Delivery.fail(DROPPED));
    }
    pump();
  }

  /**
   * A group's notification that carries all the older one's alerts; a heartbeat, any older one (a
   * sink down for a day would otherwise queue a heartbeat a minute and drop alerts for them). Test
   * notifications are never replaced: each is a request waiting for its answer.
   */
  private static boolean supersedes(Notification newer, Notification older) {
    if (newer.kind() != older.kind()) {
      return false;
    }
    return switch (newer.kind()) {
      case HEARTBEAT -> true;
      case ALERTS -> older.groupKey().equals(newer.groupKey()) && carriesAll(newer, older);
      case TEST -> false;
    };
  }

  /** Every alert of the older one is in the newer one, and none it fires is resolved there. */
  private static boolean carriesAll(Notification newer, Notification older) {
    java.util.Map<String, Notification.Status> carried = new java.util.HashMap<>();
    newer.alerts().forEach(a -> carried.put(a.fingerprint(), a.status()));
    return older.alerts().stream()
        .allMatch(
            a -> {
              Notification.Status now = carried.get(a.fingerprint());
              return now != null
                  && !(a.status() == Notification.Status.FIRING
                      && now == Notification.Status.RESOLVED);
            });
  }

  /** Removes the oldest waiting notification of alerts or test; never the one being sent. */
  private Notification removeOldestCounted() {
    Iterator<Notification> it = waiting.iterator();
    while (it.hasNext()) {
      Notification queued = it.next();
      if (queued != sending && queued.kind() != Notification.Kind.HEARTBEAT) {
        it.remove();
        return queued;
      }
    }
    throw new IllegalStateException("a queue over capacity holds only uncounted notifications");
  }

  private void pump() {
    Notification next;
    long wait;
    synchronized (this) {
      if (closed || busy || waiting.isEmpty()) {
        return;
      }
      wait = rateLimitWait();
      busy = true;
      next = waiting.peekFirst();
      sending = wait > 0 ? null : next;
    }
    if (wait > 0) {
      schedule(this::attemptHead, wait);
    } else {
      attempt(next);
    }
  }

  private void attemptHead() {
    Notification head;
    synchronized (this) {
      head = closed ? null : waiting.peekFirst();
      if (head == null) {
        busy = false;
        return;
      }
      sending = head;
    }
    attempt(head);
  }

  /** Milliseconds until an attempt is allowed by the rate limit; records the attempt when 0. */
  private long rateLimitWait() {
    Integer perMinute = settings.perMinute();
    long now = clock.millis();
    if (perMinute == null || perMinute <= 0) {
      return 0;
    }
    while (!recentAttempts.isEmpty() && recentAttempts.peekFirst() <= now - 60_000) {
      recentAttempts.pollFirst();
    }
    if (recentAttempts.size() < perMinute) {
      recentAttempts.addLast(now);
      return 0;
    }
    long wait = recentAttempts.peekFirst() + 60_000 - now;
    recentAttempts.pollFirst();
    recentAttempts.addLast(now + wait);
    return wait;
  }

  private void attempt(Notification notification) {
    CompletableFuture<Delivery> sent;
    try {
      sent = sink.send(notification, settings.timeout());
    } catch (RuntimeException e) {
      sent = CompletableFuture.completedFuture(Delivery.retry("the sink failed to start", null));
    }
    sent.whenComplete(
        (delivery, error) ->
            done(
                notification,
                delivery != null ? delivery : Delivery.retry("the sink failed", null)));
  }

  private void done(Notification notification, Delivery delivery) {
    long retryIn = -1;
    synchronized (this) {
      sending = null;
      if (delivery.delivered()) {
        removeExactly(notification);
        delivered++;
        lastDelivery = clock.instant();
        lastReference = delivery.reference() != null ? delivery.reference() : lastReference;
        backoff = settings.initialBackoff();
      } else if (delivery.retryable() && !closed) {
        retried++;
        lastError = delivery.error();
        Duration wait = backoff;
        Duration asked = delivery.retryAfter();
        if (asked != null && asked.compareTo(wait) > 0) {
          // Capped: a receiver asking for a day (or for more seconds than a long holds in
          // milliseconds) must not stall the sink's queue for that long.
          wait = asked.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : asked;
        }
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
        retryIn = wait.toMillis();
      } else {
        removeExactly(notification);
        failed++;
        lastError = delivery.error();
        backoff = settings.initialBackoff();
      }
    }
    outcomes.accept(notification, delivery);
    if (retryIn >= 0) {
      schedule(this::attemptHead, retryIn);
      return;
    }
    synchronized (this) {
      busy = false;
    }
    pump();
  }

  /** Removes that very notification (records are equal by value: an identical one may wait). */
  private void removeExactly(Notification notification) {
    if (waiting.peekFirst() == notification) {
      waiting.pollFirst();
    } else {
      waiting.removeIf(queued -> queued == notification);
    }
  }

  private void schedule(Runnable task, long delayMillis) {
    try {
      timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        busy = false;
        closed = true;
      }
    }
  }

  public synchronized Stats stats() {
    return new Stats(
        delivered,
        failed,
        dropped,
        retried,
        waiting.size(),
        lastDelivery,
        lastError,
        lastReference);
  }

  /** Stops delivering; what still waits is left undelivered (the caller recovers it on start). */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    sink.close();
  }
}
