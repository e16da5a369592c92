package io.dihya.vigie.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.dihya.vigie.api.v1alpha1.ClientTls;
import io.dihya.vigie.api.v1alpha1.HttpHeader;
import io.dihya.vigie.api.v1alpha1.SecretKeyRef;
import io.dihya.vigie.api.v1alpha1.Sink;
import io.dihya.vigie.api.v1alpha1.WebhookSink;
import io.dihya.vigie.probe.check.SecretValues;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The webhook sink against real JDK HTTP and HTTPS servers on loopback: the exact bytes of each
 * format, the headers, the signature (verified here independently) and every failure mode.
 */
class WebhookAlertSinkTest {

  static final String CANARY = "CANARY-5e1f2a";
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Instant NOW = Instant.parse("2026-11-24T12:00:31Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final ObjectMapper JSON = new ObjectMapper();

  /** One request as the receiver saw it. */
  record Received(String method, String path, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      List<String> values = headers.get(name.toLowerCase());
      return values == null ? null : String.join(",", values);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  static final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  static final Map<String, String> secrets = new ConcurrentHashMap<>();
  static final SecretValues SECRETS =
      ref -> {
        String value = secrets.get(ref.name + "/" + ref.key);
        if (value == null) {
          throw new IllegalStateException("test secret missing: " + ref.name + "/" + ref.key);
        }
        return value;
      };

  static ExecutorService threads;
  static SinkHttp http;
  static HttpServer server;
  static HttpsServer tlsServer;
  static String base;
  static String tlsBase;
  static String serverPem;

  @BeforeAll
  static void servers() throws Exception {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    threads =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread thread = new Thread(runnable, "webhook-test");
              thread.setDaemon(true);
              return thread;
            });
    http = new SinkHttp(threads);
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    server = HttpServer.create(new InetSocketAddress(loopback, 0), 100);
    server.createContext("/", WebhookAlertSinkTest::answer);
    server.setExecutor(threads);
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();

    KeyPair pair = ecKeyPair();
    X509Certificate certificate = selfSigned(pair);
    serverPem =
        "-----BEGIN CERTIFICATE-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(certificate.getEncoded())
            + "\n-----END CERTIFICATE-----\n";
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "server", pair.getPrivate(), "pw".toCharArray(), new X509Certificate[] {certificate});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, "pw".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    tlsServer = HttpsServer.create(new InetSocketAddress(loopback, 0), 100);
    tlsServer.setHttpsConfigurator(new HttpsConfigurator(context));
    tlsServer.createContext("/", WebhookAlertSinkTest::answer);
    tlsServer.setExecutor(threads);
    tlsServer.start();
    tlsBase = "https://127.0.0.1:" + tlsServer.getAddress().getPort();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
    tlsServer.stop(0);
    threads.shutdownNow();
  }

  @BeforeEach
  void reset() {
    received.clear();
    secrets.clear();
  }

  /** /ok → 204, /status/N/... → N, /retry → 429 with Retry-After: 7, /slow → 200 after 3 s. */
  static void answer(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    String path = exchange.getRequestURI().getPath();
    Map<String, List<String>> headers = new ConcurrentHashMap<>();
    exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), List.copyOf(v)));
    received.add(new Received(exchange.getRequestMethod(), path, headers, body));
    int status = 204;
    if (path.startsWith("/status/")) {
      status = Integer.parseInt(path.split("/")[2]);
    } else if (path.startsWith("/retry")) {
      status = 429;
      exchange.getResponseHeaders().add("Retry-After", "7");
    } else if (path.startsWith("/slow")) {
      try {
        Thread.sleep(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      status = 200;
    }
    // A body that names the canary: a sink must never copy a response into its error.
    byte[] answer = ("rejected " + CANARY).getBytes(StandardCharsets.UTF_8);
    if (status == 204) {
      exchange.sendResponseHeaders(204, -1);
    } else {
      exchange.sendResponseHeaders(status, answer.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer);
      }
    }
    exchange.close();
  }

  // ---------------------------------------------------------------- formats

  @Test
  void jsonFormatSendsVigiesPayloadExactly() throws Exception {
    Received r = deliver(spec(base + "/ok"), WebhookTestNotifications.firing());

    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/ok");
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(r.header("webhook-signature")).isNull();
    assertThat(r.text())
        .isEqualTo(
            json(
                "{'version':'1','id':'n-0001','kind':'alerts','route':'shop/oncall',"
                    + "'receiver':'hook','status':'firing',"
                    + "'groupKey':'shop/oncall:{probe=orders-api}',"
                    + "'groupLabels':{'probe':'orders-api'},"
                    + "'commonLabels':{'check':'http','namespace':'shop','probe':'orders-api',"
                    + "'severity':'critical'},"
                    + "'commonAnnotations':{'summary':'orders-api is unhealthy'},"
                    + "'title':'[FIRING:1] shop/orders-api ConnectionRefused',"
                    + "'text':'orders-api: connection refused',"
                    + "'alerts':[{'fingerprint':'a1b2c3d4e5f60718','status':'firing',"
                    + "'labels':{'check':'http','namespace':'shop','probe':'orders-api',"
                    + "'severity':'critical'},"
                    + "'annotations':{'message':'connection refused','reason':'ConnectionRefused',"
                    + "'summary':'orders-api is unhealthy'},"
                    + "'startsAt':'2026-11-24T12:00:00Z','endsAt':null,'severity':'critical'}],"
                    + "'createdAt':'2026-11-24T12:00:30Z'}"));
  }

  @Test
  void jsonFormatOfResolvedTestAndHeartbeatNotifications() throws Exception {
    JsonNode resolved =
        JSON.readTree(deliver(spec(base + "/ok"), WebhookTestNotifications.resolved()).body());
    assertThat(resolved.get("status").asText()).isEqualTo("resolved");
    assertThat(resolved.get("kind").asText()).isEqualTo("alerts");
    assertThat(resolved.at("/alerts/0/status").asText()).isEqualTo("resolved");
    assertThat(resolved.at("/alerts/0/endsAt").asText()).isEqualTo("2026-11-24T12:05:30.250Z");

    JsonNode test =
        JSON.readTree(deliver(spec(base + "/ok"), WebhookTestNotifications.test()).body());
    assertThat(test.get("kind").asText()).isEqualTo("test");
    assertThat(test.get("alerts").size()).isZero();

    Received heartbeat = deliver(spec(base + "/ok"), WebhookTestNotifications.heartbeat());
    assertThat(heartbeat.text())
        .isEqualTo(
            json(
                "{'version':'1','id':'n-hb-1','kind':'heartbeat','route':'shop/oncall',"
                    + "'receiver':'hook','status':null,'groupKey':null,'groupLabels':{},"
                    + "'commonLabels':{},'commonAnnotations':{},"
                    + "'title':'[HEARTBEAT] shop/oncall','text':null,'alerts':[],"
                    + "'createdAt':'2026-11-24T12:00:30Z'}"));
  }

  @Test
  void cloudEventsFormatIsAStructuredCloudEvent() throws Exception {
    WebhookSink spec = spec(base + "/ok");
    spec.format = WebhookSink.Format.cloudevents;
    Notification firing = WebhookTestNotifications.firing();

    Received r = deliver(spec, firing);

    assertThat(r.header("Content-Type")).isEqualTo("application/cloudevents+json");
    String data = WebhookPayloads.text(WebhookPayloads.vigie(firing));
    assertThat(r.text())
        .isEqualTo(
            json("{'specversion':'1.0','id':'n-0001',"
                    + "'source':'/apis/vigie.dihya.io/v1alpha1/namespaces/shop/alertroutes/oncall',"
                    + "'type':'io.dihya.vigie.alert.firing',"
                    + "'subject':'shop/oncall:{probe=orders-api}',"
                    + "'time':'2026-11-24T12:00:30Z','datacontenttype':'application/json',"
                    + "'data':DATA}")
                .replace("DATA", data));
    // data is the json format, byte for byte
    assertThat(JSON.readTree(r.body()).get("data"))
        .isEqualTo(JSON.readTree(deliver(spec(base + "/ok"), firing).body()));
  }

  @Test
  void cloudEventsTypeFollowsTheKind() throws Exception {
    WebhookSink spec = spec(base + "/ok");
    spec.format = WebhookSink.Format.cloudevents;

    assertThat(event(spec, WebhookTestNotifications.resolved()).get("type").asText())
        .isEqualTo("io.dihya.vigie.alert.resolved");
    assertThat(event(spec, WebhookTestNotifications.test()).get("type").asText())
        .isEqualTo("io.dihya.vigie.alert.test");
    JsonNode heartbeat = event(spec, WebhookTestNotifications.heartbeat());
    assertThat(heartbeat.get("type").asText()).isEqualTo("io.dihya.vigie.alert.heartbeat");
    // No groupKey: subject is left out (CloudEvents: if present, it is non-empty).
    assertThat(heartbeat.has("subject")).isFalse();
    assertThat(heartbeat.get("time").asText()).isEqualTo("2026-11-24T12:00:30Z");
  }

  @Test
  void cloudEventsSourceOfUnusualRoutes() {
    assertThat(WebhookPayloads.source("oncall"))
        .isEqualTo("/apis/vigie.dihya.io/v1alpha1/alertroutes/oncall");
    assertThat(WebhookPayloads.source(null)).isEqualTo("/apis/vigie.dihya.io/v1alpha1/alertroutes");
    Notification untimed =
        new Notification(
            "x",
            Notification.Kind.ALERTS,
            "",
            "r",
            "",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    JsonNode event = WebhookPayloads.cloudEvent(untimed);
    assertThat(event.has("time")).isFalse();
    assertThat(event.has("subject")).isFalse();
    assertThat(event.get("type").asText()).isEqualTo("io.dihya.vigie.alert.firing");
  }

  @Test
  void alertmanagerFormatIsTheVersion4WebhookPayload() throws Exception {
    WebhookSink spec = spec(base + "/ok");
    spec.format = WebhookSink.Format.alertmanager;

    Received firing = deliver(spec, WebhookTestNotifications.firing());

    assertThat(firing.header("Content-Type")).isEqualTo("application/json");
    assertThat(firing.text())
        .isEqualTo(
            json(
                "{'version':'4','groupKey':'shop/oncall:{probe=orders-api}','truncatedAlerts':0,"
                    + "'status':'firing','receiver':'hook','groupLabels':{'probe':'orders-api'},"
                    + "'commonLabels':{'check':'http','namespace':'shop','probe':'orders-api',"
                    + "'severity':'critical'},"
                    + "'commonAnnotations':{'summary':'orders-api is unhealthy'},"
                    + "'externalURL':'',"
                    + "'alerts':[{'status':'firing',"
                    + "'labels':{'check':'http','namespace':'shop','probe':'orders-api',"
                    + "'severity':'critical'},"
                    + "'annotations':{'message':'connection refused','reason':'ConnectionRefused',"
                    + "'summary':'orders-api is unhealthy'},"
                    + "'startsAt':'2026-11-24T12:00:00Z','endsAt':'0001-01-01T00:00:00Z',"
                    + "'generatorURL':'','fingerprint':'a1b2c3d4e5f60718'}]}"));

    JsonNode resolved = JSON.readTree(deliver(spec, WebhookTestNotifications.resolved()).body());
    assertThat(resolved.get("status").asText()).isEqualTo("resolved");
    assertThat(resolved.at("/alerts/0/status").asText()).isEqualTo("resolved");
    assertThat(resolved.at("/alerts/0/endsAt").asText()).isEqualTo("2026-11-24T12:05:30.250Z");

    // A heartbeat without status, group or alerts still has every field Alertmanager sends.
    JsonNode heartbeat = JSON.readTree(deliver(spec, WebhookTestNotifications.heartbeat()).body());
    assertThat(heartbeat.get("status").asText()).isEqualTo("firing");
    assertThat(heartbeat.get("groupKey").asText()).isEmpty();
    assertThat(heartbeat.get("alerts").isArray()).isTrue();
    assertThat(heartbeat.get("alerts").size()).isZero();
    assertThat(heartbeat.get("commonLabels").size()).isZero();
  }

  @Test
  void alertmanagerFormatFillsMissingAlertFields() {
    Notification n =
        new Notification(
            "x",
            Notification.Kind.ALERTS,
            "shop/oncall",
            null,
            null,
            Notification.Status.RESOLVED,
            null,
            null,
            null,
            List.of(new Notification.Alert(null, null, null, null, null, null, null)),
            null,
            null,
            null);
    JsonNode alert = WebhookPayloads.alertmanager(n).get("alerts").get(0);
    assertThat(alert.get("status").asText()).isEqualTo("resolved");
    assertThat(alert.get("startsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
    assertThat(alert.get("fingerprint").asText()).isEmpty();
    assertThat(WebhookPayloads.alertmanager(n).get("receiver").asText()).isEmpty();
    JsonNode vigie = WebhookPayloads.vigie(n).get("alerts").get(0);
    assertThat(vigie.get("status").isNull()).isTrue();
    assertThat(vigie.get("labels").size()).isZero();
  }

  // ---------------------------------------------------------------- headers and signature

  @Test
  void headersFromTheSpecAndFromSecretsReachTheReceiver() throws Exception {
    secrets.put("hook/api-key", CANARY);
    WebhookSink spec = spec(base + "/ok");
    spec.headers.add(header("X-Source", "vigie"));
    spec.headers.add(secretHeader("X-Api-Key", "hook", "api-key"));

    Received r = deliver(spec, WebhookTestNotifications.firing());

    assertThat(r.header("X-Source")).isEqualTo("vigie");
    assertThat(r.header("X-Api-Key")).isEqualTo(CANARY);
  }

  @Test
  void aSpecWithoutHeadersAndANotificationWithoutIdAreSent() throws Exception {
    secrets.put("hook/signing", "key");
    WebhookSink spec = spec(base + "/ok");
    spec.headers = null;
    spec.signingKeySecretRef = new SecretKeyRef("hook", "signing");
    Notification n = WebhookTestNotifications.firing();
    Notification noId =
        new Notification(
            null,
            n.kind(),
            n.route(),
            n.receiver(),
            n.groupKey(),
            n.status(),
            n.groupLabels(),
            n.commonLabels(),
            n.commonAnnotations(),
            n.alerts(),
            n.title(),
            n.text(),
            n.createdAt());

    Received r = deliver(spec, noId);

    assertThat(r.header("webhook-id")).isEmpty();
    assertThat(r.header("webhook-signature"))
        .isEqualTo("v1," + hmac("key".getBytes(StandardCharsets.UTF_8), r));
  }

  @Test
  void urlFromASecretIsUsed() throws Exception {
    secrets.put("hook/url", base + "/ok/" + CANARY + "?token=" + CANARY);
    WebhookSink spec = new WebhookSink();
    spec.urlSecretRef = new SecretKeyRef("hook", "url");

    Received r = deliver(spec, WebhookTestNotifications.firing());

    assertThat(r.path()).isEqualTo("/ok/" + CANARY);
  }

  @Test
  void whsecKeySignsWithStandardWebhooks() throws Exception {
    byte[] key = new byte[24];
    new SecureRandom().nextBytes(key);
    secrets.put("hook/signing", "whsec_" + Base64.getEncoder().encodeToString(key));
    WebhookSink spec = spec(base + "/ok");
    spec.signingKeySecretRef = new SecretKeyRef("hook", "signing");
    spec.format = WebhookSink.Format.cloudevents;

    Received r = deliver(spec, WebhookTestNotifications.firing());

    assertThat(r.header("webhook-id")).isEqualTo("n-0001");
    assertThat(r.header("webhook-timestamp")).isEqualTo(Long.toString(NOW.getEpochSecond()));
    assertThat(r.header("webhook-signature")).isEqualTo("v1," + hmac(key, r));
  }

  @Test
  void otherKeysSignWithTheirRawBytes() throws Exception {
    secrets.put("hook/signing", CANARY);
    WebhookSink spec = spec(base + "/ok");
    spec.signingKeySecretRef = new SecretKeyRef("hook", "signing");

    Received first = deliver(spec, WebhookTestNotifications.firing());
    Received second = deliver(spec, WebhookTestNotifications.resolved());

    byte[] key = CANARY.getBytes(StandardCharsets.UTF_8);
    assertThat(first.header("webhook-signature")).isEqualTo("v1," + hmac(key, first));
    assertThat(second.header("webhook-signature")).isEqualTo("v1," + hmac(key, second));
    assertThat(second.header("webhook-id")).isEqualTo("n-0002");
    assertThat(first.text()).doesNotContain(CANARY);
  }

  /** The receiver's side: HMAC-SHA256 of "id.timestamp.body", written here from the spec. */
  static String hmac(byte[] key, Received r) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    byte[] signed =
        (r.header("webhook-id") + "." + r.header("webhook-timestamp") + "." + r.text())
            .getBytes(StandardCharsets.UTF_8);
    return Base64.getEncoder().encodeToString(mac.doFinal(signed));
  }

  // ---------------------------------------------------------------- TLS

  @Test
  void httpsWithTheServersCertificateFromASecret() throws Exception {
    secrets.put("hook/ca.crt", serverPem);
    WebhookSink spec = spec(tlsBase + "/ok");
    spec.tls = new ClientTls();
    spec.tls.caSecretRef = new SecretKeyRef("hook", "ca.crt");

    Received r = deliver(spec, WebhookTestNotifications.firing());

    assertThat(JSON.readTree(r.body()).get("id").asText()).isEqualTo("n-0001");
  }

  @Test
  void httpsToAnUntrustedServerIsNotDelivered() throws Exception {
    Delivery d = send(spec(tlsBase + "/ok"), WebhookTestNotifications.firing(), TIMEOUT);

    assertThat(d.delivered()).isFalse();
    assertThat(d.error()).isEqualTo("TLS handshake failed: server certificate not trusted");
    assertThat(received).isEmpty();
  }

  // ---------------------------------------------------------------- failures

  @Test
  void serverErrorsAreRetryable() throws Exception {
    Delivery d = send(spec(base + "/status/500"), WebhookTestNotifications.firing(), TIMEOUT);

    assertThat(d).isEqualTo(Delivery.retry("HTTP 500", null));
    assertThat(received).hasSize(1);
  }

  @Test
  void tooManyRequestsIsRetryableAfterTheAskedDelay() throws Exception {
    Delivery d = send(spec(base + "/retry"), WebhookTestNotifications.firing(), TIMEOUT);

    assertThat(d).isEqualTo(Delivery.retry("HTTP 429", Duration.ofSeconds(7)));
  }

  @Test
  void badRequestIsPermanent() throws Exception {
    Delivery d = send(spec(base + "/status/400"), WebhookTestNotifications.firing(), TIMEOUT);

    assertThat(d).isEqualTo(Delivery.fail("HTTP 400"));
  }

  @Test
  void aSlowReceiverTimesOutOnTime() throws Exception {
    Duration timeout = Duration.ofMillis(300);
    long started = System.nanoTime();

    Delivery d = send(spec(base + "/slow"), WebhookTestNotifications.firing(), timeout);

    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertThat(d.retryable()).isTrue();
    assertThat(d.error()).isIn(timedOut(timeout));
    assertThat(tookMs).isLessThan(1300);
  }

  @Test
  void aRefusedConnectionIsRetryable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    Delivery d =
        send(spec("http://127.0.0.1:" + port + "/"), WebhookTestNotifications.firing(), TIMEOUT);

    assertThat(d).isEqualTo(Delivery.retry("connection refused", null));
  }

  @Test
  void secretsNeverReachAnErrorOrTheSinksName() throws Exception {
    secrets.put("hook/url", base + "/status/503/" + CANARY + "?token=" + CANARY);
    secrets.put("hook/api-key", CANARY);
    secrets.put("hook/signing", CANARY);
    WebhookSink spec = new WebhookSink();
    spec.urlSecretRef = new SecretKeyRef("hook", "url");
    spec.headers.add(secretHeader("Authorization", "hook", "api-key"));
    spec.signingKeySecretRef = new SecretKeyRef("hook", "signing");
    List<Delivery> deliveries = new ArrayList<>();

    AlertSink sink = WebhookAlertSink.create(spec, SECRETS, http, threads, CLOCK);
    deliveries.add(sink.send(WebhookTestNotifications.firing(), TIMEOUT).get(10, TimeUnit.SECONDS));
    secrets.put("hook/url", base + "/status/404/" + CANARY);
    deliveries.add(send(spec, WebhookTestNotifications.firing(), TIMEOUT));
    secrets.put("hook/url", base + "/slow/" + CANARY);
    deliveries.add(send(spec, WebhookTestNotifications.firing(), Duration.ofMillis(200)));

    assertThat(deliveries.get(0).error()).isEqualTo("HTTP 503");
    assertThat(deliveries.get(1).error()).isEqualTo("HTTP 404");
    assertThat(deliveries.get(2).error()).isIn(timedOut(Duration.ofMillis(200)));
    assertThat(deliveries.toString()).doesNotContain(CANARY);
    assertThat(sink.toString()).doesNotContain(CANARY).contains("signed=true");
    // Secrets are resolved once, when the sink is built: the header reached the receiver.
    assertThat(received.peek().header("Authorization")).isEqualTo(CANARY);
  }

  @Test
  void anUnencodableNotificationFailsWithoutThrowing() throws Exception {
    Map<String, String> nullKey = new java.util.HashMap<>();
    nullKey.put(null, "x");
    Notification broken =
        new Notification(
            "x",
            Notification.Kind.ALERTS,
            "a/b",
            "r",
            "g",
            Notification.Status.FIRING,
            nullKey,
            null,
            null,
            List.of(),
            "t",
            "t",
            NOW);
    AlertSink sink = WebhookAlertSink.create(spec(base + "/ok"), SECRETS, http, threads, CLOCK);
    assertThat(sink.type()).isEqualTo("webhook"); // the sink_type label of its metrics

    Delivery d = sink.send(broken, TIMEOUT).get(1, TimeUnit.SECONDS);

    assertThat(d).isEqualTo(Delivery.fail("the notification could not be encoded"));
    assertThat(received).isEmpty();
  }

  // ---------------------------------------------------------------- payload template

  static final String PAYLOAD =
      "{ \"text\": {title.json}, \"status\": {status.json},\n"
          + "  \"probes\": [{#for a in alerts}{a.labels.probe.json}{#if a_hasNext},{/if}{/for}],"
          + " \"labels\": {commonLabels.json} }";

  @Test
  void aPayloadTemplateIsTheSignedBodyTheReceiverGets() throws Exception {
    byte[] key = new byte[24];
    new SecureRandom().nextBytes(key);
    secrets.put("hook/signing", "whsec_" + Base64.getEncoder().encodeToString(key));
    WebhookSink spec = spec(base + "/ok");
    spec.signingKeySecretRef = new SecretKeyRef("hook", "signing");
    NotificationTemplate payload =
        NotificationTemplate.compilePayload(PAYLOAD, "spec.template.payload");
    AlertSink sink = WebhookAlertSink.create(spec, SECRETS, payload, http, threads, CLOCK);

    Delivery d = sink.send(WebhookTestNotifications.firing(), TIMEOUT).get(10, TimeUnit.SECONDS);

    assertThat(d).isEqualTo(Delivery.ok(null));
    Received r = received.poll(5, TimeUnit.SECONDS);
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(r.text())
        .isEqualTo(
            "{ \"text\": \"[FIRING:1] shop/orders-api ConnectionRefused\", \"status\": \"firing\",\n"
                + "  \"probes\": [\"orders-api\"], \"labels\": {\"check\":\"http\","
                + "\"namespace\":\"shop\",\"probe\":\"orders-api\",\"severity\":\"critical\"} }");
    assertThat(r.header("webhook-id")).isEqualTo("n-0001");
    assertThat(r.header("webhook-signature")).isEqualTo("v1," + hmac(key, r));
    assertThat(sink.toString()).contains("template=true");
  }

  @Test
  void aHostileLabelStaysInsideItsJsonString() throws Exception {
    String hostile = "orders\", \"injected\": true, \"x\": \"\n\u2028\uD83D\uDE80";
    Notification n = withProbe(WebhookTestNotifications.firing(), hostile);
    NotificationTemplate payload =
        NotificationTemplate.compilePayload(PAYLOAD, "spec.template.payload");
    AlertSink sink =
        WebhookAlertSink.create(spec(base + "/ok"), SECRETS, payload, http, threads, CLOCK);

    assertThat(sink.send(n, TIMEOUT).get(10, TimeUnit.SECONDS)).isEqualTo(Delivery.ok(null));

    JsonNode body = JSON.readTree(received.poll(5, TimeUnit.SECONDS).body());
    assertThat(body.has("injected")).isFalse();
    assertThat(body.at("/probes/0").asText()).isEqualTo(hostile);
    assertThat(body.at("/labels/probe").asText()).isEqualTo(hostile);
  }

  @Test
  void aTemplateThatGivesNoJsonSendsTheBuiltInPayload() throws Exception {
    // Written without .json: valid for plain labels, broken by a quote in one.
    NotificationTemplate payload =
        NotificationTemplate.compilePayload(
            "{\"probe\": \"{commonLabels.probe}\"}", "spec.template.payload");
    AlertSink sink =
        WebhookAlertSink.create(spec(base + "/ok"), SECRETS, payload, http, threads, CLOCK);

    sink.send(WebhookTestNotifications.firing(), TIMEOUT).get(10, TimeUnit.SECONDS);
    assertThat(received.poll(5, TimeUnit.SECONDS).text()).isEqualTo("{\"probe\": \"orders-api\"}");

    Delivery d =
        sink.send(withProbe(WebhookTestNotifications.firing(), "say \"hi\""), TIMEOUT)
            .get(10, TimeUnit.SECONDS);

    assertThat(d).isEqualTo(Delivery.ok(null));
    JsonNode fallback = JSON.readTree(received.poll(5, TimeUnit.SECONDS).body());
    assertThat(fallback.get("version").asText()).isEqualTo("1");
    assertThat(fallback.at("/commonLabels/probe").asText()).isEqualTo("say \"hi\"");
  }

  @Test
  void aPayloadTemplateGoesOnlyWithFormatJson() {
    NotificationTemplate payload =
        NotificationTemplate.compilePayload("{status.json}", "spec.template.payload");
    for (WebhookSink.Format format :
        List.of(WebhookSink.Format.cloudevents, WebhookSink.Format.alertmanager)) {
      WebhookSink spec = spec(base + "/ok");
      spec.format = format;
      assertThatThrownBy(
              () -> WebhookAlertSink.create(spec, SECRETS, payload, http, threads, CLOCK))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "webhook.format: "
                  + format
                  + " has a fixed schema; spec.template.payload applies only to format json (use"
                  + " format json, or put this sink in an AlertRoute without a payload template)");
    }
  }

  @Test
  void aShutDownPoolAnswersRetryWithoutRendering() throws Exception {
    ExecutorService stopped = Executors.newSingleThreadExecutor();
    stopped.shutdownNow();
    NotificationTemplate payload =
        NotificationTemplate.compilePayload("{status.json}", "spec.template.payload");
    AlertSink sink =
        WebhookAlertSink.create(spec(base + "/ok"), SECRETS, payload, http, stopped, CLOCK);

    Delivery d = sink.send(WebhookTestNotifications.firing(), TIMEOUT).get(1, TimeUnit.SECONDS);

    assertThat(d).isEqualTo(Delivery.retry("the sink is shut down", null));
    assertThat(received).isEmpty();
  }

  static Notification withProbe(Notification n, String probe) {
    Map<String, String> labels = new java.util.TreeMap<>(n.commonLabels());
    labels.put("probe", probe);
    Notification.Alert a = n.alerts().get(0);
    Notification.Alert alert =
        new Notification.Alert(
            a.fingerprint(),
            a.status(),
            labels,
            a.annotations(),
            a.startsAt(),
            a.endsAt(),
            a.severity());
    return new Notification(
        n.id(),
        n.kind(),
        n.route(),
        n.receiver(),
        n.groupKey(),
        n.status(),
        n.groupLabels(),
        labels,
        n.commonAnnotations(),
        List.of(alert),
        n.title(),
        n.text(),
        n.createdAt());
  }

  // ---------------------------------------------------------------- misconfigured specs

  @Test
  void misconfiguredSpecsAreRejectedWithTheirField() {
    WebhookSink none = new WebhookSink();
    assertRejected(none, "webhook: set exactly one of url and urlSecretRef");

    WebhookSink both = spec(base + "/ok");
    both.urlSecretRef = new SecretKeyRef("hook", "url");
    assertRejected(both, "webhook: set exactly one of url and urlSecretRef");

    assertRejected(spec("ftp://example.com/"), "webhook.url: must start with http:// or https://");

    secrets.put("hook/url", "not a url " + CANARY);
    WebhookSink badSecretUrl = new WebhookSink();
    badSecretUrl.urlSecretRef = new SecretKeyRef("hook", "url");
    assertRejected(badSecretUrl, "webhook.urlSecretRef: not a valid URL");

    WebhookSink twoValues = spec(base + "/ok");
    HttpHeader h = header("X-A", "a");
    h.valueFrom = new HttpHeader.ValueFrom();
    h.valueFrom.secretKeyRef = new SecretKeyRef("hook", "api-key");
    twoValues.headers.add(h);
    assertRejected(
        twoValues, "webhook.headers[0]: set exactly one of value and valueFrom.secretKeyRef");

    WebhookSink noValue = spec(base + "/ok");
    noValue.headers.add(header("X-A", null));
    assertRejected(
        noValue, "webhook.headers[0]: set exactly one of value and valueFrom.secretKeyRef");

    WebhookSink noName = spec(base + "/ok");
    noName.headers.add(header(" ", "x"));
    assertRejected(noName, "webhook.headers[0].name: required");

    WebhookSink own = spec(base + "/ok");
    own.headers.add(header("X-Ok", "x"));
    own.headers.add(header("content-type", "text/plain"));
    assertRejected(own, "webhook.headers[1].name: content-type is set by the sink itself");

    WebhookSink signature = spec(base + "/ok");
    signature.headers.add(header("Webhook-Signature", "v1,x"));
    assertRejected(
        signature, "webhook.headers[0].name: Webhook-Signature is set by the sink itself");

    WebhookSink host = spec(base + "/ok");
    host.headers.add(header("Host", "example.com"));
    assertRejected(
        host,
        "webhook.headers[0]: not a header the HTTP client can send (a reserved name such as Host,"
            + " or a value with line breaks)");

    secrets.put("hook/api-key", CANARY + "\r\nX-Injected: 1");
    WebhookSink injected = spec(base + "/ok");
    injected.headers.add(secretHeader("X-Api-Key", "hook", "api-key"));
    assertRejected(
        injected,
        "webhook.headers[0]: not a header the HTTP client can send (a reserved name such as Host,"
            + " or a value with line breaks)");

    secrets.put("hook/signing", "whsec_" + CANARY + "!!");
    WebhookSink badKey = spec(base + "/ok");
    badKey.signingKeySecretRef = new SecretKeyRef("hook", "signing");
    assertRejected(
        badKey, "webhook.signingKeySecretRef: a key starting with whsec_ must continue in base64");

    secrets.put("hook/signing", "");
    assertRejected(badKey, "webhook.signingKeySecretRef: the signing key is empty");

    secrets.put("hook/tls.crt", "x");
    WebhookSink halfTls = spec(tlsBase + "/ok");
    halfTls.tls = new ClientTls();
    halfTls.tls.certSecretRef = new SecretKeyRef("hook", "tls.crt");
    assertRejected(halfTls, "webhook.tls: certSecretRef and keySecretRef must be set together");
  }

  static void assertRejected(WebhookSink spec, String message) {
    assertThatThrownBy(() -> WebhookAlertSink.create(spec, SECRETS, http, threads, CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message)
        .hasMessageNotContaining(CANARY);
  }

  // ---------------------------------------------------------------- through the factory

  @Test
  void theFactoryBuildsTheWebhookSink() throws Exception {
    Sink sink = new Sink();
    sink.name = "hook";
    sink.webhook = spec(base + "/ok");
    sink.webhook.format = null; // a spec read without defaults: json
    try (SinkFactory factory = new SinkFactory(CLOCK)) {
      Delivery d =
          factory
              .create(sink, SECRETS, "spec.sinks[0]")
              .send(WebhookTestNotifications.firing(), TIMEOUT)
              .get(10, TimeUnit.SECONDS);
      assertThat(d).isEqualTo(Delivery.ok(null));
    }
    Received r = received.poll(5, TimeUnit.SECONDS);
    assertThat(JSON.readTree(r.body()).get("version").asText()).isEqualTo("1");
  }

  @Test
  void theFactoryHandsThePayloadTemplateToWebhooksOnly() throws Exception {
    NotificationTemplate payload =
        NotificationTemplate.compilePayload("{ \"s\": {status.json} }", "spec.template.payload");
    Sink hook = new Sink();
    hook.name = "hook";
    hook.webhook = spec(base + "/ok");
    Sink log = new Sink();
    log.name = "log";
    log.log = new io.dihya.vigie.api.v1alpha1.LogSink();
    Sink events = new Sink();
    events.name = "events";
    events.webhook = spec(base + "/ok");
    events.webhook.format = WebhookSink.Format.cloudevents;
    try (SinkFactory factory = new SinkFactory(CLOCK)) {
      Delivery d =
          factory
              .create(hook, SECRETS, "spec.sinks[0]", payload)
              .send(WebhookTestNotifications.resolved(), TIMEOUT)
              .get(10, TimeUnit.SECONDS);
      assertThat(d).isEqualTo(Delivery.ok(null));
      assertThat(factory.create(log, SECRETS, "spec.sinks[1]", payload)).isNotNull();
      assertThatThrownBy(() -> factory.create(events, SECRETS, "spec.sinks[2]", payload))
          .hasMessageStartingWith("webhook.format: cloudevents has a fixed schema;");
    }
    assertThat(received.poll(5, TimeUnit.SECONDS).text()).isEqualTo("{ \"s\": \"resolved\" }");
  }

  // ---------------------------------------------------------------- helpers

  static WebhookSink spec(String url) {
    WebhookSink spec = new WebhookSink();
    spec.url = url;
    return spec;
  }

  static HttpHeader header(String name, String value) {
    HttpHeader header = new HttpHeader();
    header.name = name;
    header.value = value;
    return header;
  }

  static HttpHeader secretHeader(String name, String secret, String key) {
    HttpHeader header = new HttpHeader();
    header.name = name;
    header.valueFrom = new HttpHeader.ValueFrom();
    header.valueFrom.secretKeyRef = new SecretKeyRef(secret, key);
    return header;
  }

  static Delivery send(WebhookSink spec, Notification n, Duration timeout) throws Exception {
    AlertSink sink = WebhookAlertSink.create(spec, SECRETS, http, threads, CLOCK);
    return sink.send(n, timeout).get(timeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
  }

  /** Sends, expects delivery, and returns what the receiver got. */
  static Received deliver(WebhookSink spec, Notification n) throws Exception {
    Delivery d = send(spec, n, TIMEOUT);
    assertThat(d).isEqualTo(Delivery.ok(null));
    Received r = received.poll(5, TimeUnit.SECONDS);
    assertThat(r).isNotNull();
    return r;
  }

  static JsonNode event(WebhookSink spec, Notification n) throws Exception {
    return JSON.readTree(deliver(spec, n).body());
  }

  /**
   * The text of a timeout. The JDK sometimes completes a timed-out exchange with an
   * HttpTimeoutException caused by "connection closed locally" (measured: 2 in 40 at 100 ms);
   * Failures.classify lets the timeout win.
   */
  static List<String> timedOut(Duration timeout) {
    return List.of("no answer within " + timeout.toMillis() + "ms");
  }

  /** JSON written with single quotes, for readability. */
  static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  static KeyPair ecKeyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  /** A self-signed certificate for 127.0.0.1, made with Bouncy Castle (on the test classpath). */
  static X509Certificate selfSigned(KeyPair pair) throws Exception {
    X500Name name = new X500Name("CN=vigie-webhook-test");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minusSeconds(3600)),
            Date.from(now.plusSeconds(86400)),
            name,
            pair.getPublic());
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
  }
}
