package io.dihya.vigie.alert.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.alert.sink.AlertSink;
import io.dihya.vigie.alert.sink.Delivery;
import io.dihya.vigie.alert.sink.Notification;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SinkDispatcherTest {

  final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  final List<String> sent = Collections.synchronizedList(new ArrayList<>());
  final Queue<Delivery> script = new ConcurrentLinkedQueue<>();
  final List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
  final List<Long> attemptTimes = Collections.synchronizedList(new ArrayList<>());

  /** When set, the next attempt stays in flight until the test completes it. */
  volatile CompletableFuture<Delivery> holdNext;

  final AlertSink sink =
      (notification, timeout) -> {
        attemptTimes.add(System.nanoTime());
        CompletableFuture<Delivery> held = holdNext;
        if (held != null) {
          holdNext = null;
          return held;
        }
        Delivery next = script.poll();
        Delivery outcome = next == null ? Delivery.ok("ref-" + notification.id()) : next;
        if (outcome.delivered()) {
          sent.add(notification.id());
        }
        return CompletableFuture.supplyAsync(() -> outcome);
      };

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  SinkDispatcher dispatcher(int capacity, Integer perMinute) {
    return dispatcher(capacity, perMinute, Duration.ofMillis(80));
  }

  SinkDispatcher dispatcher(int capacity, Integer perMinute, Duration maxBackoff) {
    return new SinkDispatcher(
        sink,
        timer,
        Clock.systemUTC(),
        new SinkDispatcher.Settings(
            Duration.ofSeconds(1), Duration.ofMillis(20), maxBackoff, capacity, perMinute),
        (n, d) ->
            outcomes.add(n.id() + ":" + (d.delivered() ? "ok" : d.retryable() ? "retry" : "fail")));
  }

  static Notification notification(String id, String group) {
    return new Notification(
        id,
        Notification.Kind.ALERTS,
        "shop/oncall",
        "webhook",
        group,
        Notification.Status.FIRING,
        Map.of(),
        Map.of(),
        Map.of(),
        List.of(),
        "title",
        "text",
        Instant.EPOCH);
  }

  @Test
  void deliversInOrderOnceEach() {
    SinkDispatcher d = dispatcher(100, null);
    for (int i = 0; i < 5; i++) {
      d.offer(notification("n" + i, "g" + i));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 5);
    assertThat(sent).containsExactly("n0", "n1", "n2", "n3", "n4");
    assertThat(d.stats().delivered()).isEqualTo(5);
    assertThat(d.stats().lastReference()).isEqualTo("ref-n4");
    assertThat(d.stats().waiting()).isZero();
  }

  @Test
  void retryableFailuresAreRetriedWithGrowingBackoffThenDeliveredOnce() {
    script.add(Delivery.retry("HTTP 503", null));
    script.add(Delivery.retry("HTTP 503", null));
    script.add(Delivery.retry("connection refused", null));
    SinkDispatcher d = dispatcher(100, null);
    d.offer(notification("n0", "g"));
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
    assertThat(sent).containsExactly("n0");
    assertThat(outcomes).containsExactly("n0:retry", "n0:retry", "n0:retry", "n0:ok");
    long first = (attemptTimes.get(1) - attemptTimes.get(0)) / 1_000_000;
    long third = (attemptTimes.get(3) - attemptTimes.get(2)) / 1_000_000;
    assertThat(first).isGreaterThanOrEqualTo(15);
    assertThat(third).isGreaterThanOrEqualTo(70); // 20, 40, 80 (capped)
    assertThat(d.stats().lastError()).isEqualTo("connection refused");
  }

  @Test
  void retryAfterIsHonouredWhenLongerThanTheBackoff() {
    script.add(Delivery.retry("HTTP 429", Duration.ofMillis(300)));
    SinkDispatcher d = dispatcher(100, null, Duration.ofSeconds(1));
    d.offer(notification("n0", "g"));
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
    assertThat((attemptTimes.get(1) - attemptTimes.get(0)) / 1_000_000).isGreaterThanOrEqualTo(290);
  }

  @Test
  void aRetryAfterLongerThanTheMaximumBackoffIsCappedAndAHugeOneDoesNotStallTheSink() {
    script.add(Delivery.retry("HTTP 429", Duration.ofDays(1)));
    // More seconds than a long holds in milliseconds: the dispatcher used to stop for good.
    script.add(Delivery.retry("HTTP 429", Duration.ofSeconds(Long.MAX_VALUE)));
    SinkDispatcher d = dispatcher(100, null);
    d.offer(notification("n0", "g"));
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
    assertThat(outcomes).containsExactly("n0:retry", "n0:retry", "n0:ok");
    // Each wait is the maximum backoff (80 ms), not a day.
    assertThat((attemptTimes.get(2) - attemptTimes.get(0)) / 1_000_000).isBetween(150L, 3_000L);
  }

  @Test
  void permanentFailuresAreCountedAndTheQueueMovesOn() {
    script.add(Delivery.fail("HTTP 400"));
    SinkDispatcher d = dispatcher(100, null);
    d.offer(notification("n0", "g0"));
    d.offer(notification("n1", "g1"));
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
    assertThat(sent).containsExactly("n1");
    assertThat(d.stats().failed()).isEqualTo(1);
    assertThat(d.stats().lastError()).isEqualTo("HTTP 400");
  }

  @Test
  void whileTheSinkIsDownAGroupKeepsOnlyItsNewestNotificationAndTheQueueIsBounded() {
    CompletableFuture<Delivery> headAnswer = new CompletableFuture<>();
    holdNext = headAnswer;
    for (int i = 0; i < 3; i++) {
      script.add(Delivery.retry("connection refused", null));
    }
    SinkDispatcher d = dispatcher(3, null);
    d.offer(notification("head", "g0")); // being sent: neither replaced nor dropped
    d.offer(notification("head2", "g0"));
    for (int i = 0; i < 10; i++) {
      d.offer(notification("a" + i, "ga")); // one group: each replaces the previous
    }
    assertThat(d.stats().waiting()).isEqualTo(3);
    assertThat(outcomes).contains("a0:fail", "a8:fail").doesNotContain("head:fail");
    for (int i = 0; i < 5; i++) {
      d.offer(notification("b" + i, "gb" + i)); // distinct groups: the capacity drops the oldest
    }
    // Three waiting besides the one being sent.
    assertThat(d.stats().waiting()).isEqualTo(4);
    assertThat(d.stats().dropped()).isEqualTo(4);
    assertThat(d.stats().lastError()).isEqualTo("dropped: the sink's queue is full");
    assertThat(outcomes).contains("head2:fail", "a9:fail", "b0:fail", "b1:fail");
    headAnswer.complete(Delivery.retry("connection refused", null));
    await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 4);
    assertThat(sent).containsExactly("head", "b2", "b3", "b4");
  }

  static Notification heartbeat(String id) {
    Notification n = notification(id, "{}/heartbeat");
    return new Notification(
        n.id(),
        Notification.Kind.HEARTBEAT,
        n.route(),
        n.receiver(),
        n.groupKey(),
        Notification.Status.RESOLVED,
        n.groupLabels(),
        n.commonLabels(),
        n.commonAnnotations(),
        List.of(),
        "[HEARTBEAT]",
        n.text(),
        n.createdAt());
  }

  @Test
  void whileTheSinkIsDownOnlyTheLatestHeartbeatWaitsAndAlertsAreNotCrowdedOut() {
    CompletableFuture<Delivery> headAnswer = new CompletableFuture<>();
    holdNext = headAnswer;
    SinkDispatcher d = dispatcher(3, null);
    d.offer(notification("head", "g0"));
    d.offer(withAlerts("firing-x", "g1", "x"));
    for (int i = 0; i < 10; i++) {
      d.offer(heartbeat("hb" + i)); // a heartbeat a minute, for ten minutes of outage
    }
    assertThat(d.stats().waiting()).isEqualTo(3);
    assertThat(d.stats().dropped()).isZero();
    assertThat(outcomes).contains("hb0:fail", "hb8:fail").doesNotContain("firing-x:fail");
    headAnswer.complete(Delivery.ok("ref-head"));
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
    assertThat(sent).containsExactly("firing-x", "hb9"); // (the held head is not in sent)
  }

  @Test
  void theWaitingHeartbeatDoesNotCountAgainstCapacity() {
    CompletableFuture<Delivery> headAnswer = new CompletableFuture<>();
    holdNext = headAnswer;
    SinkDispatcher d = dispatcher(2, null);
    d.offer(notification("head", "g0"));
    d.offer(withAlerts("firing-x", "g1", "x"));
    d.offer(heartbeat("hb"));
    d.offer(withAlerts("firing-y", "g2", "y"));
    // Two waiting alerts (the capacity), the heartbeat and the one being sent: nothing dropped.
    assertThat(d.stats().waiting()).isEqualTo(4);
    assertThat(d.stats().dropped()).isZero();
    d.offer(withAlerts("firing-z", "g3", "z"));
    assertThat(outcomes).containsExactly("firing-x:fail"); // the oldest alert, not the heartbeat
    headAnswer.complete(Delivery.ok("ref-head"));
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 3);
    assertThat(sent).containsExactly("hb", "firing-y", "firing-z");
  }

  @Test
  void aNotificationWaitingForItsRetryIsReplacedByItsGroupsNewerOne() {
    // The first attempt asks for 800 ms: the newer one arrives while the first waits.
    script.add(Delivery.retry("HTTP 503", Duration.ofMillis(800)));
    SinkDispatcher d = dispatcher(100, null, Duration.ofSeconds(1));
    d.offer(firing("x-fires", "g", "x"));
    await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.contains("x-fires:retry"));
    d.offer(firing("y-fires-too", "g", "x", "y"));
    assertThat(outcomes).contains("x-fires:fail");
    assertThat(d.stats().waiting()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
    // The retry took the new head, after the wait the receiver asked for.
    assertThat(sent).containsExactly("y-fires-too");
    assertThat((attemptTimes.get(1) - attemptTimes.get(0)) / 1_000_000).isGreaterThanOrEqualTo(790);
    await().during(Duration.ofMillis(300)).until(() -> sent.size() == 1);
  }

  @Test
  void aResolveNeverReplacesTheNotificationOfItsFiring() {
    // PagerDuty ignores a resolve whose incident it never opened: after the outage the receiver
    // hears that x fired, then that it resolved.
    script.add(Delivery.retry("HTTP 503", Duration.ofMillis(300)));
    SinkDispatcher d = dispatcher(100, null, Duration.ofSeconds(1));
    d.offer(firing("x-fires", "g", "x"));
    await().atMost(Duration.ofSeconds(5)).until(() -> outcomes.contains("x-fires:retry"));
    d.offer(withAlerts("x-resolves", "g", "x"));
    assertThat(d.stats().waiting()).isEqualTo(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
    assertThat(sent).containsExactly("x-fires", "x-resolves");
    assertThat(outcomes).noneMatch(o -> o.endsWith(":fail"));
  }

  @Test
  void aGroupFlappingWhileTheSinkIsDownWaitsAsItsLatestFiringAndItsResolve() {
    CompletableFuture<Delivery> headAnswer = new CompletableFuture<>();
    holdNext = headAnswer;
    SinkDispatcher d = dispatcher(100, null);
    d.offer(notification("head", "other")); // being sent
    for (int i = 0; i < 5; i++) {
      d.offer(firing("fires-" + i, "g", "x"));
      d.offer(withAlerts("resolves-" + i, "g", "x"));
    }
    // Each firing replaces the waiting firing and resolve; each resolve waits behind its firing.
    assertThat(d.stats().waiting()).isEqualTo(3);
    assertThat(d.stats().dropped()).isZero();
    headAnswer.complete(Delivery.ok("ref-head"));
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
    assertThat(sent).containsExactly("fires-4", "resolves-4");
  }

  @Test
  void theRateLimitSpacesAttempts() {
    SinkDispatcher d = dispatcher(100, 2);
    long start = System.nanoTime();
    d.offer(notification("n0", "g0"));
    d.offer(notification("n1", "g1"));
    d.offer(notification("n2", "g2"));
    await().atMost(Duration.ofSeconds(3)).until(() -> sent.size() == 2);
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    assertThat(sent).hasSize(2); // the third waits for the minute to pass
    assertThat(d.stats().waiting()).isEqualTo(1);
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(60_000);
    d.close();
  }

  @Test
  void afterCloseNothingIsSent() {
    SinkDispatcher d = dispatcher(100, null);
    d.close();
    d.offer(notification("n0", "g0"));
    assertThat(d.stats().waiting()).isZero();
    assertThat(sent).isEmpty();
  }

  /** A notification of those alerts, all resolved. */
  static Notification withAlerts(String id, String group, String... alerts) {
    return withAlerts(id, group, Notification.Status.RESOLVED, alerts);
  }

  static Notification firing(String id, String group, String... alerts) {
    return withAlerts(id, group, Notification.Status.FIRING, alerts);
  }

  static Notification withAlerts(
      String id, String group, Notification.Status status, String... alerts) {
    Notification n = notification(id, group);
    return new Notification(
        n.id(),
        n.kind(),
        n.route(),
        n.receiver(),
        n.groupKey(),
        n.status(),
        n.groupLabels(),
        n.commonLabels(),
        n.commonAnnotations(),
        java.util.Arrays.stream(alerts)
            .map(
                a ->
                    new Notification.Alert(
                        a, status, Map.of(), Map.of(), Instant.EPOCH, null, "critical"))
            .toList(),
        n.title(),
        n.text(),
        n.createdAt());
  }

  @Test
  void aWaitingNotificationIsReplacedOnlyByOneThatCarriesAllItsAlerts() {
    for (int i = 0; i < 3; i++) {
      script.add(Delivery.retry("connection refused", null));
    }
    SinkDispatcher d = dispatcher(100, null);
    d.offer(notification("head", "g0")); // in flight, retried
    d.offer(withAlerts("x-resolved", "ga", "x"));
    d.offer(withAlerts("y-firing", "ga", "y")); // does not carry x: both stay
    assertThat(d.stats().waiting()).isEqualTo(3);
    d.offer(withAlerts("xy", "ga", "x", "y")); // carries both: replaces both
    assertThat(d.stats().waiting()).isEqualTo(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 2);
    assertThat(sent).containsExactly("head", "xy");
    assertThat(outcomes).contains("x-resolved:fail", "y-firing:fail");
  }
}
