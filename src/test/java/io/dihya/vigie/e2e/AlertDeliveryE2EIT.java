package io.dihya.vigie.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.dihya.vigie.e2e.WebhookReceiver.Received;
import io.dihya.vigie.testing.LoopbackHttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.StreamSupport;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The "done when" criteria of the alert pipeline, end to end: the built operator against the real
 * kube-apiserver, HTTP targets and one webhook receiver on loopback. Each scenario has its own
 * namespace, target and receiver path; counts of notifications are exact.
 *
 * <p>A scenario's receiver path is /hook/NAMESPACE: routes left on the API server by an earlier run
 * cannot post into this run's receiver, even on a reused port.
 */
class AlertDeliveryE2EIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CLUSTER = Duration.ofSeconds(60);

  private static LocalCluster cluster;
  private static OperatorProcess operator;
  private static WebhookReceiver receiver;
  private static final List<AutoCloseable> targets = new CopyOnWriteArrayList<>();
  private static final List<String> namespaces = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    cluster = LocalCluster.get();
    cluster.installCrds();
    receiver = WebhookReceiver.start();
    operator = OperatorProcess.start(cluster, "alert-delivery");
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.deleteProbesAndRoutes(namespaces);
    if (operator != null) {
      operator.close();
    }
    for (AutoCloseable target : targets) {
      target.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  /**
   * A probe that turns Unhealthy and recovers inside groupWait notifies nobody; the same route
   * notifies a failure that lasts (so the silence is not a broken route).
   */
  @Test
  void aFlapInsideGroupWaitSendsNothing() throws Exception {
    String namespace = namespace("flap");
    String path = "/hook/" + namespace;
    Duration groupWait = Duration.ofSeconds(8);
    LoopbackHttpServer target = target();
    apply(
        namespace,
        """
        apiVersion: vigie.dihya.io/v1alpha1
        kind: AlertRoute
        metadata:
          name: oncall
        spec:
          groupWait: 8s
          groupInterval: 1s
          sinks:
            - name: hook
              webhook:
                url: %s
        ---
        %s
        """
            .formatted(receiver.url(path), probe("orders", target.url("/healthz"), "{}")));
    awaitReady(namespace, "ar/oncall");
    awaitHealthy(namespace, "hp/orders");

    long stopped = System.nanoTime();
    target.stop();
    try {
      // The flap must be real: the probe is seen Unhealthy (so its firing alert was routed).
      kubectl(
          "wait",
          "--for=condition=Healthy=false",
          "--timeout=" + CLUSTER.toSeconds() + "s",
          "-n",
          namespace,
          "hp/orders");
    } finally {
      target.restart();
    }
    awaitHealthy(namespace, "hp/orders");
    long recovered = System.nanoTime();
    // Its group was created after `stopped` and the resolve was routed before Healthy was written:
    // the flap ended inside groupWait, or this test would prove nothing.
    assertThat(Duration.ofNanos(recovered - stopped))
        .as("the flap (stop to Healthy again) must end inside groupWait")
        .isLessThan(groupWait.minusSeconds(1));
    assertThat(eventReasons(namespace)).contains("ProbeFailed", "ProbeRecovered");

    // Quiet until well after the group's first (and only) flush at creation + groupWait.
    Duration quiet = groupWait.plusSeconds(4).minusNanos(System.nanoTime() - stopped);
    await()
        .during(quiet)
        .atMost(quiet.plusSeconds(5))
        .until(() -> receiver.requests(path).isEmpty());

    // Control: a failure that lasts is notified once, then its recovery once.
    target.stop();
    try {
      await().atMost(Duration.ofSeconds(40)).until(() -> receiver.requests(path).size() >= 1);
    } finally {
      target.restart();
    }
    await().atMost(Duration.ofSeconds(40)).until(() -> receiver.requests(path).size() >= 2);
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(8))
        .until(() -> receiver.requests(path).size() == 2);
    List<Received> got = receiver.requests(path);
    assertThat(got).allMatch(Received::accepted);
    assertThat(got.get(0).json().get("status").asText()).isEqualTo("firing");
    assertThat(got.get(1).json().get("status").asText()).isEqualTo("resolved");
    assertThat(probes(got.get(0))).containsExactly("orders");
  }

  /**
   * 50 probes of one target fail together: one firing notification per team, each with its 25
   * alerts; they recover together: one resolved notification per team; then nothing.
   */
  @Test
  void fiftyProbesFailingTogetherGiveOneNotificationPerGroup() throws Exception {
    String namespace = namespace("storm");
    String path = "/hook/" + namespace;
    LoopbackHttpServer target = target();
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: vigie.dihya.io/v1alpha1
            kind: AlertRoute
            metadata:
              name: teams
            spec:
              groupBy: [team]
              groupWait: 8s
              groupInterval: 8s
              sinks:
                - name: hook
                  webhook:
                    url: %s
            """
                .formatted(receiver.url(path)));
    Map<String, Set<String>> byTeam = Map.of("a", new TreeSet<>(), "b", new TreeSet<>());
    for (int i = 0; i < 50; i++) {
      String name = "svc-%02d".formatted(i);
      String team = i < 25 ? "a" : "b";
      byTeam.get(team).add(name);
      yaml.append("---\n")
          .append(probe(name, target.url("/healthz/" + i), "{team: %s}".formatted(team)));
    }
    apply(namespace, yaml.toString());
    awaitReady(namespace, "ar/teams");
    kubectl(
        "wait",
        "--for=condition=Healthy",
        "--timeout=120s",
        "-n",
        namespace,
        "--all",
        "healthprobes");

    target.stop();
    try {
      kubectl(
          "wait",
          "--for=condition=Healthy=false",
          "--timeout=" + CLUSTER.toSeconds() + "s",
          "-n",
          namespace,
          "--all",
          "healthprobes");
      await().atMost(Duration.ofSeconds(40)).until(() -> receiver.requests(path).size() >= 2);
    } finally {
      // At once: the recoveries must all land inside the groups' groupInterval (8 s).
      target.restart();
    }
    List<Received> firing = List.copyOf(receiver.requests(path));
    assertThat(firing).hasSize(2);
    Map<String, Set<String>> firedFingerprints = new HashMap<>();
    for (Received r : firing) {
      JsonNode body = r.json();
      String team = body.get("groupLabels").get("team").asText();
      assertThat(body.get("kind").asText()).isEqualTo("alerts");
      assertThat(body.get("status").asText()).isEqualTo("firing");
      assertThat(body.get("alerts")).hasSize(25);
      assertThat(statuses(r)).containsOnly("firing");
      assertThat(probes(r)).containsExactlyInAnyOrderElementsOf(byTeam.get(team));
      firedFingerprints.put(team, fingerprints(r));
    }
    assertThat(firedFingerprints).containsOnlyKeys("a", "b");

    kubectl(
        "wait",
        "--for=condition=Healthy",
        "--timeout=" + CLUSTER.toSeconds() + "s",
        "-n",
        namespace,
        "--all",
        "healthprobes");
    await().atMost(Duration.ofSeconds(40)).until(() -> receiver.requests(path).size() >= 4);
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> receiver.requests(path).size() == 4);
    List<Received> resolved = receiver.requests(path).subList(2, 4);
    Set<String> teams = new HashSet<>();
    for (Received r : resolved) {
      JsonNode body = r.json();
      String team = body.get("groupLabels").get("team").asText();
      teams.add(team);
      assertThat(body.get("status").asText()).isEqualTo("resolved");
      assertThat(body.get("alerts")).hasSize(25);
      assertThat(statuses(r)).containsOnly("resolved");
      assertThat(fingerprints(r)).isEqualTo(firedFingerprints.get(team));
    }
    assertThat(teams).containsExactlyInAnyOrder("a", "b");
  }

  /**
   * The receiver answers 503 for a minute while a probe fires and recovers: both notifications wait
   * in order, the retries back off (1, 2, 4, 8, 16 s...) carrying the same webhook-id and bytes,
   * and once the receiver is back each is accepted exactly once, firing first.
   */
  @Test
  void aReceiverDownForAMinuteGetsEachNotificationOnceInOrder() throws Exception {
    String namespace = namespace("outage");
    String path = "/hook/" + namespace;
    byte[] key = ("whsec-outage-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    LoopbackHttpServer target = target();
    apply(
        namespace,
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: hook
        stringData:
          key: %s
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: AlertRoute
        metadata:
          name: oncall
        spec:
          groupWait: 1s
          groupInterval: 1s
          sinks:
            - name: hook
              webhook:
                url: %s
                signingKeySecretRef: {name: hook, key: key}
        ---
        %s
        """
            .formatted(
                new String(key, StandardCharsets.UTF_8),
                receiver.url(path),
                probe("payments", target.url("/healthz"), "{}")));
    awaitReady(namespace, "ar/oncall");
    awaitHealthy(namespace, "hp/payments");

    long down = System.nanoTime();
    long up = down + Duration.ofSeconds(60).toNanos();
    receiver.refuseUntil(path, up);
    target.stop();
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> !receiver.requests(path).isEmpty());
    } finally {
      target.restart();
    }
    awaitHealthy(namespace, "hp/payments");
    // The resolve is flushed within groupInterval (1 s) of the recovery: it is queued behind the
    // firing one while the receiver still refuses, or this test would prove nothing.
    assertThat(Duration.ofNanos(up - System.nanoTime()))
        .as("time left in the outage once the probe recovered")
        .isGreaterThan(Duration.ofSeconds(30));

    // While down: status says so, with a fixed text (no URL, no body).
    JsonNode sinkWhileDown =
        await()
            .atMost(Duration.ofSeconds(40))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> sinkStatus(namespace, "oncall"), s -> s.has("lastError"));
    assertThat(System.nanoTime()).as("status seen while the receiver refuses").isLessThan(up);
    assertThat(sinkWhileDown.get("name").asText()).isEqualTo("hook");
    assertThat(sinkWhileDown.get("lastError").asText()).isEqualTo("HTTP 503");
    assertThat(sinkWhileDown.path("delivered").asLong()).isZero();
    assertThat(sinkWhileDown.path("failed").asLong()).isZero();

    await()
        .atMost(Duration.ofSeconds(100))
        .until(() -> receiver.requests(path).stream().filter(Received::accepted).count() >= 2);
    await()
        .during(Duration.ofSeconds(5))
        .atMost(Duration.ofSeconds(10))
        .until(() -> receiver.requests(path).stream().filter(Received::accepted).count() == 2);

    List<Received> all = receiver.requests(path);
    List<Received> refused = all.stream().filter(r -> !r.accepted()).toList();
    List<Received> accepted = all.stream().filter(Received::accepted).toList();
    assertThat(all.subList(0, refused.size()))
        .as("every refusal came before the receiver returned")
        .allMatch(r -> !r.accepted());
    Received firing = accepted.get(0);
    Received resolved = accepted.get(1);
    assertThat(firing.json().get("status").asText()).isEqualTo("firing");
    assertThat(resolved.json().get("status").asText()).isEqualTo("resolved");
    assertThat(fingerprints(resolved)).isEqualTo(fingerprints(firing));
    assertSigned(firing, key);
    assertSigned(resolved, key);
    assertThat(resolved.header("webhook-id")).isNotEqualTo(firing.header("webhook-id"));
    // Retries are the same notification: same webhook-id, same bytes, each one signed.
    for (Received r : refused) {
      assertThat(r.header("webhook-id")).isEqualTo(firing.header("webhook-id"));
      assertThat(r.body()).isEqualTo(firing.body());
      assertSigned(r, key);
    }
    // Attempts at first + 0, 1, 3, 7, 15, 31 s are refused, the one at + 63 s is accepted.
    assertThat(refused).hasSize(6);
    long[] backoff = {1, 2, 4, 8, 16, 32};
    List<Received> attempts = new ArrayList<>(refused);
    attempts.add(firing);
    for (int i = 1; i < attempts.size(); i++) {
      Duration gap = Duration.ofNanos(attempts.get(i).at() - attempts.get(i - 1).at());
      assertThat(gap)
          .as("wait before attempt %d", i + 1)
          .isBetween(
              Duration.ofSeconds(backoff[i - 1]).minusMillis(100),
              Duration.ofSeconds(backoff[i - 1]).plusSeconds(2));
    }
    assertThat(firing.at()).isGreaterThan(up);
    assertThat(Duration.ofNanos(resolved.at() - firing.at())).isLessThan(Duration.ofSeconds(2));

    JsonNode sinkAfter =
        await()
            .atMost(Duration.ofSeconds(40))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> sinkStatus(namespace, "oncall"), s -> s.path("delivered").asLong() >= 2);
    assertThat(sinkAfter.get("delivered").asLong()).isEqualTo(2);
    assertThat(sinkAfter.path("failed").asLong()).isZero();
    assertThat(sinkAfter.has("lastDeliveryTime")).isTrue();
  }

  /**
   * One random secret in the webhook URL's query, a webhook header, the signing key, a probe's
   * bearer token, API-key header and password, and in the target's failing answers (body and
   * header): it reaches the receiver only as the transport it was configured for, and nowhere else:
   * not the notification bodies or signatures, not the resources' yaml, not the Events, not the
   * operator's log.
   */
  @Test
  void aCanarySecretAppearsNowhere() throws Exception {
    String namespace = namespace("canary");
    String secret = UUID.randomUUID().toString().replace("-", "");
    String canary = "canary" + secret;
    String path = "/hook/" + namespace;
    CanaryTarget target = CanaryTarget.start(canary);
    targets.add(target);
    apply(
        namespace,
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: delivery
        stringData:
          url: %1$s?token=%2$s
          header: %2$s
          signing: %2$s
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: target-credentials
        stringData:
          token: %2$s
          api-key: %2$s
          username: monitor
          password: %2$s
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: AlertRoute
        metadata:
          name: oncall
        spec:
          groupBy: [namespace]
          groupWait: 4s
          groupInterval: 4s
          sinks:
            - name: hook
              webhook:
                urlSecretRef: {name: delivery, key: url}
                headers:
                  - name: X-Receiver-Token
                    valueFrom:
                      secretKeyRef: {name: delivery, key: header}
                signingKeySecretRef: {name: delivery, key: signing}
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: body
        spec:
          interval: 1s
          timeout: 500ms
          failureThreshold: 1
          http:
            url: %3$s/body
            bearerTokenSecretRef: {name: target-credentials, key: token}
            expectBody:
              contains: '"status":"up"'
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: assertion
        spec:
          interval: 1s
          timeout: 500ms
          failureThreshold: 1
          assertions:
            - 'result.http.json.status == "up"'
          http:
            url: %3$s/assertion
            headers:
              - name: X-Api-Key
                valueFrom:
                  secretKeyRef: {name: target-credentials, key: api-key}
        ---
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: status
        spec:
          interval: 1s
          timeout: 500ms
          failureThreshold: 1
          http:
            url: %3$s/status
            basicAuth:
              usernameSecretRef: {name: target-credentials, key: username}
              passwordSecretRef: {name: target-credentials, key: password}
        """
            .formatted(receiver.url(path), canary, target.url()));
    awaitReady(namespace, "ar/oncall");
    kubectl(
        "wait",
        "--for=condition=Healthy",
        "--timeout=" + CLUSTER.toSeconds() + "s",
        "-n",
        namespace,
        "--all",
        "healthprobes");

    target.leak(true);
    try {
      await().atMost(Duration.ofSeconds(40)).until(() -> receiver.requests(path).size() >= 1);
    } finally {
      target.leak(false);
    }
    kubectl(
        "wait",
        "--for=condition=Healthy",
        "--timeout=" + CLUSTER.toSeconds() + "s",
        "-n",
        namespace,
        "--all",
        "healthprobes");
    await().atMost(Duration.ofSeconds(40)).until(() -> receiver.requests(path).size() >= 2);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(6))
        .until(() -> receiver.requests(path).size() == 2);

    List<Received> got = receiver.requests(path);
    JsonNode fired = got.get(0).json();
    assertThat(fired.get("status").asText()).isEqualTo("firing");
    Map<String, String> reasons = new HashMap<>();
    fired
        .get("alerts")
        .forEach(
            a ->
                reasons.put(
                    a.get("labels").get("probe").asText(),
                    a.get("annotations").get("reason").asText()));
    // The checks did read the canary-bearing answers and failed on them.
    assertThat(reasons)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "body", "BodyMismatch",
                "assertion", "AssertionFailed",
                "status", "UnexpectedStatus"));
    assertThat(got.get(1).json().get("status").asText()).isEqualTo("resolved");

    // Transport: the secret went where it was configured to go, and the canary did reach the
    // target's answers.
    assertThat(target.leaked()).isTrue();
    assertThat(target.requestHeaders("/body")).contains("authorization: Bearer " + canary);
    assertThat(target.requestHeaders("/assertion")).contains("x-api-key: " + canary);
    assertThat(target.requestHeaders("/status"))
        .contains(
            "authorization: Basic "
                + Base64.getEncoder()
                    .encodeToString(("monitor:" + canary).getBytes(StandardCharsets.UTF_8)));
    for (Received r : got) {
      assertThat(r.query()).isEqualTo("token=" + canary);
      assertThat(r.header("X-Receiver-Token")).isEqualTo(canary);
      assertSigned(r, canary.getBytes(StandardCharsets.UTF_8));
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain(secret);
      r.headers()
          .forEach(
              (name, values) -> {
                if (!name.equalsIgnoreCase("X-Receiver-Token")) {
                  assertThat(String.join(",", values)).as("header " + name).doesNotContain(secret);
                }
              });
    }

    String resources = kubectl("get", "-n", namespace, "healthprobes,alertroutes", "-o", "yaml");
    assertThat(resources).contains("BodyMismatch", "AssertionFailed", "UnexpectedStatus");
    assertThat(resources).doesNotContain(secret);
    String events = kubectl("get", "-n", namespace, "events.v1.events.k8s.io", "-o", "yaml");
    assertThat(events).contains("ProbeFailed", "ProbeRecovered");
    assertThat(events).doesNotContain(secret);
    assertThat(kubectl("get", "-n", namespace, "events", "-o", "yaml")).doesNotContain(secret);
    String log = operator.log();
    assertThat(log).contains(namespace);
    assertThat(log).doesNotContain(secret);
  }

  // ---------------------------------------------------------------------------------------------

  /** A namespace for one scenario; its receiver path is /hook/NAMESPACE, unique across runs. */
  private static String namespace(String purpose) {
    String namespace = cluster.createNamespace(purpose);
    namespaces.add(namespace);
    return namespace;
  }

  private static LoopbackHttpServer target() throws IOException {
    LoopbackHttpServer target = LoopbackHttpServer.start();
    targets.add(target);
    return target;
  }

  /** A HealthProbe of an HTTP target with short timings: 1 failure or 1 success flips it. */
  private static String probe(String name, String url, String labels) {
    return """
        apiVersion: vigie.dihya.io/v1alpha1
        kind: HealthProbe
        metadata:
          name: %s
          labels: %s
        spec:
          interval: 1s
          timeout: 500ms
          failureThreshold: 1
          http:
            url: %s
        """
        .formatted(name, labels, url);
  }

  private static void apply(String namespace, String yaml) {
    cluster.apply(namespace, yaml).assertSuccess();
  }

  private static String kubectl(String... args) {
    return cluster.kubectl(args).assertSuccess().output();
  }

  private static void awaitReady(String namespace, String resource) {
    kubectl(
        "wait",
        "--for=condition=Ready",
        "--timeout=" + CLUSTER.toSeconds() + "s",
        "-n",
        namespace,
        resource);
  }

  private static void awaitHealthy(String namespace, String resource) {
    kubectl(
        "wait",
        "--for=condition=Healthy",
        "--timeout=" + CLUSTER.toSeconds() + "s",
        "-n",
        namespace,
        resource);
  }

  private static JsonNode sinkStatus(String namespace, String route) throws IOException {
    String out =
        kubectl("get", "-n", namespace, "ar", route, "-o", "jsonpath={.status.sinks[0]}").trim();
    return out.isEmpty() ? JSON.createObjectNode() : JSON.readTree(out);
  }

  private static List<String> eventReasons(String namespace) throws IOException {
    JsonNode events =
        JSON.readTree(kubectl("get", "-n", namespace, "events.v1.events.k8s.io", "-o", "json"));
    return StreamSupport.stream(events.get("items").spliterator(), false)
        .map(e -> e.get("reason").asText())
        .toList();
  }

  private static List<String> probes(Received r) throws IOException {
    return StreamSupport.stream(r.json().get("alerts").spliterator(), false)
        .map(a -> a.get("labels").get("probe").asText())
        .toList();
  }

  private static Set<String> statuses(Received r) throws IOException {
    Set<String> statuses = new HashSet<>();
    r.json().get("alerts").forEach(a -> statuses.add(a.get("status").asText()));
    return statuses;
  }

  private static Set<String> fingerprints(Received r) throws IOException {
    Set<String> fingerprints = new TreeSet<>();
    r.json().get("alerts").forEach(a -> fingerprints.add(a.get("fingerprint").asText()));
    return fingerprints;
  }

  /** Standard Webhooks: v1,base64(HMAC-SHA256(key, id.timestamp.body)). */
  private static void assertSigned(Received r, byte[] key) throws Exception {
    String id = r.header("webhook-id");
    String timestamp = r.header("webhook-timestamp");
    assertThat(id).isNotBlank();
    assertThat(timestamp).isNotBlank();
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
    String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(r.body()));
    assertThat(r.header("webhook-signature")).isEqualTo(expected);
  }

  /**
   * A target whose failing answers carry the canary: 200 with it in a JSON body and a header
   * (/body, /assertion), 503 with it in the body (/status). Healthy answers are {"status":"up"}.
   */
  static final class CanaryTarget implements AutoCloseable {
    private final HttpServer server;
    private final String canary;
    private final Map<String, List<String>> headers = new ConcurrentHashMap<>();
    private volatile boolean leak;
    private volatile boolean leaked;

    private CanaryTarget(HttpServer server, String canary) {
      this.server = server;
      this.canary = canary;
    }

    static CanaryTarget start(String canary) throws IOException {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
      CanaryTarget target = new CanaryTarget(server, canary);
      server.createContext("/", target::answer);
      server.start();
      return target;
    }

    private void answer(com.sun.net.httpserver.HttpExchange ex) throws IOException {
      String path = ex.getRequestURI().getPath();
      List<String> seen = new ArrayList<>();
      ex.getRequestHeaders()
          .forEach(
              (name, values) ->
                  values.forEach(
                      v -> seen.add(name.toLowerCase(java.util.Locale.ROOT) + ": " + v)));
      headers.put(path, seen);
      int status = 200;
      String body = "{\"status\":\"up\"}";
      if (leak) {
        leaked = true;
        body = "{\"status\":\"degraded\",\"detail\":\"" + canary + "\"}";
        ex.getResponseHeaders().add("X-Debug", canary);
        status = path.equals("/status") ? 503 : 200;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void leak(boolean on) {
      leak = on;
    }

    boolean leaked() {
      return leaked;
    }

    /** The last request's headers on a path, as "lower-case-name: value". */
    List<String> requestHeaders(String path) {
      return headers.getOrDefault(path, List.of());
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
