package io.dihya.vigie.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.api.v1alpha1.Health;
import io.dihya.vigie.api.v1alpha1.HealthProbeStatus;
import io.dihya.vigie.kube.Conditions;
import io.dihya.vigie.probe.check.Check;
import io.dihya.vigie.probe.check.CheckResult;
import io.dihya.vigie.probe.check.Reasons;
import io.dihya.vigie.redact.Redactor;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's own logic, with checks written in the test (the real checks are tested against
 * real servers in probe/check).
 */
class ProbeSchedulerTest {

  private static final ResourceID ID = new ResourceID("orders", "shop");

  private final List<ResourceID> notified = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService slowness = Executors.newScheduledThreadPool(4);
  private ProbeScheduler scheduler;
  private SimpleMeterRegistry metrics;

  @AfterEach
  void close() {
    if (scheduler != null) {
      scheduler.close();
    }
    slowness.shutdownNow();
  }

  private ProbeScheduler scheduler(int concurrency, Duration refresh) {
    scheduler =
        new ProbeScheduler(
            Clock.systemUTC(),
            concurrency,
            refresh,
            new EngineMetrics(metrics = new SimpleMeterRegistry()));
    scheduler.onChange(notified::add);
    return scheduler;
  }

  private static ProbeScheduler.Timing timing(long intervalMs, int failures, int successes) {
    return new ProbeScheduler.Timing(
        Duration.ofMillis(intervalMs),
        Duration.ofMillis(intervalMs / 2),
        failures,
        successes,
        "v1",
        "http");
  }

  private static Check failing(AtomicInteger runs) {
    return timeout -> {
      runs.incrementAndGet();
      return CompletableFuture.completedFuture(
          CheckResult.failure(Reasons.CONNECTION_REFUSED, "connection refused", 1));
    };
  }

  private static Check succeeding(AtomicInteger runs) {
    return timeout -> {
      runs.incrementAndGet();
      return CompletableFuture.completedFuture(CheckResult.success(2, "answered 200"));
    };
  }

  @Test
  void turnsUnhealthyAfterExactlyFailureThresholdFailuresAndNotifiesOnce() {
    AtomicInteger runs = new AtomicInteger();
    scheduler(8, Duration.ofHours(1))
        .schedule(ID, timing(50, 3, 1), failing(runs), Redactor.standard(), null);

    await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 6);
    ProbeSnapshot snapshot = scheduler.snapshot(ID).orElseThrow();
    assertThat(snapshot.health()).isEqualTo(Health.Unhealthy);
    assertThat(snapshot.reason()).isEqualTo(Reasons.CONNECTION_REFUSED);
    assertThat(snapshot.consecutiveFailures()).isGreaterThanOrEqualTo(6);
    assertThat(snapshot.lastFailure().reason).isEqualTo(Reasons.CONNECTION_REFUSED);
    // One notification: the transition. Further identical failures change nothing a user sees.
    assertThat(notified).containsExactly(ID);
  }

  @Test
  void metersCountChecksFailuresByReasonAndScheduleLag() {
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger passed = new AtomicInteger();
    scheduler(8, Duration.ofHours(1))
        .schedule(ID, timing(50, 3, 1), failing(failed), Redactor.standard(), null);
    scheduler.schedule(
        new ResourceID("cart", "shop"),
        timing(50, 3, 1),
        succeeding(passed),
        Redactor.standard(),
        null);
    await().atMost(Duration.ofSeconds(5)).until(() -> failed.get() >= 5 && passed.get() >= 5);
    scheduler.close();

    assertThat(metrics.get("vigie.probes.scheduled").gauge().value()).isZero();
    double checks = metrics.get("vigie.checks").counter().count();
    assertThat(checks).isEqualTo(scheduler.checksStarted());
    assertThat(
            metrics
                .get("vigie.check.failures")
                .tag("reason", Reasons.CONNECTION_REFUSED)
                .counter()
                .count())
        .isEqualTo(failed.get());
    var lag = metrics.get("vigie.schedule.lag").timer();
    assertThat(lag.count()).isEqualTo((long) checks);
    // An idle scheduler starts checks on time: well under one interval late.
    assertThat(lag.max(TimeUnit.MILLISECONDS)).isLessThan(50);
    assertThat(metrics.get("vigie.check.duration").timer().count()).isEqualTo((long) checks);
  }

  @Test
  void everyChangeOfHealthIsHeardOnceWithItsStateAndTheProbesRedactor() {
    List<String> heard = new CopyOnWriteArrayList<>();
    Redactor redactor = Redactor.standard().withSecrets(List.of("s3cr3t-value"));
    AtomicInteger runs = new AtomicInteger();
    scheduler(8, Duration.ofHours(1))
        .onTransition(
            (id, snapshot, r) -> {
              assertThat(r).isSameAs(redactor);
              heard.add(id.getName() + " " + snapshot.health());
            });
    // Healthy twice, then failing for good: Unknown -> Healthy -> Unhealthy.
    Check check =
        timeout ->
            CompletableFuture.completedFuture(
                runs.incrementAndGet() <= 2
                    ? CheckResult.success(1, "answered 200")
                    : CheckResult.failure(Reasons.CONNECTION_REFUSED, "connection refused", 1));
    scheduler.schedule(ID, timing(30, 2, 1), check, redactor, null);

    await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 8);
    assertThat(heard).containsExactly("orders Healthy", "orders Unhealthy");
  }

  @Test
  void thresholdsCountConsecutiveResultsOnly() {
    ProbeState state = new ProbeState(3, 2, java.time.Instant.EPOCH);
    var now = java.time.Instant.EPOCH;
    CheckResult fail = CheckResult.failure(Reasons.TIMEOUT, "no answer within 1s", 1000);
    CheckResult ok = CheckResult.success(3, "answered 200");
    assertThat(state.apply(fail, now)).isEqualTo(ProbeState.Change.NONE);
    assertThat(state.apply(fail, now)).isEqualTo(ProbeState.Change.NONE);
    assertThat(state.apply(ok, now)).isEqualTo(ProbeState.Change.NONE);
    assertThat(state.snapshot().health()).isEqualTo(Health.Unknown);
    assertThat(state.apply(ok, now)).isEqualTo(ProbeState.Change.HEALTH);
    assertThat(state.snapshot().health()).isEqualTo(Health.Healthy);
    assertThat(state.apply(fail, now)).isEqualTo(ProbeState.Change.NONE);
    assertThat(state.apply(fail, now)).isEqualTo(ProbeState.Change.NONE);
    assertThat(state.snapshot().health()).isEqualTo(Health.Healthy);
    assertThat(state.apply(fail, now.plusSeconds(9))).isEqualTo(ProbeState.Change.HEALTH);
    ProbeSnapshot unhealthy = state.snapshot();
    assertThat(unhealthy.health()).isEqualTo(Health.Unhealthy);
    assertThat(unhealthy.since()).isEqualTo(now.plusSeconds(9));
    assertThat(unhealthy.reason()).isEqualTo(Reasons.TIMEOUT);
    CheckResult refused = CheckResult.failure(Reasons.CONNECTION_REFUSED, "refused", 1);
    assertThat(state.apply(refused, now)).isEqualTo(ProbeState.Change.REASON);
    assertThat(state.apply(ok, now)).isEqualTo(ProbeState.Change.NONE);
    assertThat(state.apply(ok, now)).isEqualTo(ProbeState.Change.HEALTH);
    assertThat(state.snapshot().reason()).isEqualTo(Reasons.SUCCEEDED);
  }

  @Test
  void steadyHealthIsRefreshedAtMostOncePerRefreshInterval() {
    AtomicInteger runs = new AtomicInteger();
    scheduler(8, Duration.ofMillis(400))
        .schedule(ID, timing(40, 3, 1), succeeding(runs), Redactor.standard(), null);
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 30);
    // ~1.2 s of checks every 40 ms: the first verdict, then one refresh per 400 ms.
    assertThat(notified.size()).isBetween(2, 5);
    assertThat(runs.get()).isGreaterThan(8 * notified.size());
  }

  @Test
  void aCheckThatNeverAnswersTimesOutAndDoesNotDelayOtherProbes() {
    ResourceID hanging = new ResourceID("hanging", "shop");
    AtomicInteger hangingRuns = new AtomicInteger();
    Check never =
        timeout -> {
          hangingRuns.incrementAndGet();
          return new CompletableFuture<>();
        };
    AtomicInteger quickRuns = new AtomicInteger();
    scheduler(8, Duration.ofHours(1));
    scheduler.schedule(
        hanging,
        new ProbeScheduler.Timing(
            Duration.ofSeconds(2), Duration.ofMillis(200), 1, 1, "v1", "http"),
        never,
        Redactor.standard(),
        null);
    scheduler.schedule(ID, timing(50, 3, 1), succeeding(quickRuns), Redactor.standard(), null);

    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> scheduler.snapshot(hanging).orElseThrow().health() == Health.Unhealthy);
    ProbeSnapshot snapshot = scheduler.snapshot(hanging).orElseThrow();
    assertThat(snapshot.reason()).isEqualTo(Reasons.TIMEOUT);
    assertThat(snapshot.message()).isEqualTo("no answer within 200ms");
    assertThat(snapshot.lastCheck().latencyMs).isEqualTo(200L);
    // Meanwhile the other probe kept its rhythm.
    assertThat(quickRuns.get()).isGreaterThanOrEqualTo(10);
  }

  @Test
  void runsArePlannedFromStartTimesNotEndTimes() throws InterruptedException {
    AtomicInteger runs = new AtomicInteger();
    Check slow =
        timeout -> {
          runs.incrementAndGet();
          CompletableFuture<CheckResult> result = new CompletableFuture<>();
          slowness.schedule(
              () -> result.complete(CheckResult.success(70, "slow but fine")),
              70,
              TimeUnit.MILLISECONDS);
          return result;
        };
    scheduler(8, Duration.ofHours(1))
        .schedule(
            ID,
            new ProbeScheduler.Timing(
                Duration.ofMillis(100), Duration.ofMillis(90), 3, 1, "v1", "http"),
            slow,
            Redactor.standard(),
            null);
    Thread.sleep(1550);
    // Planned from start times: ~15 runs in 1.5 s (planned from end times it would be ~9).
    assertThat(runs.get()).isBetween(13, 16);
    assertThat(scheduler.runsSkipped()).isZero();
  }

  @Test
  void removingOrDeletingAProbeStopsItsChecks() throws InterruptedException {
    AtomicInteger runs = new AtomicInteger();
    scheduler(8, Duration.ofHours(1))
        .schedule(ID, timing(30, 3, 1), succeeding(runs), Redactor.standard(), null);
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 3);
    assertThat(scheduler.remove(ID)).isTrue();
    int after = runs.get();
    Thread.sleep(200);
    assertThat(runs.get()).isEqualTo(after);
    assertThat(scheduler.snapshot(ID)).isEmpty();
    assertThat(scheduler.remove(ID)).isFalse();

    // A probe deleted without a reconcile: the scheduler asks before every run.
    Set<ResourceID> existing = ConcurrentHashMap.newKeySet();
    existing.add(ID);
    scheduler.existsWhen(existing::contains);
    AtomicInteger again = new AtomicInteger();
    scheduler.schedule(ID, timing(30, 3, 1), succeeding(again), Redactor.standard(), null);
    await().atMost(Duration.ofSeconds(5)).until(() -> again.get() >= 2);
    existing.clear();
    await().atMost(Duration.ofSeconds(5)).until(() -> !scheduler.isScheduled(ID));
    int afterDelete = again.get();
    Thread.sleep(200);
    assertThat(again.get()).isEqualTo(afterDelete);
  }

  @Test
  void concurrencyIsBoundedAndWaitingChecksStillRun() {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    Check slow =
        timeout -> {
          maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          CompletableFuture<CheckResult> result = new CompletableFuture<>();
          slowness.schedule(
              () -> {
                inFlight.decrementAndGet();
                done.incrementAndGet();
                result.complete(CheckResult.success(20, "ok"));
              },
              20,
              TimeUnit.MILLISECONDS);
          return result;
        };
    scheduler(2, Duration.ofHours(1));
    for (int i = 0; i < 10; i++) {
      scheduler.schedule(
          new ResourceID("p" + i, "shop"),
          new ProbeScheduler.Timing(
              Duration.ofSeconds(1), Duration.ofMillis(500), 3, 1, "v1", "http"),
          slow,
          Redactor.standard(),
          null);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> done.get() >= 10);
    assertThat(maxInFlight.get()).isLessThanOrEqualTo(2);
  }

  @Test
  void offsetsSpreadProbesOverTheInterval() {
    int[] buckets = new int[10];
    for (int i = 0; i < 10_000; i++) {
      long offset = ProbeScheduler.offset(new ResourceID("probe-" + i, "ns-" + (i % 7)), 10_000);
      assertThat(offset).isBetween(0L, 9_999L);
      buckets[(int) (offset / 1000)]++;
    }
    for (int bucket : buckets) {
      assertThat(bucket).isBetween(800, 1200);
    }
  }

  @Test
  void aProbeWithoutVerdictKeepsItsSinceAcrossARestartButNotOneThatWasSuspended() {
    HealthProbeStatus status = new HealthProbeStatus();
    status.health = Health.Unknown;
    status.since = "2026-11-24T09:00:00Z";
    java.time.Instant now = java.time.Instant.parse("2026-11-24T10:00:00Z");
    assertThat(ProbeState.restore(status, 3, 1, now).snapshot().since())
        .isEqualTo(java.time.Instant.parse("2026-11-24T09:00:00Z"));
    status.health = Health.Suspended;
    assertThat(ProbeState.restore(status, 3, 1, now).snapshot().since()).isEqualTo(now);
  }

  @Test
  void stateIsRestoredFromStatusSoARestartCausesNoTransition() {
    HealthProbeStatus status = new HealthProbeStatus();
    status.health = Health.Unhealthy;
    status.consecutiveFailures = 5;
    status.since = "2026-11-24T09:00:00Z";
    status.conditions =
        Conditions.set(
            new ArrayList<>(),
            Conditions.HEALTHY,
            Conditions.FALSE,
            Reasons.CONNECTION_REFUSED,
            "connection refused",
            1L,
            java.time.Instant.EPOCH);
    AtomicInteger runs = new AtomicInteger();
    scheduler(8, Duration.ofHours(1))
        .schedule(ID, timing(30, 3, 1), failing(runs), Redactor.standard(), status);
    ProbeSnapshot restored = scheduler.snapshot(ID).orElseThrow();
    assertThat(restored.health()).isEqualTo(Health.Unhealthy);
    assertThat(restored.since()).isEqualTo(java.time.Instant.parse("2026-11-24T09:00:00Z"));
    await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 3);
    assertThat(scheduler.snapshot(ID).orElseThrow().consecutiveFailures())
        .isGreaterThanOrEqualTo(8);
    assertThat(notified).isEmpty();
  }

  @Test
  void messagesAreRedactedBeforeTheyAreKept() {
    Check leaky =
        timeout ->
            CompletableFuture.completedFuture(
                CheckResult.failure(
                    Reasons.UNEXPECTED_STATUS, "login with s3cr3t-CANARY refused: 401", 1));
    scheduler(8, Duration.ofHours(1))
        .schedule(
            ID,
            timing(30, 1, 1),
            leaky,
            Redactor.standard().withSecrets(List.of("s3cr3t-CANARY")),
            null);
    await().atMost(Duration.ofSeconds(5)).until(() -> !notified.isEmpty());
    ProbeSnapshot snapshot = scheduler.snapshot(ID).orElseThrow();
    assertThat(snapshot.message()).doesNotContain("CANARY").contains(Redactor.MASK);
    assertThat(snapshot.lastCheck().message).doesNotContain("CANARY");
  }

  @Test
  void aNewConfigurationKeepsTheStateAndTheSameOneChangesNothing() {
    AtomicInteger runs = new AtomicInteger();
    scheduler(8, Duration.ofHours(1));
    assertThat(scheduler.schedule(ID, timing(30, 1, 1), failing(runs), Redactor.standard(), null))
        .isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> !notified.isEmpty());
    assertThat(scheduler.hasFingerprint(ID, "v1")).isTrue();
    assertThat(scheduler.schedule(ID, timing(30, 1, 1), failing(runs), Redactor.standard(), null))
        .isFalse();
    ProbeScheduler.Timing v2 =
        new ProbeScheduler.Timing(Duration.ofMillis(60), Duration.ofMillis(30), 1, 1, "v2", "http");
    AtomicInteger newRuns = new AtomicInteger();
    assertThat(scheduler.schedule(ID, v2, succeeding(newRuns), Redactor.standard(), null)).isTrue();
    assertThat(scheduler.snapshot(ID).orElseThrow().health()).isEqualTo(Health.Unhealthy);
    await().atMost(Duration.ofSeconds(5)).until(() -> newRuns.get() >= 1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> scheduler.snapshot(ID).orElseThrow().health() == Health.Healthy);
    assertThat(scheduler.size()).isEqualTo(1);
    assertThat(scheduler.checksStarted()).isGreaterThan(1);
  }
}
