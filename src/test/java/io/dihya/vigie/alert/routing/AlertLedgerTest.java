package io.dihya.vigie.alert.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.alert.routing.AlertRouter.Notified;
import io.dihya.vigie.alert.sink.AlertSink;
import io.dihya.vigie.alert.sink.Delivery;
import io.dihya.vigie.alert.sink.Notification;
import io.dihya.vigie.alert.sink.Notification.Status;
import io.dihya.vigie.redact.Redactor;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a route notified survives a restart (a new router started from the route's status) and a
 * replaced route; alerts of deleted, recovered, withdrawn or relabelled probes resolve.
 */
class AlertLedgerTest {

  static final ResourceID ONCALL = new ResourceID("oncall", "shop");
  static final Instant BEFORE = Instant.parse("2026-11-24T09:00:00Z");

  final List<AlertRouter> routers = new ArrayList<>();
  final List<Notification> received = Collections.synchronizedList(new ArrayList<>());
  final List<ResourceID> ledgerChanges = Collections.synchronizedList(new ArrayList<>());
  final AtomicBoolean receiverUp = new AtomicBoolean(true);
  final AlertSink recording =
      (n, timeout) -> {
        if (!receiverUp.get()) {
          return CompletableFuture.completedFuture(Delivery.retry("HTTP 503", null));
        }
        received.add(n);
        return CompletableFuture.completedFuture(Delivery.ok(null));
      };

  @AfterEach
  void stop() {
    routers.forEach(AlertRouter::close);
  }

  AlertRouter router() {
    AlertRouter router = new AlertRouter(Clock.systemUTC());
    router.onLedgerChange(ledgerChanges::add);
    routers.add(router);
    return router;
  }

  void configure(AlertRouter router, String fingerprint, List<Notified> restored) {
    router.configure(
        new AlertRouter.RouteConfig(
            ONCALL,
            fingerprint,
            ProbeSelector.of(null),
            Set.of(),
            new AlertGroups.Settings(
                List.of("namespace", "probe"),
                Duration.ofMillis(200),
                Duration.ofMillis(300),
                Duration.ofHours(1),
                true),
            AlertGroups.Mutes.NONE,
            Map.of("hook", recording),
            new SinkDispatcher.Settings(
                Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMillis(200), 100, null),
            Redactor.standard(),
            Map.of(),
            null,
            Set.of(),
            restored,
            null));
  }

  static ProbeTransition probe(String name, boolean unhealthy, Map<String, String> alertLabels) {
    return new ProbeTransition(
        "shop",
        name,
        unhealthy,
        "critical",
        "http",
        unhealthy ? "ConnectionRefused" : "Succeeded",
        "GET http://orders/",
        Map.of("team", "checkout"),
        alertLabels,
        Map.of(),
        BEFORE,
        List.of());
  }

  static ProbeTransition probe(String name, boolean unhealthy) {
    return probe(name, unhealthy, Map.of());
  }

  List<Notified> ledgerOnceSettled(AlertRouter router) {
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> router.notified(ONCALL).orElseThrow().stream().noneMatch(Notified::pending));
    return router.notified(ONCALL).orElseThrow();
  }

  @Test
  void theLedgerHoldsWhatWasNotifiedUntilItsResolvedNotificationIsDelivered() {
    AlertRouter router = router();
    configure(router, "a", List.of());
    router.transition(probe("orders", true));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
    List<Notified> ledger = ledgerOnceSettled(router);
    assertThat(ledger).hasSize(1);
    Notified firing = ledger.get(0);
    assertThat(firing.fingerprint()).isEqualTo(received.get(0).alerts().get(0).fingerprint());
    assertThat(firing.probe()).isEqualTo("orders");
    assertThat(firing.status()).isEqualTo(Status.FIRING);
    assertThat(firing.severity()).isEqualTo("critical");
    assertThat(firing.groupLabels()).isEmpty(); // namespace and probe are implied
    assertThat(firing.startsAt()).isEqualTo(BEFORE);
    assertThat(ledgerChanges).contains(ONCALL);

    router.transition(probe("orders", false));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 2);
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> router.notified(ONCALL).orElseThrow().isEmpty());
    assertThat(router.notified(new ResourceID("missing", "shop"))).isEmpty();
  }

  @Test
  void aRestartedRouterDoesNotNotifyAgainWhatWasNotifiedAndResolvesItOnce() {
    AlertRouter before = router();
    configure(before, "a", List.of());
    before.transition(probe("orders", true));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
    List<Notified> status = ledgerOnceSettled(before);
    before.close();

    AlertRouter after = router();
    configure(after, "a", status);
    after.transition(probe("orders", true)); // the probe reports its restored health
    await().during(Duration.ofMillis(800)).until(() -> received.size() == 1);
    assertThat(after.notified(ONCALL).orElseThrow()).isEqualTo(status);

    after.transition(probe("orders", false));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 2);
    Notification resolved = received.get(1);
    assertThat(resolved.status()).isEqualTo(Status.RESOLVED);
    assertThat(resolved.alerts().get(0).fingerprint()).isEqualTo(status.get(0).fingerprint());
    await().during(Duration.ofMillis(600)).until(() -> received.size() == 2);
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> after.notified(ONCALL).orElseThrow().isEmpty());
  }

  @Test
  void aProbeRelabelledWhileTheOperatorWasDownResolvesItsOldAlertWhenItReports() {
    AlertRouter before = router();
    configure(before, "a", List.of());
    before.transition(probe("payments", true));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
    List<Notified> status = ledgerOnceSettled(before);
    before.close();

    AlertRouter after = router();
    configure(after, "a", status);
    after.transition(probe("payments", true, Map.of("tier", "gold")));
    // By the transition itself, not the sweep 5 s later.
    await().atMost(Duration.ofMillis(4000)).until(() -> received.size() == 2);
    assertThat(received.get(1).alerts())
        .extracting(a -> a.status() + " " + a.labels().getOrDefault("tier", "-"))
        .containsExactly("FIRING gold", "RESOLVED -");
  }

  @Test
  void aProbeThatRecoveredWhileTheOperatorWasDownIsResolvedOnce() {
    String fingerprint = AlertRouter.alert(probe("orders", true)).fingerprint();
    Notified notified =
        new Notified(
            fingerprint, "orders", "critical", Map.of(), Status.FIRING, false, BEFORE, BEFORE);
    AlertRouter router = router();
    // Its health is reported before the route is installed: the sweep resolves what the route
    // holds.
    router.transition(probe("orders", false));
    configure(router, "a", List.of(notified));
    router.sweep(Instant.now());
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
    Notification resolved = received.get(0);
    assertThat(resolved.status()).isEqualTo(Status.RESOLVED);
    assertThat(resolved.alerts()).hasSize(1);
    assertThat(resolved.alerts().get(0).fingerprint()).isEqualTo(fingerprint);
    assertThat(resolved.alerts().get(0).labels())
        .containsEntry("namespace", "shop")
        .containsEntry("probe", "orders")
        .containsEntry("alertname", "ProbeFailed");
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> router.notified(ONCALL).orElseThrow().isEmpty());
    await().during(Duration.ofMillis(500)).until(() -> received.size() == 1);
  }

  @Test
  void aResolvedNotificationStillBeingDeliveredAtTheRestartIsSentAfterIt() {
    String fingerprint = AlertRouter.alert(probe("orders", true)).fingerprint();
    Notified resolving =
        new Notified(
            fingerprint, "orders", "critical", Map.of(), Status.RESOLVED, true, BEFORE, BEFORE);
    AlertRouter router = router();
    configure(router, "a", List.of(resolving));
    assertThat(router.notified(ONCALL).orElseThrow()).containsExactly(resolving);
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
    assertThat(received.get(0).status()).isEqualTo(Status.RESOLVED);
    assertThat(received.get(0).alerts().get(0).fingerprint()).isEqualTo(fingerprint);
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> router.notified(ONCALL).orElseThrow().isEmpty());
    await().during(Duration.ofMillis(500)).until(() -> received.size() == 1);
  }

  @Test
  void aFiringNotificationNotYetDeliveredAtTheRestartIsSentOnce() {
    String fingerprint = AlertRouter.alert(probe("orders", true)).fingerprint();
    Notified pending =
        new Notified(
            fingerprint, "orders", "critical", Map.of(), Status.FIRING, true, BEFORE, BEFORE);
    AlertRouter router = router();
    configure(router, "a", List.of(pending));
    router.transition(probe("orders", true));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
    assertThat(received.get(0).status()).isEqualTo(Status.FIRING);
    assertThat(received.get(0).alerts().get(0).labels()).containsEntry("team", "checkout");
    assertThat(ledgerOnceSettled(router)).extracting(Notified::pending).containsExactly(false);
    await().during(Duration.ofMillis(500)).until(() -> received.size() == 1);
  }

  @Test
  void aReplacedRouteKeepsWhatItNotifiedAndRedeliversWhatWasWaiting() {
    AlertRouter router = router();
    configure(router, "a", List.of());
    router.transition(probe("orders", true));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
    receiverUp.set(false);
    router.transition(probe("orders", false));
    await()
        .atMost(Duration.ofSeconds(3))
        .until(
            () ->
                router.notified(ONCALL).orElseThrow().stream()
                    .anyMatch(n -> n.status() == Status.RESOLVED && n.pending()));
    configure(router, "b", List.of()); // e.g. a sink was added; status is not read again
    receiverUp.set(true);
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 2);
    assertThat(received.get(1).status()).isEqualTo(Status.RESOLVED);
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> router.notified(ONCALL).orElseThrow().isEmpty());
    await().during(Duration.ofMillis(500)).until(() -> received.size() == 2);
  }

  @Test
  void aNewRouteTakesInTheProbesAlreadyFiring() {
    AlertRouter router = router();
    router.transition(probe("orders", true));
    configure(router, "a", List.of());
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
    assertThat(received.get(0).alerts().get(0).labels()).containsEntry("probe", "orders");
  }

  @Test
  void theAlertsOfADeletedProbeResolve() {
    AlertRouter router = router();
    configure(router, "a", List.of());
    router.transition(probe("orders", true));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
    router.sweep(Instant.now()); // no existence test yet (the probe cache is not synced): nothing
    router.probesExistWhen(id -> !id.getName().equals("orders"));
    router.sweep(Instant.now());
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 2);
    assertThat(received.get(1).status()).isEqualTo(Status.RESOLVED);
    assertThat(router.unhealthyDependency("shop", List.of("orders"))).isEmpty();
  }

  @Test
  void aWithdrawnProbeResolvesAndARelabelledOneResolvesItsOldAlert() {
    AlertRouter router = router();
    configure(router, "a", List.of());
    router.transition(probe("orders", true));
    router.transition(probe("payments", true));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 2);
    assertThat(router.unhealthyDependency("shop", List.of("stock", "orders"))).contains("orders");

    router.withdraw("shop", "orders"); // suspended, or its spec became invalid
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 3);
    assertThat(received.get(2).status()).isEqualTo(Status.RESOLVED);
    assertThat(received.get(2).alerts().get(0).labels()).containsEntry("probe", "orders");
    assertThat(router.unhealthyDependency("shop", List.of("orders"))).isEmpty();

    router.transition(probe("payments", true, Map.of("tier", "gold")));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 4);
    Notification change = received.get(3);
    assertThat(change.alerts())
        .extracting(a -> a.status() + " " + a.labels().getOrDefault("tier", "-"))
        .containsExactly("FIRING gold", "RESOLVED -");
  }
}
