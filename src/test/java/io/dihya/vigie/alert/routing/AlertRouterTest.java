package io.dihya.vigie.alert.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.alert.sink.AlertSink;
import io.dihya.vigie.alert.sink.Delivery;
import io.dihya.vigie.alert.sink.Notification;
import io.dihya.vigie.alert.sink.Notification.Status;
import io.dihya.vigie.redact.Redactor;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Probe transitions through routes to sinks, with real time (short group waits). */
class AlertRouterTest {

  final AlertRouter router = new AlertRouter(Clock.systemUTC());
  Duration heartbeat;
  io.dihya.vigie.alert.sink.NotificationTemplate message;
  final List<Notification> received = Collections.synchronizedList(new ArrayList<>());
  final AlertSink recording =
      (n, timeout) -> {
        received.add(n);
        return CompletableFuture.completedFuture(Delivery.ok(null));
      };

  @AfterEach
  void stop() {
    router.close();
  }

  void route(String namespace, String name, Map<String, String> selector, Set<String> severities) {
    router.configure(
        new AlertRouter.RouteConfig(
            new ResourceID(name, namespace),
            "fp",
            ProbeSelector.of(new LabelSelectorBuilder().withMatchLabels(selector).build()),
            severities,
            new AlertGroups.Settings(
                List.of("namespace", "probe"),
                Duration.ofMillis(200),
                Duration.ofMillis(300),
                Duration.ofHours(1),
                true),
            AlertGroups.Mutes.NONE,
            Map.of("hook", recording),
            new SinkDispatcher.Settings(
                Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofSeconds(1), 100, null),
            Redactor.standard().withSecrets(List.of("s3cr3t-value")),
            Map.of(),
            heartbeat,
            Set.of(),
            List.of(),
            message));
  }

  static ProbeTransition transition(
      String namespace, String probe, boolean unhealthy, String severity, List<String> dependsOn) {
    return new ProbeTransition(
        namespace,
        probe,
        unhealthy,
        severity,
        "http",
        unhealthy ? "ConnectionRefused" : "Succeeded",
        "GET http://orders/ answered with s3cr3t-value",
        Map.of("team", "checkout"),
        Map.of("sector", "e-commerce"),
        Map.of("summary", "Orders are down", "runbook_url", "https://runbooks/orders"),
        Instant.parse("2026-11-24T10:00:00Z"),
        dependsOn);
  }

  @Test
  void aFailureIsNotifiedOnceAndItsRecoveryOnceWithRedactedText() {
    route("shop", "oncall", Map.of("team", "checkout"), Set.of());
    router.transition(transition("shop", "orders", true, "critical", List.of()));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
    Notification firing = received.get(0);
    assertThat(firing.status()).isEqualTo(Status.FIRING);
    assertThat(firing.route()).isEqualTo("shop/oncall");
    assertThat(firing.receiver()).isEqualTo("hook");
    assertThat(firing.title()).isEqualTo("[FIRING:1] shop/orders ConnectionRefused");
    assertThat(firing.text())
        .isEqualTo(
            "Orders are down — ConnectionRefused: GET http://orders/ answered with [REDACTED]");
    assertThat(firing.alerts()).hasSize(1);
    Notification.Alert alert = firing.alerts().get(0);
    assertThat(alert.labels())
        .containsEntry("alertname", "ProbeFailed")
        .containsEntry("namespace", "shop")
        .containsEntry("probe", "orders")
        .containsEntry("severity", "critical")
        .containsEntry("check", "http")
        .containsEntry("team", "checkout")
        .containsEntry("sector", "e-commerce");
    assertThat(alert.annotations())
        .containsEntry("summary", "Orders are down")
        .containsEntry("reason", "ConnectionRefused");
    assertThat(firing.toString()).doesNotContain("s3cr3t-value");
    assertThat(firing.commonLabels()).containsEntry("probe", "orders");

    router.transition(transition("shop", "orders", false, "critical", List.of()));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 2);
    Notification resolved = received.get(1);
    assertThat(resolved.status()).isEqualTo(Status.RESOLVED);
    assertThat(resolved.title()).isEqualTo("[RESOLVED] shop/orders recovered");
    assertThat(resolved.alerts().get(0).fingerprint()).isEqualTo(alert.fingerprint());
    assertThat(resolved.id()).isNotEqualTo(firing.id());
    await().during(Duration.ofMillis(600)).until(() -> received.size() == 2);
    assertThat(router.stats(new ResourceID("oncall", "shop")).orElseThrow().get("hook").delivered())
        .isEqualTo(2);
  }

  @Test
  void routesSeeOnlyTheirNamespaceTheirSelectorAndTheirSeverities() {
    route("school", "other-tenant", Map.of(), Set.of());
    route("shop", "wrong-team", Map.of("team", "payments"), Set.of());
    route("shop", "info-only", Map.of(), Set.of("info"));
    router.transition(transition("shop", "orders", true, "critical", List.of()));
    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(received::isEmpty);
  }

  @Test
  void aProbeWhoseDependencyIsUnhealthyIsInhibited() {
    route("shop", "oncall", Map.of(), Set.of());
    router.transition(transition("shop", "session-cache", true, "critical", List.of()));
    router.transition(transition("shop", "orders", true, "critical", List.of("session-cache")));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
    await().during(Duration.ofMillis(500)).until(() -> received.size() == 1);
    assertThat(received.get(0).alerts().get(0).labels()).containsEntry("probe", "session-cache");
  }

  @Test
  void aFlapInsideGroupWaitSendsNothing() {
    route("shop", "oncall", Map.of(), Set.of());
    router.transition(transition("shop", "orders", true, "critical", List.of()));
    router.transition(transition("shop", "orders", false, "critical", List.of()));
    await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(received::isEmpty);
  }

  @Test
  void removedRoutesStopReceiving() {
    route("shop", "oncall", Map.of(), Set.of());
    router.remove(new ResourceID("oncall", "shop"));
    router.transition(transition("shop", "orders", true, "critical", List.of()));
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(received::isEmpty);
    assertThat(router.stats(new ResourceID("oncall", "shop"))).isEmpty();
  }

  @Test
  void testNotificationsReachEverySinkAndTheirOutcomeIsKept() {
    route("shop", "oncall", Map.of(), Set.of());
    ResourceID id = new ResourceID("oncall", "shop");
    assertThat(router.testOutcome(id)).isEmpty();
    assertThat(router.sendTest(id, "2026-11-24-1")).isTrue();
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
    Notification test = received.get(0);
    assertThat(test.kind()).isEqualTo(Notification.Kind.TEST);
    assertThat(test.title()).isEqualTo("[TEST] vigie test notification for route shop/oncall");
    assertThat(test.alerts()).isEmpty();
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> router.testOutcome(id).orElseThrow().bySink().containsKey("hook"));
    assertThat(router.testOutcome(id).orElseThrow().request()).isEqualTo("2026-11-24-1");
    assertThat(router.testOutcome(id).orElseThrow().bySink().get("hook").delivered()).isTrue();
    assertThat(router.sendTest(new ResourceID("missing", "shop"), "x")).isFalse();
  }

  @Test
  void heartbeatsArriveEveryInterval() {
    heartbeat = Duration.ofMillis(300);
    route("shop", "oncall", Map.of(), Set.of());
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() >= 2);
    assertThat(received)
        .allSatisfy(n -> assertThat(n.kind()).isEqualTo(Notification.Kind.HEARTBEAT));
    assertThat(received.get(0).title()).isEqualTo("[HEARTBEAT] vigie is alive (route shop/oncall)");
  }

  @Test
  void deletedRoutesAreDroppedByTheExistenceCheck() {
    route("shop", "oncall", Map.of(), Set.of());
    router.existsWhen(id -> false);
    await()
        .atMost(Duration.ofSeconds(8))
        .until(() -> router.stats(new ResourceID("oncall", "shop")).isEmpty());
  }

  @Test
  void fingerprintsDependOnLabelsOnly() {
    assertThat(AlertRouter.fingerprint(Map.of("a", "1", "b", "2")))
        .isEqualTo(AlertRouter.fingerprint(new java.util.TreeMap<>(Map.of("b", "2", "a", "1"))))
        .hasSize(16)
        .isNotEqualTo(AlertRouter.fingerprint(Map.of("a", "1", "b", "3")));
  }

  @Test
  void theRoutesMessageTemplateIsTheTextOfItsNotificationsRedacted() {
    message =
        io.dihya.vigie.alert.sink.NotificationTemplate.compile(
            "{kind}/{status}: {#for a in alerts}{a.labels.probe} {a.annotations.message}{/for}",
            "spec.template.message");
    route("shop", "oncall", Map.of(), Set.of());
    router.transition(transition("shop", "orders", true, "critical", List.of()));
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 1);
    assertThat(received.get(0).text())
        .isEqualTo("alerts/firing: orders GET http://orders/ answered with [REDACTED]");
    assertThat(received.get(0).title()).isEqualTo("[FIRING:1] shop/orders ConnectionRefused");
    router.sendTest(new ResourceID("oncall", "shop"), "t");
    await().atMost(Duration.ofSeconds(3)).until(() -> received.size() == 2);
    assertThat(received.get(1).text()).isEqualTo("test/firing: ");
  }
}
