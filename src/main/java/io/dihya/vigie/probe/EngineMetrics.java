package io.dihya.vigie.probe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The probe engine's own health as Micrometer meters: how many checks run and fail (by reason), how
 * late they start against their plan, how long they take, how many are in flight. No label holds
 * anything a user wrote: reasons are the fixed set of {@link io.dihya.vigie.probe.check.Reasons}.
 */
public final class EngineMetrics {

  private final MeterRegistry registry;
  private final Timer scheduleLag;
  private final Timer checkDuration;
  private final Counter checks;
  private final Counter skipped;
  private final Map<String, Counter> failures = new ConcurrentHashMap<>();

  public EngineMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.scheduleLag =
        Timer.builder("vigie.schedule.lag")
            .description("How late a check started against its planned start")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
    this.checkDuration =
        Timer.builder("vigie.check.duration")
            .description("How long a check took, as the check measured it")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(60))
            .register(registry);
    this.checks =
        Counter.builder("vigie.checks").description("Checks completed").register(registry);
    this.skipped =
        Counter.builder("vigie.check.runs.skipped")
            .description("Runs not started because the probe's previous check was still running")
            .register(registry);
  }

  /** Registers gauges read from the scheduler: probes scheduled, checks in flight and waiting. */
  void gauges(Supplier<Number> probes, Supplier<Number> inFlight, Supplier<Number> waiting) {
    Gauge.builder("vigie.probes.scheduled", probes)
        .description("Probes whose checks this replica runs")
        .register(registry);
    Gauge.builder("vigie.checks.in.flight", inFlight)
        .description("Checks running now")
        .register(registry);
    Gauge.builder("vigie.checks.waiting", waiting)
        .description("Checks due but waiting for a free slot (vigie.checks.max-concurrency)")
        .register(registry);
  }

  void started(long lagMillis) {
    scheduleLag.record(Math.max(0, lagMillis), TimeUnit.MILLISECONDS);
  }

  void skipped() {
    skipped.increment();
  }

  void completed(boolean success, String reason, long latencyMillis) {
    checks.increment();
    checkDuration.record(Math.max(0, latencyMillis), TimeUnit.MILLISECONDS);
    if (!success) {
      failures
          .computeIfAbsent(
              reason,
              r ->
                  Counter.builder("vigie.check.failures")
                      .description("Checks that failed, by reason")
                      .tag("reason", r)
                      .register(registry))
          .increment();
    }
  }
}
