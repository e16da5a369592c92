package io.dihya.vigie.alert.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dihya.vigie.alert.sink.Notification;
import io.dihya.vigie.alert.sink.Notification.Status;
import io.dihya.vigie.alert.sink.SinkFactory;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.api.v1alpha1.WebhookSink;
import io.dihya.vigie.redact.Redactor;
import io.dihya.vigie.testing.FlakyReceiver;
import io.dihya.vigie.testing.FlakyReceiver.Behaviour;
import io.dihya.vigie.testing.ObservedSink;
import io.dihya.vigie.testing.VirtualTime;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fault injection (issue 7): receivers down, slow, answering 429 or 500 for minutes, through the
 * real {@link SinkDispatcher} and webhook sink to a real HTTP receiver on loopback.
 *
 * <p>The outages last minutes of simulated time: {@link VirtualTime} is the dispatcher's (and the
 * router's) timer and clock, so a five-minute backoff takes no real time, while every attempt is a
 * real HTTP exchange (a real connection refused, a real timeout). The driver runs one timer task at
 * a time and waits, in real time, for the attempt it started to finish before moving the clock on.
 */
class SinkFaultsTest {

  static final Instant ORIGIN = Instant.parse("2026-11-24T12:00:00Z");

  /** Part of the webhook URL, as a Slack-style token would be: never in a log or a status. */
  static final String TOKEN = "T0KEN-7f3a9c";

  static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  static final ObjectMapper JSON = new ObjectMapper();

  final VirtualTime time = new VirtualTime(ORIGIN);
  final SinkFactory factory = new SinkFactory(time.clock());
  final List<String> outcomes = new CopyOnWriteArrayList<>();
  final List<String> audit = new CopyOnWriteArrayList<>();
  final Logger auditCategory = Logger.getLogger("io.dihya.vigie.audit.notification");
  final Handler auditCapture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          audit.add(
              record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  FlakyReceiver receiver;
  ObservedSink sink;
  SinkDispatcher dispatcher;
  AlertRouter router;

  @BeforeEach
  void start() throws Exception {
    receiver = FlakyReceiver.start(time.clock());
    auditCapture.setLevel(Level.ALL);
    auditCategory.addHandler(auditCapture);
    // Thousands of lines: kept here, not printed.
    auditCategory.setUseParentHandlers(false);
  }

  @AfterEach
  void stop() {
    auditCategory.removeHandler(auditCapture);
    auditCategory.setUseParentHandlers(true);
    if (dispatcher != null) {
      dispatcher.close();
    }
    if (router != null) {
      router.close();
    }
    factory.close();
    receiver.close();
    time.shutdownNow();
  }

  /** The real webhook sink (signed: every request carries webhook-id), observed. */
  ObservedSink webhook() {
    Sink spec = new Sink();
    spec.name = "hook";
    spec.webhook = new WebhookSink();
    spec.webhook.url = receiver.url("/hooks/" + TOKEN);
    spec.webhook.signingKeySecretRef = new SecretKeyRef("vigie-webhooks", "signing-key");
    sink =
        new ObservedSink(
            factory.create(spec, ref -> "a-signing-key-for-tests", "spec.sinks[0]"), time.clock());
    return sink;
  }

  SinkDispatcher dispatcher(Duration timeout, int capacity) {
    dispatcher =
        new SinkDispatcher(
            webhook(),
            time,
            time.clock(),
            new SinkDispatcher.Settings(timeout, INITIAL_BACKOFF, MAX_BACKOFF, capacity, null),
            (n, d) ->
                outcomes.add(
                    n.id()
                        + ":"
                        + (d.delivered() ? "delivered" : d.retryable() ? "retry" : "failed")
                        + (d.error() == null ? "" : ":" + d.error())));
    return dispatcher;
  }

  /**
   * Runs the timer's tasks in time order, each attempt to its end, until {@code done}; fails when
   * the simulated time passes {@code limit} or nothing is left to run.
   */
  void runUntil(BooleanSupplier done, Duration limit) {
    while (true) {
      // Real time: after a recovery the queued notifications go out back to back (each outcome
      // starts the next send before the attempt count drops), 1,000 of them in the flapping test,
      // which took over 30 s on a loaded CI machine.
      sink.awaitQuiet(Duration.ofSeconds(180));
      if (done.getAsBoolean()) {
        return;
      }
      assertThat(time.elapsedMillis())
          .as("simulated time spent waiting for the outcome")
          .isLessThanOrEqualTo(limit.toMillis());
      assertThat(time.runNext())
          .as("something is scheduled (the dispatcher is not stuck)")
          .isTrue();
    }
  }

  void at(Duration when, Runnable action) {
    time.schedule(action, when.toMillis(), TimeUnit.MILLISECONDS);
  }

  long delivered(String id) {
    return outcomes.stream().filter(o -> o.startsWith(id + ":delivered")).count();
  }

  /** Milliseconds since the origin of each attempt of the notification. */
  List<Long> attemptTimes(String id) {
    return sink.attempts().stream()
        .filter(a -> a.notification().id().equals(id))
        .map(a -> a.at().toEpochMilli() - ORIGIN.toEpochMilli())
        .toList();
  }

  /**
   * When the dispatcher's documented backoff makes the attempts of a receiver failing until {@code
   * recoversAt}: {@code initialBackoff} doubling up to {@code maxBackoff}, or the receiver's
   * Retry-After when longer, never more than {@code maxBackoff}.
   */
  static List<Long> expectedAttempts(Duration recoversAt, Duration retryAfter) {
    List<Long> at = new ArrayList<>(List.of(0L));
    long t = 0;
    long backoff = INITIAL_BACKOFF.toMillis();
    long cap = MAX_BACKOFF.toMillis();
    while (t < recoversAt.toMillis()) {
      long wait = retryAfter != null ? Math.max(backoff, retryAfter.toMillis()) : backoff;
      t += Math.min(wait, cap);
      backoff = Math.min(backoff * 2, cap);
      at.add(t);
    }
    return at;
  }

  static Notification notification(String id, String group, String fingerprint, Status status) {
    return new Notification(
        id,
        Notification.Kind.ALERTS,
        "shop/oncall",
        "hook",
        group,
        status,
        Map.of("probe", group),
        Map.of("namespace", "shop", "probe", group),
        Map.of(),
        List.of(
            new Notification.Alert(
                fingerprint,
                status,
                Map.of("namespace", "shop", "probe", group),
                Map.of("summary", group + " is unhealthy"),
                ORIGIN,
                status == Status.RESOLVED ? ORIGIN.plusSeconds(60) : null,
                "critical")),
        "[" + status + "] shop/" + group,
        "text",
        ORIGIN);
  }

  /** The ids of the notifications the receiver accepted, in order. */
  List<String> acceptedIds() {
    return receiver.requests().stream()
        .filter(FlakyReceiver.Request::accepted)
        .map(FlakyReceiver.Request::webhookId)
        .toList();
  }

  /** Every request for a notification carries its id, in the header and in the body. */
  void assertEveryRequestCarriesItsNotificationId() throws Exception {
    for (FlakyReceiver.Request r : receiver.requests()) {
      assertThat(r.webhookId()).isNotBlank();
      assertThat(JSON.readTree(r.body()).path("id").asText()).isEqualTo(r.webhookId());
    }
  }

  void assertNothingLeaks(String... texts) {
    for (String text : texts) {
      assertThat(text).doesNotContain(TOKEN).doesNotContain("127.0.0.1");
    }
  }

  @Test
  void aReceiverDownForTenMinutesGetsEachNotificationOnceWhenItComesBackOnTheSamePort()
      throws Exception {
    receiver.down();
    dispatcher(Duration.ofSeconds(10), 1000);
    Notification firingX = notification("n1-x-firing", "g1", "x", Status.FIRING);
    Notification firingY = notification("n2-y-firing", "g2", "y", Status.FIRING);
    Notification resolvedX = notification("n3-x-resolved", "g1", "x", Status.RESOLVED);
    dispatcher.offer(firingX);
    sink.awaitQuiet(Duration.ofSeconds(10));
    dispatcher.offer(firingY);
    // Resolves x: it waits behind x's firing, which it may not replace (a receiver must hear of
    // an alert that fired, as PagerDuty ignores a resolve whose incident it never opened).
    dispatcher.offer(resolvedX);
    at(Duration.ofMinutes(10), receiver::up);

    runUntil(() -> dispatcher.stats().delivered() == 3, Duration.ofMinutes(20));

    List<Long> expected = expectedAttempts(Duration.ofMinutes(10), null);
    // 0 1 3 7 15 31 63 127 255 511 811 s: the first after the recovery at 600 s delivers.
    assertThat(expected).hasSize(11).endsWith(811_000L);
    List<Long> all =
        sink.attempts().stream()
            .map(a -> a.at().toEpochMilli() - ORIGIN.toEpochMilli())
            .distinct()
            .toList();
    assertThat(all).isEqualTo(expected);
    assertThat(attemptTimes(firingX.id())).isEqualTo(expected);
    assertThat(attemptTimes(firingY.id())).containsExactly(811_000L);
    assertThat(attemptTimes(resolvedX.id())).containsExactly(811_000L);
    assertThat(acceptedIds()).containsExactly(firingX.id(), firingY.id(), resolvedX.id());
    assertThat(receiver.requests()).hasSize(3); // nothing reached it while it was down
    assertEveryRequestCarriesItsNotificationId();
    assertThat(outcomes).noneMatch(o -> o.contains("superseded"));

    SinkDispatcher.Stats stats = dispatcher.stats();
    assertThat(stats.delivered()).isEqualTo(3);
    assertThat(stats.failed()).isZero();
    assertThat(stats.dropped()).isZero();
    assertThat(stats.waiting()).isZero();
    assertThat(stats.lastError()).isEqualTo("connection refused");
    assertThat(stats.lastDelivery()).isEqualTo(ORIGIN.plusSeconds(811));
  }

  @Test
  void aSlowReceiverIsRetriedAfterEachTimeoutWithTheSameIdAndAcceptsItOnce() throws Exception {
    // Real time here: each late answer costs the sink's timeout (0.8 s, generous under load).
    receiver.behave(Behaviour.slow(Duration.ofMillis(2000)));
    dispatcher(Duration.ofMillis(800), 1000);
    Notification n = notification("n1-slow", "g1", "x", Status.FIRING);
    at(Duration.ofSeconds(100), () -> receiver.behave(Behaviour.HEALTHY));
    dispatcher.offer(n);

    runUntil(() -> delivered(n.id()) == 1, Duration.ofMinutes(10));

    // Seven answers too late (0 1 3 7 15 31 63 s), then the fast one at 127 s.
    assertThat(attemptTimes(n.id())).isEqualTo(expectedAttempts(Duration.ofSeconds(100), null));
    assertThat(sink.attempts().get(0).delivery().error()).isEqualTo("no answer within 800ms");
    // The receiver read every attempt (it may have acted on the late ones: the id lets it
    // de-duplicate), and answered exactly one in time.
    assertThat(receiver.requests()).hasSize(8);
    assertThat(receiver.requests()).allMatch(r -> r.webhookId().equals(n.id()));
    assertThat(acceptedIds()).containsExactly(n.id());
    assertEveryRequestCarriesItsNotificationId();
    assertThat(dispatcher.stats().delivered()).isEqualTo(1);
  }

  @Test
  void a429WithRetryAfterIsWaitedOutThenDeliveredOnce() throws Exception {
    receiver.behave(Behaviour.status(429, "30"));
    dispatcher(Duration.ofSeconds(10), 1000);
    Notification n = notification("n1-429", "g1", "x", Status.FIRING);
    at(Duration.ofMinutes(4), () -> receiver.behave(Behaviour.HEALTHY));
    dispatcher.offer(n);

    runUntil(() -> delivered(n.id()) == 1, Duration.ofMinutes(10));

    // Retry-After (30 s) while longer than the backoff, then the backoff: 0 30 60 90 120 150 182
    // 246 s.
    List<Long> expected = expectedAttempts(Duration.ofMinutes(4), Duration.ofSeconds(30));
    assertThat(expected)
        .containsExactly(0L, 30_000L, 60_000L, 90_000L, 120_000L, 150_000L, 182_000L, 246_000L);
    assertThat(attemptTimes(n.id())).isEqualTo(expected);
    assertThat(receiver.requests()).hasSize(8).allMatch(r -> r.webhookId().equals(n.id()));
    assertThat(acceptedIds()).containsExactly(n.id());
    assertThat(dispatcher.stats().lastError()).isEqualTo("HTTP 429");
  }

  @Test
  void a429WithoutRetryAfterFollowsTheBackoff() throws Exception {
    receiver.behave(Behaviour.status(429, null));
    dispatcher(Duration.ofSeconds(10), 1000);
    Notification n = notification("n1-429", "g1", "x", Status.FIRING);
    at(Duration.ofMinutes(2), () -> receiver.behave(Behaviour.HEALTHY));
    dispatcher.offer(n);

    runUntil(() -> delivered(n.id()) == 1, Duration.ofMinutes(10));

    assertThat(attemptTimes(n.id()))
        .isEqualTo(expectedAttempts(Duration.ofMinutes(2), null))
        .containsExactly(0L, 1_000L, 3_000L, 7_000L, 15_000L, 31_000L, 63_000L, 127_000L);
    assertThat(acceptedIds()).containsExactly(n.id());
  }

  @Test
  void aRetryAfterBeyondTheMaximumBackoffIsCapped() throws Exception {
    // A day, then a number of seconds no Duration can hold in milliseconds.
    receiver.behave(Behaviour.status(429, "86400"));
    dispatcher(Duration.ofSeconds(10), 1000);
    Notification n = notification("n1-429", "g1", "x", Status.FIRING);
    at(Duration.ofSeconds(1), () -> receiver.behave(Behaviour.status(429, "9223372036854775807")));
    at(Duration.ofMinutes(8), () -> receiver.behave(Behaviour.HEALTHY));
    dispatcher.offer(n);

    runUntil(() -> delivered(n.id()) == 1, Duration.ofHours(2));

    assertThat(attemptTimes(n.id())).containsExactly(0L, 300_000L, 600_000L);
    assertThat(acceptedIds()).containsExactly(n.id());
  }

  @Test
  void a500ForTwentyMinutesDeliversEveryGroupOnceInOrder() throws Exception {
    receiver.behave(Behaviour.status(500, null));
    dispatcher(Duration.ofSeconds(10), 1000);
    Notification x = notification("n1-x", "g1", "x", Status.FIRING);
    Notification y = notification("n2-y", "g2", "y", Status.FIRING);
    Notification z = notification("n3-z", "g3", "z", Status.FIRING);
    Notification yResolved = notification("n4-y-resolved", "g2", "y", Status.RESOLVED);
    // Of x's group, but without x: it does not replace x's notification and goes after it.
    Notification w = notification("n5-w", "g1", "w", Status.FIRING);
    dispatcher.offer(x);
    at(Duration.ofMinutes(2), () -> dispatcher.offer(y));
    at(Duration.ofMinutes(4), () -> dispatcher.offer(z));
    at(Duration.ofMinutes(6), () -> dispatcher.offer(yResolved));
    at(Duration.ofMinutes(8), () -> dispatcher.offer(w));
    at(Duration.ofMinutes(20), () -> receiver.behave(Behaviour.HEALTHY));

    runUntil(() -> dispatcher.stats().delivered() == 5, Duration.ofMinutes(40));

    List<Long> expected = expectedAttempts(Duration.ofMinutes(20), null);
    // ... 511 811 1111 1411 s: 13 attempts, every one answered 500 but the last.
    assertThat(expected).hasSize(13).endsWith(1_411_000L);
    List<Long> all =
        sink.attempts().stream()
            .map(a -> a.at().toEpochMilli() - ORIGIN.toEpochMilli())
            .distinct()
            .toList();
    assertThat(all).isEqualTo(expected);
    // y's resolve may not replace y's firing: the receiver hears of both, in order.
    assertThat(acceptedIds()).containsExactly(x.id(), y.id(), z.id(), yResolved.id(), w.id());
    assertThat(receiver.requests().stream().filter(r -> !r.accepted()))
        .hasSize(12)
        .allMatch(r -> r.behaviour().status() == 500);
    assertEveryRequestCarriesItsNotificationId();
    assertThat(dispatcher.stats().lastError()).isEqualTo("HTTP 500");
    assertThat(dispatcher.stats().waiting()).isZero();
  }

  // --- Through the router: the queue bound, what overflow looks like, 1,000 flapping probes. ---

  static final ResourceID ROUTE = new ResourceID("oncall", "shop");

  void route(Duration groupWait, Duration groupInterval, int capacity, Duration heartbeat) {
    router = new AlertRouter(time.clock(), time);
    router.configure(
        new AlertRouter.RouteConfig(
            ROUTE,
            "fp",
            ProbeSelector.of(null),
            Set.of(),
            new AlertGroups.Settings(
                List.of("namespace", "probe"), groupWait, groupInterval, Duration.ofHours(4), true),
            AlertGroups.Mutes.NONE,
            Map.of("hook", webhook()),
            new SinkDispatcher.Settings(
                Duration.ofSeconds(10), INITIAL_BACKOFF, MAX_BACKOFF, capacity, null),
            Redactor.standard(),
            Map.of(),
            heartbeat,
            Set.of(),
            List.of(),
            null));
  }

  SinkDispatcher.Stats hookStats() {
    return router.stats(ROUTE).orElseThrow().get("hook");
  }

  static ProbeTransition transition(String probe, boolean unhealthy, Instant since) {
    return new ProbeTransition(
        "shop",
        probe,
        unhealthy,
        "critical",
        "http",
        unhealthy ? "ConnectionRefused" : "Succeeded",
        unhealthy ? "connection refused" : "",
        Map.of("team", "checkout"),
        Map.of(),
        Map.of(),
        since,
        List.of());
  }

  @Test
  void aFullQueueDropsTheOldestVisiblyInStatsAndTheAuditLogWithoutTheUrl() throws Exception {
    receiver.down();
    route(Duration.ofSeconds(1), Duration.ofSeconds(10), 3, null);
    router.transition(transition("probe-0", true, ORIGIN));
    // The others are notified while probe-0's notification waits for its retry (not being sent):
    // six waiting, three too many.
    at(
        Duration.ofMillis(500),
        () -> {
          for (int i = 1; i < 6; i++) {
            router.transition(transition("probe-" + i, true, ORIGIN));
          }
        });
    at(Duration.ofMinutes(2), receiver::up);

    runUntil(
        () -> hookStats().delivered() > 0 && hookStats().waiting() == 0, Duration.ofMinutes(10));

    SinkDispatcher.Stats stats = hookStats();
    assertThat(stats.dropped()).isEqualTo(3);
    assertThat(stats.failed()).as("status.sinks[].failed counts the drops").isEqualTo(3);
    assertThat(stats.delivered()).isEqualTo(3);
    // The oldest went: probe-0 (the one retried since the start), probe-1 and probe-2.
    List<String> heard = new ArrayList<>();
    for (FlakyReceiver.Request r : receiver.requests()) {
      heard.add(
          JSON.readTree(r.body()).path("alerts").path(0).path("labels").path("probe").asText());
    }
    assertThat(heard).containsExactly("probe-3", "probe-4", "probe-5");
    assertThat(stats.lastError()).isEqualTo("connection refused");
    List<String> dropped =
        audit.stream().filter(l -> l.contains("dropped: the sink's queue is full")).toList();
    assertThat(dropped).hasSize(3);
    assertThat(audit).anyMatch(l -> l.contains("will be retried: connection refused"));
    assertNothingLeaks(audit.toArray(String[]::new));
    assertNothingLeaks(String.valueOf(stats.lastError()));
    // The dropped notifications are given up: no alert stays pending for them.
    assertThat(router.notified(ROUTE).orElseThrow()).hasSize(6).noneMatch(n -> n.pending());
  }

  @Test
  void aSinkDownWhileAThousandProbesFlapKeepsItsQueueBoundedAndEndsInTheRightState()
      throws Exception {
    int probes = 1000;
    Duration flapping = Duration.ofMinutes(5);
    Duration recovery = flapping.plusMinutes(1);
    receiver.down();
    // A heartbeat a minute too: only the latest may wait.
    // The operator's capacity: a firing notification and its resolve for each of 1,000 groups.
    route(Duration.ofSeconds(1), Duration.ofSeconds(10), 2000, Duration.ofMinutes(1));
    Random random = new Random(7);
    boolean[] unhealthy = new boolean[probes];
    boolean[] everFailed = new boolean[probes];
    long[] transitions = new long[1];
    long[] maxWaiting = new long[1];
    // Every 5 ms of simulated time, 2 probes change health: each flaps every 2.5 s or so.
    time.scheduleAtFixedRate(
        () -> {
          if (time.elapsedMillis() > flapping.toMillis()) {
            return;
          }
          for (int i = 0; i < 2; i++) {
            int p = random.nextInt(probes);
            unhealthy[p] = !unhealthy[p];
            everFailed[p] |= unhealthy[p];
            router.transition(transition("probe-" + p, unhealthy[p], time.clock().instant()));
            transitions[0]++;
          }
        },
        5,
        5,
        TimeUnit.MILLISECONDS);
    time.scheduleAtFixedRate(
        () -> maxWaiting[0] = Math.max(maxWaiting[0], hookStats().waiting()),
        1,
        1,
        TimeUnit.SECONDS);
    at(recovery, receiver::up);
    long heapBefore = heapAfterGc();
    long[] heapDuringOutage = new long[1];
    at(flapping, () -> heapDuringOutage[0] = heapAfterGc());

    runUntil(
        () ->
            time.elapsedMillis() > recovery.toMillis()
                && hookStats().waiting() == 0
                && hookStats().delivered() > 0,
        recovery.plusMinutes(10));
    // Nothing more is due but the next heartbeat: a minute later the receiver has heard it all.
    long alertsAtRecovery = accepted("alerts");
    long drained = time.elapsedMillis();
    runUntil(() -> time.elapsedMillis() > drained + 60_000, recovery.plusMinutes(20));

    SinkDispatcher.Stats stats = hookStats();
    assertThat(transitions[0]).isEqualTo(120_000);
    // A firing and its resolve per group and a heartbeat at most (sampled when none is being
    // sent), nothing dropped.
    assertThat(maxWaiting[0])
        .as("notifications waiting at most")
        .isLessThanOrEqualTo(2 * probes + 1);
    assertThat(stats.dropped()).isZero();
    assertThat(heapDuringOutage[0] - heapBefore).as("heap growth").isLessThan(64L << 20);
    long superseded =
        audit.stream().filter(l -> l.contains("superseded by a newer notification")).count();
    assertThat(superseded).isGreaterThan(10_000);
    assertThat(accepted("alerts")).isEqualTo(alertsAtRecovery).isLessThanOrEqualTo(2 * probes);
    // The one that waited through the outage, and the next one.
    assertThat(accepted("heartbeat")).isBetween(2L, 3L);
    assertThat(stats.delivered()).isEqualTo(receiver.requests().size());
    assertThat(router.notified(ROUTE).orElseThrow()).noneMatch(n -> n.pending());

    // What the receiver ends up knowing of each probe: the last notification that carried it.
    Map<String, String> known = new HashMap<>();
    java.util.Set<String> heardFiring = new java.util.HashSet<>();
    for (FlakyReceiver.Request r : receiver.requests()) {
      if (!r.accepted()) {
        continue;
      }
      for (JsonNode alert : JSON.readTree(r.body()).path("alerts")) {
        known.put(alert.path("labels").path("probe").asText(), alert.path("status").asText());
        if (alert.path("status").asText().equals("firing")) {
          heardFiring.add(alert.path("labels").path("probe").asText());
        }
      }
    }
    Map<String, String> wrong = new LinkedHashMap<>();
    for (int p = 0; p < probes; p++) {
      String heard = known.getOrDefault("probe-" + p, "nothing");
      boolean right = unhealthy[p] ? heard.equals("firing") : !heard.equals("firing");
      if (!right) {
        wrong.put("probe-" + p + (unhealthy[p] ? " (failing)" : " (healthy)"), heard);
      }
    }
    assertThat(wrong).as("probes whose final state the receiver got wrong").isEmpty();
    List<String> unheard = new ArrayList<>();
    for (int p = 0; p < probes; p++) {
      if (everFailed[p] && !heardFiring.contains("probe-" + p)) {
        unheard.add("probe-" + p);
      }
    }
    assertThat(unheard).as("probes that failed but were never heard firing").isEmpty();
    assertEveryRequestCarriesItsNotificationId();
    assertThat(acceptedIds()).doesNotHaveDuplicates();
  }

  /** How many notifications of a kind (alerts, heartbeat) the receiver accepted. */
  long accepted(String kind) {
    return receiver.requests().stream()
        .filter(FlakyReceiver.Request::accepted)
        .filter(r -> kind.equals(json(r.body()).path("kind").asText()))
        .count();
  }

  static JsonNode json(String body) {
    try {
      return JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }

  static long heapAfterGc() {
    for (int i = 0; i < 2; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
