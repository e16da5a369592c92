package io.dihya.vigie.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dihya.vigie.api.v1alpha1.AlertmanagerSink;
import io.dihya.vigie.api.v1alpha1.ClientTls;
import io.dihya.vigie.api.v1alpha1.HttpCheck;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.probe.check.SecretValues;
import io.dihya.vigie.testing.LocalAlertmanager;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alertmanager sink against a real Alertmanager (Debian's prometheus-alertmanager) on loopback:
 * what its API then lists (GET /api/v2/alerts) and what it notifies to a webhook, for firing,
 * resolved, test and heartbeat notifications, over HTTP and HTTPS. Headers, error statuses and
 * timeouts against a recording HTTP server.
 */
class AlertmanagerAlertSinkTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final String CANARY = "canary-Tok3n-5e8a0f";

  private static ExecutorService executor;
  private static SinkHttp http;
  private static AlertmanagerTestHttpServer webhook;
  private static LocalAlertmanager alertmanager;

  private final Map<String, String> secretData = new HashMap<>();
  private final SecretValues secrets = ref -> secretData.get(ref.name + "/" + ref.key);
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    executor = Executors.newCachedThreadPool();
    http = new SinkHttp(executor);
    webhook = AlertmanagerTestHttpServer.start();
    alertmanager = LocalAlertmanager.launch(webhook.url("/hook"));
  }

  @AfterAll
  static void stop() {
    if (alertmanager != null) {
      alertmanager.close();
    }
    if (webhook != null) {
      webhook.close();
    }
    executor.shutdownNow();
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable closeable : closeLater) {
      closeable.close();
    }
  }

  private SecretKeyRef secret(String name, String value) {
    secretData.put(name + "/value", value);
    return new SecretKeyRef(name, "value");
  }

  private static AlertmanagerSink spec(String url) {
    AlertmanagerSink spec = new AlertmanagerSink();
    spec.url = url;
    return spec;
  }

  private AlertmanagerAlertSink sink(AlertmanagerSink spec, Clock clock) {
    AlertSink sink = AlertmanagerAlertSink.create(spec, secrets, http, executor, clock);
    assertThat(sink.type()).isEqualTo("alertmanager"); // the sink_type label of its metrics
    return (AlertmanagerAlertSink) sink;
  }

  private AlertmanagerAlertSink sink(AlertmanagerSink spec) {
    return sink(spec, Clock.systemUTC());
  }

  private static Delivery send(AlertSink sink, Notification n) throws Exception {
    return sink.send(n, TIMEOUT).get(10, TimeUnit.SECONDS);
  }

  /** The alerts Alertmanager lists as not resolved, by alertname + probe or test id. */
  private static List<JsonNode> listed(String alertname) throws Exception {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode alert : JSON.readTree(alertmanager.alerts())) {
      if (alertname.equals(alert.path("labels").path("alertname").asText())) {
        found.add(alert);
      }
    }
    return found;
  }

  /** The alerts of the webhook notifications Alertmanager sent, with their notification status. */
  private static List<JsonNode> notified(String alertname, String status) throws Exception {
    List<JsonNode> found = new ArrayList<>();
    for (AlertmanagerTestHttpServer.Request request : webhook.requests) {
      JsonNode payload = JSON.readTree(request.body());
      for (JsonNode alert : payload.path("alerts")) {
        if (alertname.equals(alert.path("labels").path("alertname").asText())
            && status.equals(alert.path("status").asText())) {
          found.add(alert);
        }
      }
    }
    return found;
  }

  private static Map<String, String> map(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }

  // --- against the real Alertmanager ---

  @Test
  void aFiringAlertIsListedAndNotifiedThenResolved() throws Exception {
    AlertmanagerAlertSink sink = sink(spec(alertmanager.url()));
    Instant startsAt = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);

    Delivery firing = send(sink, EmailTestNotifications.firing("n-1", startsAt));

    assertThat(firing).isEqualTo(Delivery.ok(null));
    List<JsonNode> active = listed(AlertmanagerAlertSink.ALERTNAME);
    assertThat(active).hasSize(1);
    JsonNode alert = active.get(0);
    assertThat(map(alert.path("labels")))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "alertname", "VigieProbeFailed",
                "namespace", "shop",
                "probe", "orders-api",
                "severity", "critical",
                "check", "http",
                "app_kubernetes_io_name", "orders"));
    assertThat(map(alert.path("annotations")))
        .containsExactlyInAnyOrderEntriesOf(EmailTestNotifications.annotations());
    assertThat(Instant.parse(alert.path("startsAt").asText())).isEqualTo(startsAt);
    assertThat(alert.path("status").path("state").asText()).isEqualTo("active");
    // No endsAt sent: Alertmanager's resolve_timeout (5m) applies until the alert is re-posted.
    assertThat(Instant.parse(alert.path("endsAt").asText())).isAfter(Instant.now());

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !notified(AlertmanagerAlertSink.ALERTNAME, "firing").isEmpty());

    Instant endsAt = Instant.now().minusSeconds(1).truncatedTo(ChronoUnit.MILLIS);
    Delivery resolved = send(sink, EmailTestNotifications.resolved("n-2", startsAt, endsAt));

    assertThat(resolved.delivered()).isTrue();
    assertThat(listed(AlertmanagerAlertSink.ALERTNAME)).isEmpty();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !notified(AlertmanagerAlertSink.ALERTNAME, "resolved").isEmpty());
    JsonNode notice = notified(AlertmanagerAlertSink.ALERTNAME, "resolved").get(0);
    assertThat(Instant.parse(notice.path("endsAt").asText())).isEqualTo(endsAt);
    assertThat(Instant.parse(notice.path("startsAt").asText())).isEqualTo(startsAt);
    assertThat(notice.path("labels").path("probe").asText()).isEqualTo("orders-api");
  }

  @Test
  void aTestAlertIsShortLivedAndLabelled() throws Exception {
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Delivery delivery =
        send(sink(spec(alertmanager.url())), EmailTestNotifications.test("test-42", at));

    assertThat(delivery.delivered()).isTrue();
    List<JsonNode> active = listed(AlertmanagerAlertSink.TEST_ALERTNAME);
    assertThat(active).hasSize(1);
    assertThat(map(active.get(0).path("labels")))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "alertname", "VigieTest",
                "vigie_test", "true",
                "vigie_test_id", "test-42",
                "vigie_route", "shop/oncall",
                "vigie_receiver", "mail",
                "severity", "info"));
    assertThat(map(active.get(0).path("annotations")))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "summary", "[TEST] shop/oncall: test notification",
                "description",
                    "This is a test of the channel, requested through vigie.dihya.io/test."));
    assertThat(Instant.parse(active.get(0).path("endsAt").asText()))
        .isEqualTo(at.plus(AlertmanagerAlertSink.TEST_LIFETIME));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !notified(AlertmanagerAlertSink.TEST_ALERTNAME, "firing").isEmpty());
  }

  @Test
  void heartbeatsKeepOneAlertFiringThatEndsWhenTheyStop() throws Exception {
    Instant first = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    AlertmanagerAlertSink sink = sink(spec(alertmanager.url()));

    assertThat(send(sink, EmailTestNotifications.heartbeat("hb-1", first)).delivered()).isTrue();

    List<JsonNode> active = listed(AlertmanagerAlertSink.HEARTBEAT_ALERTNAME);
    assertThat(active).hasSize(1);
    assertThat(map(active.get(0).path("labels")))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "alertname", "VigieHeartbeat",
                "vigie_route", "shop/oncall",
                "vigie_receiver", "mail",
                "severity", "none"));
    assertThat(Instant.parse(active.get(0).path("endsAt").asText()))
        .isEqualTo(first.plus(AlertmanagerAlertSink.FIRST_HEARTBEAT_HORIZON));
  }

  @Test
  void heartbeatHorizonIsTwiceTheLearnedInterval() {
    Instant first = Instant.parse("2026-11-24T10:00:00Z");
    AlertmanagerAlertSink sink = sink(spec("http://127.0.0.1:9/"));
    assertThat(endsAt(sink, first)).isEqualTo(first.plus(Duration.ofHours(1)));
    // A retry of the same heartbeat keeps its horizon.
    assertThat(endsAt(sink, first)).isEqualTo(first.plus(Duration.ofHours(1)));
    Instant second = first.plus(Duration.ofMinutes(5));
    assertThat(endsAt(sink, second)).isEqualTo(second.plus(Duration.ofMinutes(10)));
    Instant third = second.plusSeconds(10);
    assertThat(endsAt(sink, third)).isEqualTo(third.plus(Duration.ofMinutes(2)));
    Instant fourth = third.plus(Duration.ofDays(3));
    assertThat(endsAt(sink, fourth)).isEqualTo(fourth.plus(Duration.ofHours(48)));
    assertThat(endsAt(sink, second)).isEqualTo(second.plus(Duration.ofHours(48)));
  }

  private static Instant endsAt(AlertmanagerAlertSink sink, Instant at) {
    JsonNode alert = sink.alerts(EmailTestNotifications.heartbeat("hb", at)).get(0);
    assertThat(alert.path("startsAt").asText()).isEqualTo(at.toString());
    return Instant.parse(alert.path("endsAt").asText());
  }

  @Test
  void httpsWithTheRouteAuthorityIsTrustedAndOtherwiseNot() throws Exception {
    EmailTestPki.Identity ca = EmailTestPki.authority("vigie-am-ca");
    EmailTestPki.Identity cert = EmailTestPki.leaf(ca, "localhost", "localhost", "127.0.0.1");
    LocalAlertmanager secure =
        LocalAlertmanager.launchWithTls(null, cert.certificatePem(), cert.keyPem());
    closeLater.add(secure);
    Instant startsAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    Delivery untrusted =
        send(sink(spec(secure.url())), EmailTestNotifications.firing("n-3", startsAt));
    assertThat(untrusted)
        .isEqualTo(Delivery.retry("TLS handshake failed: server certificate not trusted", null));

    AlertmanagerSink spec = spec(secure.url());
    spec.tls = new ClientTls();
    spec.tls.caSecretRef = secret("ca", ca.certificatePem());
    assertThat(send(sink(spec), EmailTestNotifications.firing("n-4", startsAt)).delivered())
        .isTrue();
    JsonNode listed = JSON.readTree(secure.alerts());
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).path("labels").path("probe").asText()).isEqualTo("orders-api");
  }

  @Test
  void anAlertmanagerThatIsDownIsRetryable() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Delivery delivery =
        send(
            sink(spec("http://127.0.0.1:" + port)),
            EmailTestNotifications.firing("n-5", Instant.now()));
    assertThat(delivery).isEqualTo(Delivery.retry("connection refused", null));
  }

  // --- the bytes and headers, against a recording server ---

  private AlertmanagerTestHttpServer recorder() throws Exception {
    AlertmanagerTestHttpServer server = AlertmanagerTestHttpServer.start();
    closeLater.add(server);
    return server;
  }

  @Test
  void postsAJsonArrayUnderTheBasePathWithABearerToken() throws Exception {
    AlertmanagerTestHttpServer server = recorder();
    AlertmanagerSink spec = spec(server.url("/alertmanager/"));
    spec.bearerTokenSecretRef = secret("token", CANARY);

    Instant startsAt = Instant.parse("2026-11-24T10:00:00Z");
    Instant endsAt = Instant.parse("2026-11-24T10:05:00Z");
    assertThat(send(sink(spec), EmailTestNotifications.resolved("n-6", startsAt, endsAt)))
        .isEqualTo(Delivery.ok(null));

    assertThat(server.requests).hasSize(1);
    AlertmanagerTestHttpServer.Request request = server.requests.get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.uri()).isEqualTo("/alertmanager/api/v2/alerts");
    assertThat(request.header("Content-Type")).isEqualTo("application/json");
    assertThat(request.header("Authorization")).isEqualTo("Bearer " + CANARY);
    assertThat(JSON.readTree(request.body()))
        .isEqualTo(
            JSON.readTree(
                """
                [{"labels":{"alertname":"VigieProbeFailed","check":"http","namespace":"shop",
                  "probe":"orders-api","severity":"critical","app_kubernetes_io_name":"orders"},
                  "annotations":{"description":"GET /healthz: connection refused <script>alert(1)</script>",
                  "reason":"ConnectionRefused","runbook_url":"https://runbooks.example.org/orders?a=1&b=2",
                  "summary":"orders-api is down"},
                  "startsAt":"2026-11-24T10:00:00Z","endsAt":"2026-11-24T10:05:00Z"}]
                """));
  }

  @Test
  void basicAuthIsSentEncoded() throws Exception {
    AlertmanagerTestHttpServer server = recorder();
    AlertmanagerSink spec = spec(server.url(""));
    spec.basicAuth = new HttpCheck.BasicAuth();
    spec.basicAuth.usernameSecretRef = secret("user", "vigie");
    spec.basicAuth.passwordSecretRef = secret("password", CANARY);

    assertThat(send(sink(spec), EmailTestNotifications.firing("n-7", Instant.now())).delivered())
        .isTrue();

    assertThat(server.requests.get(0).uri()).isEqualTo("/api/v2/alerts");
    assertThat(server.requests.get(0).header("Authorization"))
        .isEqualTo(
            "Basic "
                + Base64.getEncoder()
                    .encodeToString(("vigie:" + CANARY).getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void rejectedBatchesArePermanentAndOverloadIsRetryable() throws Exception {
    AlertmanagerTestHttpServer server = recorder();
    AlertmanagerSink spec = spec(server.url(""));
    spec.bearerTokenSecretRef = secret("token", CANARY);
    AlertmanagerAlertSink sink = sink(spec);
    Notification n = EmailTestNotifications.firing("n-8", Instant.now());

    server.status = 400;
    server.body = "invalid label set " + CANARY;
    assertThat(send(sink, n)).isEqualTo(Delivery.fail("HTTP 400"));

    server.status = 503;
    server.answerHeaders = Map.of("Retry-After", "7");
    assertThat(send(sink, n)).isEqualTo(Delivery.retry("HTTP 503", Duration.ofSeconds(7)));

    server.status = 200;
    server.answerHeaders = Map.of();
    server.delayMillis = 1500;
    Delivery slow = sink.send(n, Duration.ofMillis(300)).get(5, TimeUnit.SECONDS);
    assertThat(slow).isEqualTo(Delivery.retry("no answer within 300ms", null));
  }

  @Test
  void namesAlertmanagerWouldRefuseAreRewritten() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "orders");
    labels.put("9lives", "cat");
    labels.put("a.b", "rewritten");
    labels.put("a_b", "valid");
    labels.put("empty", "");
    labels.put("", "no name");
    labels.put("alertname", "OrdersDown");
    assertThat(AlertmanagerAlertSink.names(labels))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "app_kubernetes_io_name", "orders",
                "_9lives", "cat",
                "a_b", "valid",
                "alertname", "OrdersDown"));
    assertThat(AlertmanagerAlertSink.names(null)).isEmpty();

    Notification n =
        EmailTestNotifications.notification(
            "n-9",
            Notification.Kind.ALERTS,
            Notification.Status.FIRING,
            List.of(
                new Notification.Alert(
                    "f", Notification.Status.FIRING, labels, Map.of(), null, null, "critical")),
            "t",
            "x",
            Instant.now());
    Instant now = Instant.parse("2026-11-24T12:00:00Z");
    JsonNode alert =
        sink(spec("http://127.0.0.1:9"), Clock.fixed(now, ZoneOffset.UTC)).alerts(n).get(0);
    // The probe's own alertname wins; a missing startsAt is the sink's now; a firing alert stays
    // active in Alertmanager for the horizon (longer than the default repeatInterval).
    assertThat(alert.path("labels").path("alertname").asText()).isEqualTo("OrdersDown");
    assertThat(alert.path("startsAt").asText()).isEqualTo("2026-11-24T12:00:00Z");
    assertThat(alert.path("endsAt").asText()).isEqualTo("2026-11-25T13:00:00Z");
  }

  @Test
  void aResolvedAlertNeverEndsBeforeItStarts() {
    Instant now = Instant.parse("2026-11-24T12:00:00Z");
    AlertmanagerAlertSink sink = sink(spec("http://127.0.0.1:9"), Clock.fixed(now, ZoneOffset.UTC));
    Instant startsAt = Instant.parse("2026-11-24T11:00:00Z");
    JsonNode skewed =
        sink.alerts(EmailTestNotifications.resolved("n", startsAt, startsAt.minusSeconds(5)))
            .get(0);
    assertThat(skewed.path("endsAt").asText()).isEqualTo(startsAt.toString());

    Notification.Alert unknownEnd =
        new Notification.Alert(
            "f",
            Notification.Status.RESOLVED,
            Map.of("probe", "p"),
            null,
            startsAt,
            null,
            "warning");
    Notification n =
        EmailTestNotifications.notification(
            "n",
            Notification.Kind.ALERTS,
            Notification.Status.RESOLVED,
            List.of(unknownEnd),
            "t",
            "x",
            now);
    assertThat(sink.alerts(n).get(0).path("endsAt").asText()).isEqualTo(now.toString());
    Notification nothing =
        new Notification("n", null, "r", "m", "g", null, null, null, null, null, null, null, null);
    assertThat(sink.alerts(nothing)).isEmpty();
    Notification bareTest =
        new Notification(
            "t",
            Notification.Kind.TEST,
            "shop/r",
            "m",
            "g",
            null,
            null,
            null,
            null,
            null,
            null,
            "",
            null);
    JsonNode test = sink.alerts(bareTest).get(0);
    assertThat(test.path("annotations").size()).isZero();
    assertThat(test.path("startsAt").asText()).isEqualTo(now.toString());
    assertThat(
            sink.alerts(
                    new Notification(
                        "h",
                        Notification.Kind.HEARTBEAT,
                        "shop/r",
                        "m",
                        "g",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null))
                .get(0)
                .path("startsAt")
                .asText())
        .isEqualTo(now.toString());
  }

  // --- specs it cannot build ---

  @Test
  void misconfiguredSpecsAreNamedByFieldAndNeverEchoed() {
    expectInvalid(s -> s.url = null, "alertmanager.url: required");
    expectInvalid(s -> s.url = "ftp://am", "alertmanager.url: must start with http:// or https://");
    expectInvalid(
        s -> s.url = "http://admin:" + CANARY + "@am:9093",
        "alertmanager.url: must not hold credentials; use the sink's authentication settings");
    expectInvalid(
        s -> s.url = "http://am:9093/?token=" + CANARY,
        "alertmanager.url: must be a base URL, without ?query or #");
    expectInvalid(
        s -> {
          s.bearerTokenSecretRef = secret("t", CANARY);
          s.basicAuth = new HttpCheck.BasicAuth();
        },
        "alertmanager: set at most one of bearerTokenSecretRef and basicAuth");
    expectInvalid(
        s -> s.basicAuth = new HttpCheck.BasicAuth(),
        "alertmanager.basicAuth: usernameSecretRef and passwordSecretRef are required");
    expectInvalid(
        s -> {
          s.basicAuth = new HttpCheck.BasicAuth();
          s.basicAuth.usernameSecretRef = secret("u", "a:b");
          s.basicAuth.passwordSecretRef = secret("p", CANARY);
        },
        "alertmanager.basicAuth.usernameSecretRef: a user name cannot contain ':'");
    expectInvalid(
        s -> s.bearerTokenSecretRef = secret("t", ""),
        "alertmanager.bearerTokenSecretRef: the Secret key is empty");
    expectInvalid(
        s -> s.bearerTokenSecretRef = secret("t", CANARY + "\r\nX-Evil: 1"),
        "alertmanager.bearerTokenSecretRef: the value holds a line break or control character");
    expectInvalid(
        s -> {
          s.tls = new ClientTls();
          s.tls.caSecretRef = secret("ca", "not a PEM " + CANARY);
        },
        null);
  }

  private void expectInvalid(Consumer<AlertmanagerSink> change, String message) {
    AlertmanagerSink spec = spec("http://am.monitoring:9093");
    change.accept(spec);
    var thrown =
        assertThatThrownBy(() -> sink(spec))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageNotContaining(CANARY);
    if (message != null) {
      thrown.hasMessage(message);
    } else {
      thrown.hasMessageStartingWith("alertmanager.tls.caSecretRef");
    }
  }
}
