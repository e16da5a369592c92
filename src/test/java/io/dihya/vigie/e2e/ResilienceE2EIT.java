package io.dihya.vigie.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dihya.vigie.e2e.WebhookReceiver.Received;
import io.dihya.vigie.testing.LoopbackHttpServer;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults the operator must ride out, end to end: the control plane (kube-apiserver and etcd) going
 * away and coming back while probes change health, and the operator itself killed and started
 * again. In both, checks go on, every incident is notified once (firing, then resolved), and
 * nothing is notified or announced twice.
 */
class ResilienceE2EIT {

  /** How long the control plane stays stopped; starting it again adds its own few seconds. */
  private static final Duration OUTAGE = Duration.ofSeconds(20);

  private static LocalCluster cluster;
  private static WebhookReceiver receiver;
  private static final List<String> namespaces = Collections.synchronizedList(new ArrayList<>());
  private static final List<LoopbackHttpServer> targets = new ArrayList<>();
  private final List<OperatorProcess> operators = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.get();
    cluster.installCrds();
    receiver = WebhookReceiver.start();
  }

  /** The test's operators stop first, so that removing its probes and routes notifies nothing. */
  @AfterEach
  void stopOperators() {
    operators.forEach(OperatorProcess::close);
    cluster.deleteProbesAndRoutes(namespaces);
    namespaces.clear();
  }

  @AfterAll
  static void stop() {
    targets.forEach(LoopbackHttpServer::close);
    if (receiver != null) {
      receiver.close();
    }
  }

  /**
   * An operator watching only the test's namespace: probes other test classes left behind would add
   * their own status writes (and failures) to its log.
   */
  private OperatorProcess operator(String name, String namespace, Map<String, String> env)
      throws Exception {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("QUARKUS_OPERATOR_SDK_NAMESPACES", namespace);
    OperatorProcess operator = OperatorProcess.start(cluster, name, all);
    operators.add(operator);
    return operator;
  }

  private static LoopbackHttpServer target() throws Exception {
    LoopbackHttpServer target = LoopbackHttpServer.start();
    targets.add(target);
    return target;
  }

  /**
   * The control plane stops for about {@link #OUTAGE} and starts again on the same data. While it
   * is down, {@code orders} fails (and stays failing), {@code stock} fails and recovers, {@code
   * billing} stays healthy: checks go on at their interval, notifications go out (they do not need
   * the API server), and once it is back the status catches up, without a crash, a repeat or a
   * loss.
   */
  @Test
  void aControlPlaneRestartLosesAndRepeatsNothing() throws Exception {
    String namespace = cluster.createNamespace("outage");
    namespaces.add(namespace);
    LoopbackHttpServer orders = target();
    LoopbackHttpServer stock = target();
    LoopbackHttpServer billing = target();
    String probe =
        """
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: %s
        spec:
          interval: 1s
          timeout: 800ms
          failureThreshold: %d
          http:
            url: %s
        """;
    String yaml =
        """
        apiVersion: vigie.dihya.io/v1alpha1
        kind: AlertRoute
        metadata:
          name: oncall
        spec:
          groupWait: 2s
          groupInterval: 2s
          repeatInterval: 1h
          sinks:
            - name: hook
              webhook:
                url: %s
        """
                .formatted(receiver.url("/outage"))
            + probe.formatted("orders", 2, orders.url("/healthz"))
            + probe.formatted("stock", 2, stock.url("/healthz"))
            // (3: a slow check on this loaded machine is no incident)
            + probe.formatted("billing", 3, billing.url("/healthz"));
    OperatorProcess operator = operator("resilience-outage", namespace, Map.of());
    cluster.apply(namespace, yaml).assertSuccess();
    cluster
        .kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", namespace, "ar/oncall")
        .assertSuccess();
    cluster
        .kubectl("wait", "--for=condition=Healthy", "--timeout=60s", "-n", namespace, "hp", "--all")
        .assertSuccess();
    int errorsBefore = errorLines(operator.log()).size();

    long down = System.nanoTime();
    long up;
    boolean readyDuringOutage;
    int[] before = {
      orders.requestNanos().size(), stock.requestNanos().size(), billing.requestNanos().size()
    };
    cluster.stopControlPlane().assertSuccess();
    try {
      orders.answer(503);
      stock.answer(503);
      // Notifications do not wait for the API server.
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> alerts(outage()).containsAll(List.of("firing orders", "firing stock")));
      stock.answer(200);
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> alerts(outage()).contains("resolved stock"));
      assertThat(cluster.kubectl("get", "ns", namespace).exitCode())
          .as("the control plane is still down")
          .isNotZero();
      long left = OUTAGE.toNanos() - (System.nanoTime() - down);
      if (left > 0) {
        Thread.sleep(left / 1_000_000);
      }
      assertThat(operator.isAlive()).as("the operator runs on without its API server").isTrue();
      // and says it is alive: the kubelet would otherwise restart it, again and again.
      assertThat(operator.live()).as("liveness during the outage").isTrue();
      readyDuringOutage = operator.ready();
    } finally {
      cluster.startControlPlane().assertSuccess();
      up = System.nanoTime();
    }
    Duration outage = Duration.ofNanos(up - down);

    // Checks went on at their interval (1 s) while the API server was away.
    int[] during = new int[3];
    LoopbackHttpServer[] all = {orders, stock, billing};
    for (int i = 0; i < 3; i++) {
      List<Long> window = between(all[i].requestNanos(), down, up);
      during[i] = window.size();
      assertThat(window.size()).isGreaterThanOrEqualTo((int) (outage.toSeconds() * 0.8) - 1);
      assertThat(largestGap(window, down, up)).isLessThan(Duration.ofSeconds(3));
    }

    // Status catches up: orders Unhealthy, the others Healthy.
    Duration caughtUp =
        timed(
            () ->
                await()
                    .atMost(Duration.ofSeconds(90))
                    .until(
                        () ->
                            health(namespace, "orders").equals("Unhealthy/False")
                                && health(namespace, "stock").equals("Healthy/True")
                                && health(namespace, "billing").equals("Healthy/True")));
    // The route's status records what was notified: orders firing, delivered; stock is over.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> ledger(namespace, "oncall").equals("orders/Firing/;"));
    await().atMost(Duration.ofSeconds(30)).until(operator::ready);
    assertThat(operator.isAlive()).isTrue();

    Instant recovering = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    orders.answer(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> alerts(outage()).contains("resolved orders"));
    // Status says when orders recovered, although the operator's cache lags behind the API server
    // after an outage (until its watch is back).
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> health(namespace, "orders").equals("Healthy/True"));
    assertThat(Instant.parse(field(namespace, "orders", "{.status.since}")))
        .isAfterOrEqualTo(recovering);
    assertThat(Instant.parse(field(namespace, "orders", HEALTHY_SINCE)))
        .isAfterOrEqualTo(recovering);
    await()
        .during(Duration.ofSeconds(6))
        .atMost(Duration.ofSeconds(10))
        .until(() -> outage().size() == 4);
    assertThat(alerts(outage()))
        .containsExactlyInAnyOrder(
            "firing orders", "firing stock", "resolved stock", "resolved orders");
    // Events are written once the API server is back, or dropped if it is not back in time (the
    // notifications told the story): either way one per change of health, none left dangling.
    Map<String, List<String>> events = transitionEvents(namespace);
    List<List<String>> consistent = List.of(List.of(), List.of("ProbeFailed", "ProbeRecovered"));
    assertThat(events.getOrDefault("orders", List.of())).isIn(consistent);
    assertThat(events.getOrDefault("stock", List.of())).isIn(consistent);
    assertThat(events).doesNotContainKey("billing");
    await().atMost(Duration.ofSeconds(60)).until(() -> ledger(namespace, "oncall").equals(""));

    String log = operator.log();
    List<String> errors = errorLines(log).subList(errorsBefore, errorLines(log).size());
    long stackTraces = log.lines().filter(l -> l.contains("\"exception\"")).count();
    System.out.printf(
        "control plane outage %d ms; checks during it (orders, stock, billing): %d, %d, %d;"
            + " status caught up %d ms after it was back; notifications: %s; ERROR lines: %d;"
            + " log records with a stack trace: %d; Events: %s; ready during the outage: %s%n",
        outage.toMillis(),
        during[0],
        during[1],
        during[2],
        caughtUp.toMillis(),
        alerts(outage()),
        errors.size(),
        stackTraces,
        events,
        readyDuringOutage);
    assertThat(caughtUp).isLessThan(Duration.ofSeconds(60));
    assertThat(errors).as("ERROR lines after the outage").isEmpty();
    // A failed status write is logged with its stack trace by JOSDK, a watch reconnecting by
    // fabric8: at most once per resource (3 probes, a route) or informer (2) per 10 s of outage,
    // not once per check.
    assertThat(stackTraces)
        .as("log records with a stack trace")
        .isLessThanOrEqualTo(6 * (outage.toSeconds() / 10 + 1));
  }

  /**
   * Probes in steady state, one failing and notified already: the operator is killed (SIGKILL) and
   * started again. It resumes from status: checks and status writes go on, and nothing transitions
   * (no Event, since and lastTransitionTime unchanged, nothing "turned" in its log) or is notified.
   * (AlertingE2EIT covers probes deleted or recovering across such a restart.)
   */
  @Test
  void aKilledOperatorResumesWithoutATransitionOrANotification() throws Exception {
    String namespace = cluster.createNamespace("killed");
    namespaces.add(namespace);
    LoopbackHttpServer healthy = target();
    LoopbackHttpServer failing = target();
    failing.answer(503);
    String probe =
        """
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: %s
        spec:
          interval: 1s
          timeout: 800ms
          failureThreshold: %d
          successThreshold: %d
          http:
            url: %s
        """;
    String yaml =
        """
        apiVersion: vigie.dihya.io/v1alpha1
        kind: AlertRoute
        metadata:
          name: oncall
        spec:
          groupWait: %s
          groupInterval: 3s
          repeatInterval: 1h
          sinks:
            - name: hook
              webhook:
                url: %s
        """
                .formatted(GROUP_WAIT.toSeconds() + "s", receiver.url("/killed"))
            + probe.formatted("cart", 3, 1, healthy.url("/cart"))
            + probe.formatted("search", 3, 2, healthy.url("/search"))
            + probe.formatted("payments", 2, 1, failing.url("/payments"));
    // Status refreshed every 2 s: the restarted operator's writes show at once.
    Map<String, String> env = Map.of("VIGIE_STATUS_REFRESH_INTERVAL", "2s");
    OperatorProcess first = operator("resilience-killed", namespace, env);
    cluster.apply(namespace, yaml).assertSuccess();
    cluster
        .kubectl("wait", "--for=condition=Ready", "--timeout=60s", "-n", namespace, "ar/oncall")
        .assertSuccess();
    cluster
        .kubectl("wait", "--for=condition=Healthy", "--timeout=60s", "-n", namespace, "hp/cart")
        .assertSuccess();
    cluster
        .kubectl("wait", "--for=condition=Healthy", "--timeout=60s", "-n", namespace, "hp/search")
        .assertSuccess();
    cluster
        .kubectl(
            "wait",
            "--for=condition=Healthy=false",
            "--timeout=60s",
            "-n",
            namespace,
            "hp/payments")
        .assertSuccess();
    await().atMost(Duration.ofSeconds(30)).until(() -> alerts(killed()).equals(FIRING_PAYMENTS));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> ledger(namespace, "oncall").equals("payments/Firing/;"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                transitionEvents(namespace)
                    .getOrDefault("payments", List.of())
                    .equals(List.of("ProbeFailed")));
    // (the healthy ones may have flapped on this loaded machine: what counts is that nothing moves)
    String before = steadyState(namespace);
    Map<String, List<String>> eventsBefore = transitionEvents(namespace);
    first.kill();

    OperatorProcess second = operator("resilience-killed-restarted", namespace, env);
    Instant restarted = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long restartedNanos = System.nanoTime();
    Duration resumed =
        timed(
            () ->
                await()
                    .atMost(Duration.ofSeconds(30))
                    .until(
                        () ->
                            List.of("cart", "search", "payments").stream()
                                .allMatch(
                                    p ->
                                        !Instant.parse(
                                                field(namespace, p, "{.status.lastCheck.time}"))
                                            .isBefore(restarted))));
    // Nothing is notified: twice the route's groupWait and a margin.
    await()
        .during(GROUP_WAIT.multipliedBy(2).plusSeconds(4))
        .atMost(GROUP_WAIT.multipliedBy(2).plusSeconds(8))
        .until(() -> alerts(killed()).equals(FIRING_PAYMENTS));
    assertThat(healthy.requestNanos().stream().filter(t -> t - restartedNanos > 0).count())
        .as("checks after the restart")
        .isGreaterThanOrEqualTo(6);
    assertThat(steadyState(namespace)).isEqualTo(before);
    assertThat(transitionEvents(namespace)).isEqualTo(eventsBefore);
    String log = second.log();
    assertThat(log).doesNotContain(" turned Unhealthy").doesNotContain(" turned Healthy");
    assertThat(errorLines(log)).isEmpty();
    System.out.printf(
        "killed operator: the restarted one wrote every probe's status %d ms after it was ready;"
            + " notifications after the restart: %d%n",
        resumed.toMillis(), killed().size() - 1);
  }

  private static final Duration GROUP_WAIT = Duration.ofSeconds(3);
  private static final List<String> FIRING_PAYMENTS = List.of("firing payments");

  private static List<Received> killed() {
    return receiver.requests("/killed");
  }

  /**
   * What must not move across a restart: each probe's health, since and conditions (status and
   * lastTransitionTime), the route's conditions and what it recorded as notified.
   */
  private static String steadyState(String namespace) {
    String probes =
        cluster
            .kubectl(
                "get",
                "hp",
                "-n",
                namespace,
                "-o=jsonpath={range .items[*]}{.metadata.name} {.status.health} {.status.since}"
                    + " {range .status.conditions[*]}{.type}={.status}@{.lastTransitionTime}"
                    + " {end}{\"\\n\"}{end}")
            .assertSuccess()
            .output();
    String routes =
        cluster
            .kubectl(
                "get",
                "ar",
                "-n",
                namespace,
                "-o=jsonpath={range .items[*]}{.metadata.name}"
                    + " {range .status.conditions[*]}{.type}={.status}@{.lastTransitionTime} {end}"
                    + "{range .status.alerts[*]}{.probe}/{.state}/{.startsAt}/{.notifiedAt}"
                    + " {end}{\"\\n\"}{end}")
            .assertSuccess()
            .output();
    return probes + routes;
  }

  private static List<Received> outage() {
    return receiver.requests("/outage");
  }

  /** "firing orders" for each alert of each notification, in order. */
  private static List<String> alerts(List<Received> notifications) {
    List<String> out = new ArrayList<>();
    for (Received r : notifications) {
      try {
        JsonNode body = r.json();
        for (JsonNode alert : body.get("alerts")) {
          out.add(alert.get("status").asText() + " " + alert.get("labels").get("probe").asText());
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  /** "Unhealthy/False": the probe's health and its Healthy condition's status. */
  private static String health(String namespace, String probe) {
    return cluster
        .kubectl(
            "get",
            "hp",
            probe,
            "-n",
            namespace,
            "-o=jsonpath={.status.health}/{.status.conditions[?(@.type==\"Healthy\")].status}")
        .output()
        .trim();
  }

  /** "orders/Firing/;": the route's status.alerts, probe/state/pending each. */
  private static String ledger(String namespace, String route) {
    return cluster
        .kubectl(
            "get",
            "ar",
            route,
            "-n",
            namespace,
            "-o=jsonpath={range .status.alerts[*]}{.probe}/{.state}/{.pending};{end}")
        .output()
        .trim();
  }

  private static final String HEALTHY_SINCE =
      "{.status.conditions[?(@.type==\"Healthy\")].lastTransitionTime}";

  private static String field(String namespace, String probe, String jsonpath) {
    return cluster
        .kubectl("get", "hp", probe, "-n", namespace, "-o=jsonpath=" + jsonpath)
        .assertSuccess()
        .output()
        .trim();
  }

  /**
   * The reasons of the probes' transition Events (ProbeFailed, ProbeRecovered) by probe, oldest
   * first; a reason written again (a series) appears once per occurrence.
   */
  private static Map<String, List<String>> transitionEvents(String namespace) {
    Map<String, List<String>> byProbe = new TreeMap<>();
    try (KubernetesClient client = cluster.client()) {
      client.resources(Event.class).inNamespace(namespace).list().getItems().stream()
          .filter(e -> TRANSITIONS.contains(e.getReason()))
          .sorted(Comparator.comparing(e -> e.getEventTime().getTime()))
          .forEach(
              e -> {
                int times = e.getSeries() == null ? 1 : e.getSeries().getCount();
                for (int i = 0; i < times; i++) {
                  byProbe
                      .computeIfAbsent(e.getRegarding().getName(), k -> new ArrayList<>())
                      .add(e.getReason());
                }
              });
    }
    return byProbe;
  }

  private static final Set<String> TRANSITIONS = Set.of("ProbeFailed", "ProbeRecovered");

  private static List<Long> between(List<Long> nanos, long from, long to) {
    return nanos.stream().filter(t -> t - from >= 0 && to - t >= 0).sorted().toList();
  }

  /** The longest time without a request in [from, to]. */
  private static Duration largestGap(List<Long> nanos, long from, long to) {
    long previous = from;
    long largest = 0;
    for (long t : nanos) {
      largest = Math.max(largest, t - previous);
      previous = t;
    }
    return Duration.ofNanos(Math.max(largest, to - previous));
  }

  private static List<String> errorLines(String log) {
    return log.lines().filter(l -> l.contains("\"level\":\"ERROR\"")).toList();
  }

  private static Duration timed(Runnable action) {
    long start = System.nanoTime();
    action.run();
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
