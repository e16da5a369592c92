package io.dihya.vigie.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.api.v1alpha1.AlertRoute;
import io.dihya.vigie.api.v1alpha1.LogSink;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.api.v1alpha1.WebhookSink;
import io.dihya.vigie.kube.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The AlertRoute reconciler against the fabric8 mock API server in CRUD mode. */
@QuarkusTest
@WithKubernetesTestServer
class AlertRouteReconcilerTest {

  private static final String NS = "school";

  @Inject KubernetesClient client;

  @Test
  void validRouteIsReadyWithOneRecordPerSink() {
    AlertRoute route = route("oncall", sink("audit", new LogSink()), webhook("hook"));
    client.resource(route).create();

    AlertRoute ready = awaitReady("oncall", Conditions.TRUE);
    assertThat(condition(ready).getReason()).isEqualTo(Conditions.REASON_ACCEPTED);
    assertThat(ready.getStatus().sinks)
        .extracting(s -> s.name + ":" + s.delivered + ":" + s.failed)
        .containsExactly("audit:0:0", "hook:0:0");
    assertThat(ready.getStatus().sinkNames).isEqualTo("audit,hook");
  }

  @Test
  void routeWithBrokenSinksIsInvalid() {
    Sink both = sink("both", new LogSink());
    both.webhook = new WebhookSink();
    both.webhook.url = "http://receiver.school.svc/";
    WebhookSink noUrl = new WebhookSink();
    Sink hook = new Sink();
    hook.name = "both";
    hook.webhook = noUrl;
    AlertRoute route = route("broken", both, hook);
    route.getSpec().groupWait = "soon";
    client.resource(route).create();

    Condition ready = condition(awaitReady("broken", Conditions.FALSE));
    assertThat(ready.getReason()).isEqualTo(Conditions.REASON_INVALID_SPEC);
    assertThat(ready.getMessage())
        .contains("spec.groupWait: not a duration")
        .contains("spec.sinks[0]: set exactly one of log, webhook")
        .contains("found log, webhook")
        .contains("spec.sinks[1].name: used twice")
        .contains("spec.sinks[1].webhook: set exactly one of url and urlSecretRef");
  }

  @Test
  void aMissingSecretIsSaidAndASinkThatCannotBeBuiltNamesItsField() {
    Sink hook = webhook("hook");
    hook.webhook.url = null;
    hook.webhook.urlSecretRef = new SecretKeyRef("school-hooks", "url");
    client.resource(route("waiting", hook)).create();
    Condition missing = condition(awaitReady("waiting", Conditions.FALSE));
    assertThat(missing.getReason()).isEqualTo(Conditions.REASON_SECRET_NOT_FOUND);
    assertThat(missing.getMessage()).contains("school-hooks");

    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("school-hooks")
                .withNamespace(NS)
                .endMetadata()
                .addToStringData("url", "ftp://files.school.svc/hooks")
                .build())
        .create();
    Condition invalid =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () ->
                    condition(
                        client
                            .resources(AlertRoute.class)
                            .inNamespace(NS)
                            .withName("waiting")
                            .get()),
                c -> Conditions.REASON_INVALID_SPEC.equals(c.getReason()));
    assertThat(invalid.getMessage())
        .isEqualTo("spec.sinks[0].webhook.urlSecretRef: must start with http:// or https://");
  }

  @Test
  void aTestAnnotationSendsATestToEverySinkAndRecordsTheOutcome() {
    AlertRoute route = route("tested", sink("audit", new LogSink()));
    route
        .getMetadata()
        .setAnnotations(java.util.Map.of(AlertRouteReconciler.TEST_ANNOTATION, "t1"));
    client.resource(route).create();
    AlertRoute done =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(
                () -> client.resources(AlertRoute.class).inNamespace(NS).withName("tested").get(),
                r ->
                    r != null
                        && r.getStatus() != null
                        && r.getStatus().lastTest != null
                        && "Succeeded".equals(r.getStatus().lastTest.result));
    assertThat(done.getStatus().lastTest.request).isEqualTo("t1");
    assertThat(done.getStatus().lastTest.time).isNotBlank();
    AlertRoute counted =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> client.resources(AlertRoute.class).inNamespace(NS).withName("tested").get(),
                r -> r.getStatus().sinks.get(0).delivered == 1L);
    assertThat(counted.getStatus().sinks.get(0).lastDeliveryTime).isNotBlank();
  }

  @Test
  void whatWasNotifiedIsWrittenToStatusAndResolvedWhenItsProbeIsGone() throws Exception {
    // As a restarted operator finds it: "stock" fired and was notified, then was deleted.
    AlertRoute route = route("ledger", sink("audit", new LogSink()));
    route.getSpec().probeSelector =
        new io.fabric8.kubernetes.api.model.LabelSelectorBuilder()
            .withMatchLabels(java.util.Map.of("ledger", "yes"))
            .build();
    route.getSpec().groupWait = "1s";
    route.getSpec().groupInterval = "1s";
    route.setStatus(new io.dihya.vigie.api.v1alpha1.AlertRouteStatus());
    var notified = new io.dihya.vigie.api.v1alpha1.AlertRouteStatus.NotifiedAlert();
    notified.fingerprint = "0123456789abcdef";
    notified.probe = "stock";
    notified.severity = "critical";
    notified.state = "Firing";
    notified.startsAt = "2026-11-24T08:00:00Z";
    // Notified a minute ago: no repeat is due (repeatInterval 4h).
    notified.notifiedAt = Conditions.timestamp(java.time.Instant.now().minusSeconds(60));
    route.getStatus().alerts = List.of(notified);
    client.resource(route).create();
    AlertRoute before = awaitReady("ledger", Conditions.TRUE);
    assertThat(before.getStatus().alerts).extracting(a -> a.probe).containsExactly("stock");

    // A failing probe the route selects: notified, and recorded as firing.
    var probe = new io.dihya.vigie.api.v1alpha1.HealthProbe();
    probe.setMetadata(
        new ObjectMetaBuilder()
            .withName("orders")
            .withNamespace(NS)
            .withLabels(java.util.Map.of("ledger", "yes"))
            .build());
    probe.getSpec().interval = "1s";
    probe.getSpec().timeout = "500ms";
    probe.getSpec().failureThreshold = 1;
    probe.getSpec().tcp = new io.dihya.vigie.api.v1alpha1.TcpCheck();
    probe.getSpec().tcp.host = "127.0.0.1";
    int port = io.dihya.vigie.testing.LocalPostgres.freePort();
    probe.getSpec().tcp.port = port;
    client.resource(probe).create();

    AlertRoute after =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> client.resources(AlertRoute.class).inNamespace(NS).withName("ledger").get(),
                r -> {
                  System.err.println(
                      "LEDGER "
                          + io.fabric8.kubernetes.client.utils.Serialization.asJson(r.getStatus()));
                  return r.getStatus().alerts != null
                      && r.getStatus().alerts.size() == 1
                      && "orders".equals(r.getStatus().alerts.get(0).probe)
                      && r.getStatus().alerts.get(0).pending == null
                      && r.getStatus().sinks.get(0).delivered == 2L;
                });
    var firing = after.getStatus().alerts.get(0);
    assertThat(firing.state).isEqualTo("Firing");
    assertThat(firing.severity).isEqualTo("warning");
    assertThat(firing.fingerprint).hasSize(16);
    assertThat(firing.notifiedAt).isNotBlank();
    // The deleted probe's alert was resolved (the other notification) and left the ledger.
    assertThat(after.getStatus().alerts).extracting(a -> a.probe).doesNotContain("stock");

    // The probe recovers: its resolved notification is delivered and the ledger is empty.
    try (var listening =
        new java.net.ServerSocket(port, 50, java.net.InetAddress.getLoopbackAddress())) {
      AlertRoute cleared =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> client.resources(AlertRoute.class).inNamespace(NS).withName("ledger").get(),
                  r ->
                      r.getStatus().sinks.get(0).delivered == 3L
                          && (r.getStatus().alerts == null || r.getStatus().alerts.isEmpty()));
      // The mock server drops the emptied list; the real API server keeps [] (AlertingE2EIT).
      assertThat(cleared.getStatus().alerts).isNullOrEmpty();
    }
  }

  private AlertRoute awaitReady(String name, String status) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> client.resources(AlertRoute.class).inNamespace(NS).withName(name).get(),
            r ->
                r != null
                    && r.getStatus() != null
                    && Conditions.find(r.getStatus().conditions, Conditions.READY)
                        .map(c -> status.equals(c.getStatus()))
                        .orElse(false));
  }

  private static Condition condition(AlertRoute route) {
    return Conditions.find(route.getStatus().conditions, Conditions.READY).orElseThrow();
  }

  private static AlertRoute route(String name, Sink... sinks) {
    AlertRoute route = new AlertRoute();
    route.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    route.getSpec().sinks = List.of(sinks);
    return route;
  }

  private static Sink sink(String name, LogSink log) {
    Sink sink = new Sink();
    sink.name = name;
    sink.log = log;
    return sink;
  }

  private static Sink webhook(String name) {
    Sink sink = new Sink();
    sink.name = name;
    sink.webhook = new WebhookSink();
    sink.webhook.url = "http://receiver.school.svc:8080/alerts";
    return sink;
  }
}
