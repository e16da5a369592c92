package io.dihya.vigie.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dihya.vigie.api.v1alpha1.Health;
import io.dihya.vigie.api.v1alpha1.HealthProbe;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.api.v1alpha1.TcpCheck;
import io.dihya.vigie.kube.Conditions;
import io.dihya.vigie.testing.LoopbackHttpServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The HealthProbe reconciler and the probe engine against the fabric8 mock API server in CRUD mode
 * and real HTTP targets on loopback.
 */
@QuarkusTest
@WithKubernetesTestServer
class HealthProbeReconcilerTest {

  private static final String NS = "shop";

  @Inject KubernetesClient client;
  @Inject ProbeScheduler scheduler;

  @Test
  void aProbeAgainstAHealthyServerBecomesHealthyThenFailsAndRecoversWithOneEventEach()
      throws Exception {
    try (LoopbackHttpServer target = LoopbackHttpServer.start()) {
      HealthProbe probe = probe("orders");
      probe.getSpec().http = http(target.url("/healthz?token=abc"));
      probe.getSpec().interval = "1s";
      probe.getSpec().timeout = "500ms";
      probe.getSpec().failureThreshold = 2;
      client.resource(probe).create();

      HealthProbe healthy = awaitHealth("orders", Health.Healthy);
      assertThat(condition(healthy, Conditions.READY).getStatus()).isEqualTo(Conditions.TRUE);
      assertThat(condition(healthy, Conditions.HEALTHY).getStatus()).isEqualTo(Conditions.TRUE);
      assertThat(healthy.getStatus().target)
          .isEqualTo("GET http://127.0.0.1:" + target.port() + "/healthz");
      assertThat(healthy.getStatus().lastCheck.result.name()).isEqualTo("Success");
      assertThat(healthy.getStatus().observedGeneration).isEqualTo(1L);

      target.stop();
      HealthProbe unhealthy = awaitHealth("orders", Health.Unhealthy);
      Condition failed = condition(unhealthy, Conditions.HEALTHY);
      assertThat(failed.getStatus()).isEqualTo(Conditions.FALSE);
      assertThat(failed.getReason()).isEqualTo("ConnectionRefused");
      assertThat(unhealthy.getStatus().consecutiveFailures).isGreaterThanOrEqualTo(2);
      assertThat(unhealthy.getStatus().lastFailure.reason).isEqualTo("ConnectionRefused");

      target.restart();
      awaitHealth("orders", Health.Healthy);
      List<Event> events = events("orders");
      assertThat(events)
          .extracting(Event::getReason)
          .containsExactlyInAnyOrder("ProbeFailed", "ProbeRecovered");
      Event warning =
          events.stream()
              .filter(e -> e.getReason().equals("ProbeFailed"))
              .findFirst()
              .orElseThrow();
      assertThat(warning.getType()).isEqualTo("Warning");
      assertThat(warning.getReportingController()).isEqualTo("vigie");
      assertThat(warning.getRegarding().getName()).isEqualTo("orders");
      assertThat(warning.getNote()).startsWith("ConnectionRefused: ");
    }
  }

  @Test
  void probeWithTwoCheckBlocksIsInvalidAndSaysWhichFieldsToFix() {
    HealthProbe probe = probe("two-blocks");
    probe.getSpec().http = http("http://a.shop.svc/");
    probe.getSpec().tcp = new TcpCheck();
    probe.getSpec().tcp.host = "db.shop.svc";
    probe.getSpec().tcp.port = 5432;
    probe.getSpec().timeout = "40s";
    client.resource(probe).create();

    HealthProbe invalid = awaitReady("two-blocks", Conditions.FALSE);
    Condition ready = condition(invalid, Conditions.READY);
    assertThat(ready.getReason()).isEqualTo(Conditions.REASON_INVALID_SPEC);
    assertThat(ready.getMessage())
        .contains("spec: set exactly one check block, found 2: http, tcp")
        .contains("spec.timeout: must be less than spec.interval");
    assertThat(invalid.getStatus().health).isEqualTo(Health.Unknown);
    assertThat(condition(invalid, Conditions.HEALTHY).getReason())
        .isEqualTo(Conditions.REASON_NOT_CHECKED);
    assertThat(events("two-blocks")).extracting(Event::getReason).containsExactly("InvalidSpec");
    assertThat(
            scheduler.isScheduled(
                new io.javaoperatorsdk.operator.processing.event.ResourceID("two-blocks", NS)))
        .isFalse();
  }

  @Test
  void anAssertionThatDoesNotCompileIsInvalidWithTheCompilersError() {
    HealthProbe probe = probe("bad-assertion");
    probe.getSpec().http = http("http://a.shop.svc/");
    probe.getSpec().assertions = List.of("result.http.status == 200", "result.latencyMs <");
    client.resource(probe).create();

    HealthProbe invalid = awaitReady("bad-assertion", Conditions.FALSE);
    Condition ready = condition(invalid, Conditions.READY);
    assertThat(ready.getReason()).isEqualTo(Conditions.REASON_INVALID_SPEC);
    assertThat(ready.getMessage())
        .startsWith("spec.assertions[1]: 1:19: mismatched input '<EOF>' expecting");
    assertThat(events("bad-assertion")).extracting(Event::getReason).containsExactly("InvalidSpec");
  }

  @Test
  void aMissingSecretIsReportedAndTheProbeStartsOnceItExists() throws Exception {
    try (LoopbackHttpServer target = LoopbackHttpServer.start()) {
      HealthProbe probe = probe("with-secret");
      probe.getSpec().http = http(target.url("/"));
      probe.getSpec().interval = "1s";
      probe.getSpec().timeout = "500ms";
      HttpHeader header = new HttpHeader();
      header.name = "X-Api-Key";
      header.valueFrom = new HttpHeader.ValueFrom();
      header.valueFrom.secretKeyRef = new SecretKeyRef("api", "key");
      probe.getSpec().http.headers = List.of(header);
      client.resource(probe).create();

      Condition missing = condition(awaitReady("with-secret", Conditions.FALSE), Conditions.READY);
      assertThat(missing.getReason()).isEqualTo(Conditions.REASON_SECRET_NOT_FOUND);
      assertThat(missing.getMessage()).isEqualTo("Secret api not found");

      client
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("api")
                  .withNamespace(NS)
                  .endMetadata()
                  .withStringData(Map.of("key", "k-CANARY-5150"))
                  .build())
          .create();
      HealthProbe healthy = awaitHealth("with-secret", Health.Healthy);
      assertThat(condition(healthy, Conditions.READY).getReason())
          .isEqualTo(Conditions.REASON_ACCEPTED);
      assertThat(target.requests()).anyMatch(r -> r.contains("k-CANARY-5150"));
    }
  }

  @Test
  void suspendingStopsTheChecksAndDeletingForgetsTheProbe() throws Exception {
    try (LoopbackHttpServer target = LoopbackHttpServer.start()) {
      HealthProbe probe = probe("pausable");
      probe.getSpec().http = http(target.url("/"));
      probe.getSpec().interval = "1s";
      probe.getSpec().timeout = "500ms";
      client.resource(probe).create();
      awaitHealth("pausable", Health.Healthy);

      client
          .resources(HealthProbe.class)
          .inNamespace(NS)
          .withName("pausable")
          .edit(
              p -> {
                p.getSpec().suspend = true;
                return p;
              });
      awaitHealth("pausable", Health.Suspended);
      int requests = target.requests().size();
      Thread.sleep(2500);
      assertThat(target.requests()).hasSize(requests);

      client
          .resources(HealthProbe.class)
          .inNamespace(NS)
          .withName("pausable")
          .edit(
              p -> {
                p.getSpec().suspend = false;
                return p;
              });
      awaitHealth("pausable", Health.Healthy);
      client.resources(HealthProbe.class).inNamespace(NS).withName("pausable").delete();
      var id = new io.javaoperatorsdk.operator.processing.event.ResourceID("pausable", NS);
      await().atMost(Duration.ofSeconds(10)).until(() -> !scheduler.isScheduled(id));
      int afterDelete = target.requests().size();
      Thread.sleep(2500);
      assertThat(target.requests()).hasSize(afterDelete);
    }
  }

  @Test
  void aNewProbeIsCheckedAtOnceAndItsFirstStatusCarriesTheVerdict() throws Exception {
    try (LoopbackHttpServer target = LoopbackHttpServer.start()) {
      HealthProbe probe = probe("first-verdict");
      probe.getSpec().http = http(target.url("/"));
      probe.getSpec().interval = "1h"; // the rhythm alone would check it within the hour
      List<HealthProbe> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      try (var watch =
          client
              .resources(HealthProbe.class)
              .inNamespace(NS)
              .withName("first-verdict")
              .watch(
                  new io.fabric8.kubernetes.client.Watcher<HealthProbe>() {
                    @Override
                    public void eventReceived(Action action, HealthProbe resource) {
                      if (resource.getStatus() != null) {
                        seen.add(resource);
                      }
                    }

                    @Override
                    public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {}
                  })) {
        long created = System.nanoTime();
        client.resource(probe).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - created))
            .as("first status")
            .isLessThan(Duration.ofSeconds(5));
        HealthProbe first = seen.get(0);
        assertThat(first.getStatus().health).isEqualTo(Health.Healthy);
        assertThat(condition(first, Conditions.READY).getStatus()).isEqualTo("True");
        assertThat(target.requests()).hasSize(1);
      }
    }
  }

  @Test
  void aFailingProbeWhoseDependencyIsUnhealthySaysSoAndKeepsItsOwnFailure() throws Exception {
    try (LoopbackHttpServer database = LoopbackHttpServer.start();
        LoopbackHttpServer api = LoopbackHttpServer.start()) {
      HealthProbe db = probe("db");
      db.getSpec().http = http(database.url("/"));
      HealthProbe orders = probe("orders-api");
      orders.getSpec().http = http(api.url("/"));
      orders.getSpec().dependsOn = List.of("db");
      for (HealthProbe p : List.of(db, orders)) {
        p.getSpec().interval = "1s";
        p.getSpec().timeout = "500ms";
        p.getSpec().failureThreshold = 1;
        client.resource(p).create();
      }
      awaitHealth("db", Health.Healthy);
      awaitHealth("orders-api", Health.Healthy);

      database.stop();
      api.stop();
      HealthProbe held =
          await()
              .atMost(Duration.ofSeconds(20))
              .until(
                  () ->
                      client
                          .resources(HealthProbe.class)
                          .inNamespace(NS)
                          .withName("orders-api")
                          .get(),
                  p ->
                      p.getStatus().health == Health.Unhealthy
                          && Conditions.REASON_DEPENDENCY_UNHEALTHY.equals(
                              condition(p, Conditions.HEALTHY).getReason()));
      assertThat(condition(held, Conditions.HEALTHY).getMessage())
          .isEqualTo(
              "Dependency db is unhealthy, so the alerts of this probe are held back. This"
                  + " probe's own check: ConnectionRefused: GET "
                  + api.url("/")
                  + ": connection refused");

      // The dependency recovers: the dependant, whose own health did not change, is woken and
      // shows its own failure again, before the status refresh (5 s in tests) would have.
      database.restart();
      HealthProbe own =
          await()
              .atMost(Duration.ofMillis(4500))
              .until(
                  () ->
                      client
                          .resources(HealthProbe.class)
                          .inNamespace(NS)
                          .withName("orders-api")
                          .get(),
                  p -> "ConnectionRefused".equals(condition(p, Conditions.HEALTHY).getReason()));
      assertThat(own.getStatus().health).isEqualTo(Health.Unhealthy);
    }
  }

  @Test
  void aProbeOfTheMetadataServiceIsNotReadyWithTargetForbiddenAndKeepsRunning() {
    HealthProbe probe = probe("metadata");
    probe.getSpec().http = http("http://169.254.169.254/latest/meta-data/");
    probe.getSpec().interval = "1s";
    probe.getSpec().timeout = "500ms";
    probe.getSpec().failureThreshold = 1;
    client.resource(probe).create();

    HealthProbe forbidden = awaitReadyReason("metadata", Conditions.REASON_TARGET_FORBIDDEN);
    Condition ready = condition(forbidden, Conditions.READY);
    assertThat(ready.getStatus()).isEqualTo(Conditions.FALSE);
    assertThat(ready.getMessage())
        .isEqualTo(
            "GET http://169.254.169.254/latest/meta-data/: 169.254.169.254 is forbidden by the"
                + " operator's target policy (vigie.targets.deny: 169.254.0.0/16)");
    assertThat(forbidden.getStatus().lastCheck.reason).isEqualTo("TargetForbidden");
    var id = new io.javaoperatorsdk.operator.processing.event.ResourceID("metadata", NS);
    assertThat(scheduler.isScheduled(id)).as("it runs on: the target may move").isTrue();

    HealthProbe unhealthy = awaitHealth("metadata", Health.Unhealthy);
    assertThat(condition(unhealthy, Conditions.HEALTHY).getReason()).isEqualTo("TargetForbidden");
    assertThat(condition(unhealthy, Conditions.READY).getReason())
        .isEqualTo(Conditions.REASON_TARGET_FORBIDDEN);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> events("metadata").stream().map(Event::getReason).toList(),
            reasons -> reasons.contains("TargetForbidden") && reasons.contains("ProbeFailed"));
    Event warning =
        events("metadata").stream()
            .filter(e -> e.getReason().equals("TargetForbidden"))
            .findFirst()
            .orElseThrow();
    assertThat(warning.getType()).isEqualTo("Warning");
    assertThat(warning.getNote()).isEqualTo(ready.getMessage());
  }

  @Test
  void aTargetThatRedirectsToAForbiddenAddressIsNotReadyUntilItStops() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean redirect =
        new java.util.concurrent.atomic.AtomicBoolean();
    com.sun.net.httpserver.HttpServer target =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 10);
    target.createContext(
        "/",
        exchange -> {
          if (redirect.get()) {
            exchange
                .getResponseHeaders()
                .add("Location", "http://169.254.169.254/latest/meta-data/iam/");
            exchange.sendResponseHeaders(302, -1);
          } else {
            exchange.sendResponseHeaders(204, -1);
          }
          exchange.close();
        });
    target.start();
    try {
      HealthProbe probe = probe("moving");
      probe.getSpec().http = http("http://127.0.0.1:" + target.getAddress().getPort() + "/");
      probe.getSpec().interval = "1s";
      probe.getSpec().timeout = "500ms";
      client.resource(probe).create();
      awaitHealth("moving", Health.Healthy);

      redirect.set(true);
      HealthProbe forbidden = awaitReadyReason("moving", Conditions.REASON_TARGET_FORBIDDEN);
      assertThat(condition(forbidden, Conditions.READY).getMessage())
          .endsWith(
              "/: the redirect to http://169.254.169.254/latest/meta-data/iam/: 169.254.169.254"
                  + " is forbidden by the operator's target policy"
                  + " (vigie.targets.deny: 169.254.0.0/16)");
      assertThat(forbidden.getStatus().health)
          .as("one failure: below the threshold")
          .isEqualTo(Health.Healthy);

      redirect.set(false);
      HealthProbe back = awaitReadyReason("moving", Conditions.REASON_ACCEPTED);
      assertThat(condition(back, Conditions.READY).getStatus()).isEqualTo(Conditions.TRUE);
      assertThat(events("moving")).extracting(Event::getReason).containsExactly("TargetForbidden");
    } finally {
      target.stop(0);
    }
  }

  private HealthProbe awaitReadyReason(String name, String reason) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> client.resources(HealthProbe.class).inNamespace(NS).withName(name).get(),
            p ->
                p != null
                    && p.getStatus() != null
                    && Conditions.find(p.getStatus().conditions, Conditions.READY)
                        .map(c -> reason.equals(c.getReason()))
                        .orElse(false));
  }

  private List<Event> events(String probe) {
    return client.resources(Event.class).inNamespace(NS).list().getItems().stream()
        .filter(e -> probe.equals(e.getRegarding().getName()))
        .toList();
  }

  private HealthProbe awaitHealth(String name, Health health) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> client.resources(HealthProbe.class).inNamespace(NS).withName(name).get(),
            p -> p != null && p.getStatus() != null && p.getStatus().health == health);
  }

  private HealthProbe awaitReady(String name, String status) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> client.resources(HealthProbe.class).inNamespace(NS).withName(name).get(),
            p ->
                p != null
                    && p.getStatus() != null
                    && Conditions.find(p.getStatus().conditions, Conditions.READY)
                        .map(c -> status.equals(c.getStatus()))
                        .orElse(false));
  }

  private static Condition condition(HealthProbe probe, String type) {
    return Conditions.find(probe.getStatus().conditions, type).orElseThrow();
  }

  private static HealthProbe probe(String name) {
    HealthProbe probe = new HealthProbe();
    probe.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NS).build());
    return probe;
  }

  private static HttpCheck http(String url) {
    HttpCheck http = new HttpCheck();
    http.url = url;
    return http;
  }
}
