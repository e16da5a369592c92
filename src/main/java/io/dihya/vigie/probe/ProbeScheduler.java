package io.dihya.vigie.probe;

import io.dihya.vigie.api.v1alpha1.Health;
import io.dihya.vigie.api.v1alpha1.HealthProbeStatus;
import io.dihya.vigie.probe.check.Check;
import io.dihya.vigie.probe.check.CheckResult;
import io.dihya.vigie.probe.check.Reasons;
import io.dihya.vigie.redact.Redactor;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Runs every registered probe's check on its own schedule, in this process, and keeps its state.
 *
 * <ul>
 *   <li>One timer thread only starts checks; checks are non-blocking, so it never waits on I/O.
 *   <li>A probe's runs are planned from its start times (fixed rate), with a stable per-probe
 *       offset inside the interval so that probes with the same interval do not fire together.
 *   <li>At most {@code maxConcurrency} checks are in flight; the others wait in start order.
 *   <li>Every check has a hard timeout here too, whatever the check does.
 *   <li>A result that changes nothing a user sees is kept in memory only; the listener (which
 *       brings the probe back into a reconcile, where status is written) hears of health and reason
 *       changes at once and of anything else at most once per refresh interval.
 * </ul>
 */
public class ProbeScheduler implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ProbeScheduler.class);

  /** Failed checks, one JSON line each (with the MDC fields), the audit trail users asked for. */
  private static final Logger AUDIT = Logger.getLogger("io.dihya.vigie.audit.check");

  /** Time a check gets beyond its own timeout before the scheduler calls it a Timeout. */
  static final Duration GRACE = Duration.ofMillis(500);

  private final Clock clock;
  private final Duration refreshInterval;
  private final Semaphore slots;
  private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
  private final ScheduledThreadPoolExecutor timer;
  private final Map<ResourceID, Registration> registrations = new ConcurrentHashMap<>();
  private final AtomicLong checksStarted = new AtomicLong();
  private final AtomicLong runsSkipped = new AtomicLong();

  private final int maxConcurrency;
  private final EngineMetrics metrics;

  private volatile Consumer<ResourceID> listener = id -> {};
  private volatile TransitionListener transitions = (id, snapshot, redactor) -> {};
  private volatile Predicate<ResourceID> exists = id -> true;

  public ProbeScheduler(
      Clock clock, int maxConcurrency, Duration refreshInterval, EngineMetrics metrics) {
    this.clock = clock;
    this.refreshInterval = refreshInterval;
    this.maxConcurrency = maxConcurrency;
    this.metrics = metrics;
    this.slots = new Semaphore(maxConcurrency);
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "vigie-probe-scheduler");
              t.setDaemon(true);
              return t;
            });
    this.timer.setRemoveOnCancelPolicy(true);
    metrics.gauges(registrations::size, this::inFlight, waiting::size);
  }

  private int inFlight() {
    return maxConcurrency - slots.availablePermits();
  }

  /** Who hears that a probe's status should be written (the probe event source). */
  public void onChange(Consumer<ResourceID> listener) {
    this.listener = listener;
  }

  /** Hears of a probe's change of health at once, on the thread that recorded the result. */
  @FunctionalInterface
  public interface TransitionListener {
    /**
     * @param snapshot the probe's state just after the change
     * @param redactor the probe's redactor (its Secrets' values)
     */
    void transition(ResourceID id, ProbeSnapshot snapshot, Redactor redactor);
  }

  /**
   * Who hears of every change of health as the engine sees it (the alert pipeline): unlike status,
   * this needs no API server, so alerts go out while it is unreachable.
   */
  public void onTransition(TransitionListener transitions) {
    this.transitions = transitions;
  }

  /**
   * How the scheduler learns that a probe was deleted: checked before every run, so no check runs
   * after a probe is gone even if no reconcile told the scheduler.
   */
  public void existsWhen(Predicate<ResourceID> exists) {
    this.exists = exists;
  }

  /**
   * The timing of a probe, and what identifies its configuration.
   *
   * @param checkType the check's type (http, tcp, dns...), the type label of the probe's metrics
   */
  public record Timing(
      Duration interval,
      Duration timeout,
      int failureThreshold,
      int successThreshold,
      String fingerprint,
      String checkType) {}

  /**
   * The last completed check of a probe, as blackbox_exporter's {@code probe_*} series show it.
   *
   * @param reason one of {@link Reasons}
   * @param httpStatus the final answer's status code of an http check, 0 when there was none; -1
   *     for the other check types
   * @param certificateNotAfter the earliest notAfter of the certificates this check was shown, or
   *     null when it made no TLS handshake
   */
  public record LastCheck(
      boolean success, String reason, long latencyMs, int httpStatus, Instant certificateNotAfter) {

    static LastCheck of(String checkType, CheckResult result) {
      int status = -1;
      if ("http".equals(checkType)) {
        status =
            result.data().get("http") instanceof Map<?, ?> http
                    && http.get("status") instanceof Number code
                ? code.intValue()
                : 0;
      }
      return new LastCheck(
          result.success(),
          result.reason(),
          result.latencyMs(),
          status,
          result.certificateNotAfter());
    }
  }

  /**
   * What the metrics endpoint shows of one probe.
   *
   * @param lastCheck null until the probe's first check in this process completed
   * @param health the verdict, restored from status after a restart
   */
  public record Reading(
      ResourceID id,
      String checkType,
      LastCheck lastCheck,
      Health health,
      int consecutiveFailures) {}

  /** Reads every registered probe (for a metrics scrape): no copy of the registrations is kept. */
  public void forEachReading(Consumer<Reading> action) {
    for (Registration r : registrations.values()) {
      action.accept(
          new Reading(
              r.id,
              r.timing.checkType(),
              r.lastCheck,
              r.state.health(),
              r.state.consecutiveFailures()));
    }
  }

  /**
   * Registers a probe, or updates it when its configuration changed. State (health, streaks) is
   * kept across updates and, for a new registration, restored from {@code status}.
   *
   * @return true when something changed
   */
  public boolean schedule(
      ResourceID id, Timing timing, Check check, Redactor redactor, HealthProbeStatus status) {
    Registration existing = registrations.get(id);
    if (existing != null && existing.timing.fingerprint().equals(timing.fingerprint())) {
      check.close(); // the registered check already runs this configuration
      return false;
    }
    ProbeState state;
    long phase;
    if (existing != null) {
      existing.cancel();
      state = existing.state;
      state.thresholds(timing.failureThreshold(), timing.successThreshold());
      phase = existing.lastStart;
    } else {
      state =
          ProbeState.restore(
              status, timing.failureThreshold(), timing.successThreshold(), clock.instant());
      phase = -1;
    }
    Registration registration = new Registration(id, timing, check, redactor, state);
    registration.lastNotified = clock.millis();
    if (existing != null && existing.timing.checkType().equals(timing.checkType())) {
      // A changed spec keeps the probe's series until its next check, as it keeps its state.
      registration.lastCheck = existing.lastCheck;
    }
    registrations.put(id, registration);
    long now = clock.millis();
    long interval = timing.interval().toMillis();
    long first;
    if (phase >= 0) {
      // Keep the rhythm: next run one (new) interval after the last start, or now if that passed.
      first = Math.max(now, phase + interval);
    } else if (state.snapshot().lastCheck() == null) {
      // Never checked: a verdict now (the probe's first status can carry it), then the runs keep
      // the probe's own offset in the interval, so that probes created together do not run
      // together.
      first = now;
      registration.followingPlanned = now + offset(id, interval);
    } else {
      first = now + offset(id, interval);
    }
    registration.nextPlanned = first;
    registration.future =
        timer.schedule(() -> run(registration), first - now, TimeUnit.MILLISECONDS);
    return true;
  }

  /** Whether the probe is registered with this configuration already. */
  public boolean hasFingerprint(ResourceID id, String fingerprint) {
    Registration registration = registrations.get(id);
    return registration != null && registration.timing.fingerprint().equals(fingerprint);
  }

  /** Stops a probe's checks and forgets its state. */
  public boolean remove(ResourceID id) {
    Registration registration = registrations.remove(id);
    if (registration == null) {
      return false;
    }
    registration.cancel();
    return true;
  }

  public Optional<ProbeSnapshot> snapshot(ResourceID id) {
    Registration registration = registrations.get(id);
    return registration == null ? Optional.empty() : Optional.of(registration.state.snapshot());
  }

  /** How long ago the probe was registered with its current configuration. */
  public Optional<Duration> scheduledFor(ResourceID id) {
    Registration registration = registrations.get(id);
    return registration == null
        ? Optional.empty()
        : Optional.of(Duration.ofMillis(Math.max(0, clock.millis() - registration.registeredAt)));
  }

  public boolean isScheduled(ResourceID id) {
    return registrations.containsKey(id);
  }

  public int size() {
    return registrations.size();
  }

  /** Checks started since the scheduler was made. */
  public long checksStarted() {
    return checksStarted.get();
  }

  /** Runs not started because the previous check of the same probe was still in flight. */
  public long runsSkipped() {
    return runsSkipped.get();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    registrations.values().forEach(Registration::cancel);
    registrations.clear();
  }

  /** A stable offset inside the interval, so equal intervals do not fire in the same instant. */
  static long offset(ResourceID id, long intervalMillis) {
    long hash =
        (id.getNamespace().orElse("") + "/" + id.getName()).hashCode() * 0x9E3779B97F4A7C15L;
    return Math.floorMod(hash >>> 16, Math.max(1, intervalMillis));
  }

  private void run(Registration registration) {
    if (registration.cancelled) {
      return;
    }
    if (!exists.test(registration.id)) {
      remove(registration.id);
      return;
    }
    long now = clock.millis();
    long interval = registration.timing.interval().toMillis();
    long planned = registration.nextPlanned;
    long next =
        registration.followingPlanned > 0 ? registration.followingPlanned : planned + interval;
    registration.followingPlanned = 0;
    while (next <= now) {
      next += interval; // fell behind (machine suspended, overload): skip, do not burst
    }
    registration.nextPlanned = next;
    registration.future =
        timer.schedule(() -> run(registration), next - now, TimeUnit.MILLISECONDS);
    if (registration.inFlight) {
      runsSkipped.incrementAndGet();
      metrics.skipped();
      return;
    }
    registration.inFlight = true;
    if (registration.cancelled) {
      registration.inFlight = false;
      registration.releaseIfIdle();
      return;
    }
    registration.lastStart = now;
    Runnable start = () -> start(registration, planned);
    if (slots.tryAcquire()) {
      start.run();
    } else {
      waiting.add(start);
      drain();
    }
  }

  private void drain() {
    while (!waiting.isEmpty() && slots.tryAcquire()) {
      Runnable next = waiting.poll();
      if (next == null) {
        slots.release();
        return;
      }
      next.run();
    }
  }

  private void start(Registration registration, long planned) {
    if (registration.cancelled) {
      registration.inFlight = false;
      slots.release();
      registration.releaseIfIdle();
      return;
    }
    checksStarted.incrementAndGet();
    long startMillis = clock.millis();
    metrics.started(startMillis - planned);
    Instant started = Instant.ofEpochMilli(startMillis);
    Duration timeout = registration.timing.timeout();
    CompletableFuture<CheckResult> result;
    try {
      result = registration.check.run(timeout);
    } catch (RuntimeException e) {
      result =
          CompletableFuture.completedFuture(
              CheckResult.failure(Reasons.CONNECTION_FAILED, "the check could not start", 0));
    }
    long timeoutMillis = timeout.toMillis();
    result
        .completeOnTimeout(
            CheckResult.failure(
                Reasons.TIMEOUT, "no answer within " + timeoutMillis + "ms", timeoutMillis),
            timeoutMillis + GRACE.toMillis(),
            TimeUnit.MILLISECONDS)
        .whenComplete(
            (outcome, error) -> {
              slots.release();
              registration.inFlight = false;
              registration.releaseIfIdle();
              CheckResult checked =
                  outcome != null
                      ? outcome
                      : CheckResult.failure(
                          Reasons.CONNECTION_FAILED,
                          "the check failed unexpectedly",
                          clock.millis() - started.toEpochMilli());
              metrics.completed(checked.success(), checked.reason(), checked.latencyMs());
              record(registration, checked, started);
              drain();
            });
  }

  private void record(Registration registration, CheckResult raw, Instant started) {
    if (registration.cancelled) {
      return;
    }
    // Results arrive on the engine's own threads (check I/O, timer), which may have inherited a
    // reconciler's MDC (JOSDK puts the resource it reconciles there): log lines from here carry
    // only this probe's fields.
    MDC.clear();
    CheckResult result = raw.withMessage(registration.redactor.redact(raw.message()));
    registration.lastCheck = LastCheck.of(registration.timing.checkType(), raw);
    Health before = registration.state.health();
    ProbeState.Change change = registration.state.apply(result, started);
    if (!result.success()) {
      audit(registration.id, result, started);
    }
    if (change == ProbeState.Change.HEALTH) {
      ProbeSnapshot after = registration.state.snapshot();
      logTransition(registration.id, before, after);
      try {
        transitions.transition(registration.id, after, registration.redactor);
      } catch (RuntimeException e) {
        LOG.warnf(
            "the transition of %s could not be routed: %s",
            registration.id, e.getClass().getName());
      }
    }
    long now = clock.millis();
    if (change != ProbeState.Change.NONE || now - registration.lastNotified >= refreshMillis()) {
      registration.lastNotified = now;
      listener.accept(registration.id);
    }
  }

  private long refreshMillis() {
    return refreshInterval.toMillis();
  }

  private static void audit(ResourceID id, CheckResult result, Instant started) {
    MDC.put("namespace", id.getNamespace().orElse(""));
    MDC.put("probe", id.getName());
    MDC.put("reason", result.reason());
    MDC.put("latencyMs", Long.toString(result.latencyMs()));
    MDC.put("checkStarted", started.toString());
    try {
      AUDIT.infof("check failed: %s: %s", result.reason(), result.message());
    } finally {
      MDC.clear();
    }
  }

  private static void logTransition(ResourceID id, Health before, ProbeSnapshot after) {
    String probe = id.getNamespace().orElse("") + "/" + id.getName();
    if (after.health() == Health.Unhealthy) {
      LOG.warnf("HealthProbe %s turned Unhealthy (%s): %s", probe, after.reason(), after.message());
    } else {
      LOG.infof("HealthProbe %s turned %s (was %s)", probe, after.health(), before);
    }
  }

  private final class Registration {
    final ResourceID id;
    final Timing timing;
    final Check check;
    final Redactor redactor;
    final ProbeState state;
    volatile ScheduledFuture<?> future;
    volatile long nextPlanned;

    /** When set, the run after the next one: a first check out of the rhythm, then the rhythm. */
    volatile long followingPlanned;

    /** When it was registered (epoch millis). */
    final long registeredAt = clock.millis();

    volatile long lastStart = -1;

    /** The last completed check, for the metrics endpoint; null before the first. */
    volatile LastCheck lastCheck;

    volatile long lastNotified;
    volatile boolean inFlight;
    volatile boolean cancelled;
    final AtomicBoolean released = new AtomicBoolean();

    Registration(ResourceID id, Timing timing, Check check, Redactor redactor, ProbeState state) {
      this.id = id;
      this.timing = timing;
      this.check = check;
      this.redactor = redactor;
      this.state = state;
    }

    void cancel() {
      cancelled = true;
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
      releaseIfIdle();
    }

    /**
     * Closes the check once it is cancelled and no run is in flight. {@code cancelled} is written
     * before {@code inFlight} is read here, and run() writes {@code inFlight} before it reads
     * {@code cancelled}, so a run that starts during cancel() sees the cancellation and stops.
     */
    void releaseIfIdle() {
      if (cancelled && !inFlight && released.compareAndSet(false, true)) {
        try {
          check.close();
        } catch (RuntimeException e) {
          LOG.debugf("closing the check of %s failed: %s", id, e.getClass().getSimpleName());
        }
      }
    }
  }
}
