package io.dihya.vigie.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A clock and a {@link ScheduledExecutorService} on simulated time, for minutes of outage in
 * milliseconds of test: nothing runs until the test calls {@link #runNext()}, which moves the clock
 * to the earliest task's time and runs it on the caller's thread. Tasks may be scheduled from any
 * thread (an HTTP callback scheduling a retry).
 */
public final class VirtualTime extends AbstractExecutorService implements ScheduledExecutorService {

  private final Instant origin;
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private long nowMillis;
  private long sequence;
  private boolean shutdown;

  public VirtualTime(Instant origin) {
    this.origin = origin;
  }

  /** A clock that reads the simulated time. */
  public Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return origin.plusMillis(elapsedMillis());
      }

      @Override
      public long millis() {
        return origin.toEpochMilli() + VirtualTime.this.elapsedMillis();
      }
    };
  }

  /** Simulated milliseconds since the origin. */
  public synchronized long elapsedMillis() {
    return nowMillis;
  }

  /** When the earliest task is due, in simulated milliseconds since the origin. */
  public synchronized Optional<Long> nextAt() {
    Task next = tasks.peek();
    return next == null ? Optional.empty() : Optional.of(next.at);
  }

  /** Moves the clock to the earliest task and runs it; false when nothing is scheduled. */
  public boolean runNext() {
    Task next;
    synchronized (this) {
      next = tasks.poll();
      if (next == null) {
        return false;
      }
      nowMillis = Math.max(nowMillis, next.at);
    }
    next.run();
    return true;
  }

  /** Runs, in time order, every task due within {@code span}, then sets the clock at its end. */
  public void advance(Duration span) {
    long until;
    synchronized (this) {
      until = nowMillis + span.toMillis();
    }
    while (nextAt().filter(at -> at <= until).isPresent()) {
      runNext();
    }
    synchronized (this) {
      nowMillis = Math.max(nowMillis, until);
    }
  }

  private synchronized Task add(Runnable body, long delayMillis, long periodMillis) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
    }
    Task task = new Task(body, nowMillis + Math.max(0, delayMillis), periodMillis, sequence++);
    tasks.add(task);
    return task;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return add(command, unit.toMillis(delay), 0);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException("not needed by the tests");
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return add(command, unit.toMillis(initialDelay), unit.toMillis(period));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return add(command, unit.toMillis(initialDelay), unit.toMillis(delay));
  }

  @Override
  public void execute(Runnable command) {
    add(command, 0, 0);
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = new ArrayList<>(tasks);
    tasks.clear();
    return left;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }

  private final class Task implements ScheduledFuture<Object>, Runnable {
    final Runnable body;
    final long periodMillis;
    final long order;
    long at;
    boolean cancelled;
    boolean done;

    Task(Runnable body, long at, long periodMillis, long order) {
      this.body = body;
      this.at = at;
      this.periodMillis = periodMillis;
      this.order = order;
    }

    @Override
    public void run() {
      synchronized (VirtualTime.this) {
        if (cancelled) {
          return;
        }
      }
      body.run();
      synchronized (VirtualTime.this) {
        if (periodMillis > 0 && !cancelled && !shutdown) {
          at = nowMillis + periodMillis;
          tasks.add(this);
        } else {
          done = true;
        }
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      synchronized (VirtualTime.this) {
        return unit.convert(at - nowMillis, TimeUnit.MILLISECONDS);
      }
    }

    @Override
    public int compareTo(Delayed other) {
      Task o = (Task) other;
      return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
    }

    @Override
    public boolean cancel(boolean mayInterrupt) {
      synchronized (VirtualTime.this) {
        cancelled = true;
        return tasks.remove(this);
      }
    }

    @Override
    public boolean isCancelled() {
      synchronized (VirtualTime.this) {
        return cancelled;
      }
    }

    @Override
    public boolean isDone() {
      synchronized (VirtualTime.this) {
        return done || cancelled;
      }
    }

    @Override
    public Object get() {
      throw new UnsupportedOperationException("not needed by the tests");
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException("not needed by the tests");
    }
  }
}
